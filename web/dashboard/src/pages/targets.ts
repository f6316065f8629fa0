// Targets over time (Decision 1690): for each target, the national trend and one province's
// (coverageSeries, quarter ends) against the target line and the deadline; the provinces
// furthest from it in a published edition (or live today); and the edition's public report.

import { legend, trendChart, trendTable, type Line } from "../chart";
import { labelled, statusLine, toolbar } from "../controls";
import { currentRoute, go, h, replace, today } from "../dom";
import { formatDate, formatNumber, formatPercent, t, type Key } from "../i18n";
import { editions, provinceTargets, provinces, ranking, series, type Edition, type Indicator, type OwnTarget, type Series } from "../queries";
import type { Page } from "./page";

// The national trend starts before the 2025 reform; a province's in today's units (from
// 2025-07-01), where its code names the same place throughout.
const NATIONAL_FROM = "2024-01-01";
const PROVINCE_FROM = "2025-07-01";
const FURTHEST = 5;

const INDICATORS: Record<Indicator, [Key, string]> = {
  AGENCIES_WITH_FOCAL_POINT: ["indicatorFocal", "FOCAL_POINT_COVERAGE"],
  COMMUNES_WITH_TEAM: ["indicatorTeams", "TEAM_COVERAGE"],
  CDS_STAFF_RATIO: ["indicatorStaff", "CDS_STAFF_RATIO"],
};

export const targetsPage: Page = (root) => {
  const route = currentRoute();
  const province = route.params.get("province") || "01";
  const chosenEdition = route.params.get("edition");
  const provinceChoice = h("select", { id: "province", "data-testid": "target-province" });
  const editionChoice = h("select", { id: "edition", "data-testid": "edition-picker" });
  const reportLinks = h("span", { class: "report-links", "data-testid": "report-links" });
  const status = statusLine();
  const body = h("div", { class: "targets" });
  const change = (): void => go("targets", { province: provinceChoice.value, edition: editionChoice.value || null });
  provinceChoice.addEventListener("change", change);
  editionChoice.addEventListener("change", change);
  replace(
    root,
    h("h1", {}, t("targetsTitle")),
    toolbar(...labelled("compareProvince", provinceChoice), ...labelled("edition", editionChoice), reportLinks),
    status,
    body,
  );

  const load = async (): Promise<void> => {
    try {
      const to = today();
      const [places, published, national, local] = await Promise.all([
        provinces(to),
        editions(),
        series(null, NATIONAL_FROM, to),
        series(province, PROVINCE_FROM, to),
      ]);
      replace(provinceChoice, ...places.map((p) => h("option", { value: p.code, selected: p.code === province }, p.name)));
      const edition = published.find((e) => e.id === chosenEdition) ?? published[0] ?? null;
      replace(
        editionChoice,
        ...(published.length === 0 ? [h("option", { value: "" }, t("noEditions"))] : []),
        ...published.map((e) => h("option", { value: e.id, selected: e.id === edition?.id }, `${formatDate(e.periodEnd)} (${e.id})`)),
      );
      drawLinks(edition);
      const name = places.find((p) => p.code === province)?.name ?? province;
      const own = await provinceTargets(edition?.id ?? null);
      const sections = await Promise.all(national.targets.map((_, i) => targetSection(national, local, i, name, edition, own)));
      replace(body, ...sections, activitySection(national, local, name));
      status.textContent = `${t("updatedAt")} ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };

  const drawLinks = (edition: Edition | null): void => {
    if (!edition) {
      replace(reportLinks);
      return;
    }
    replace(
      reportLinks,
      h("a", { href: edition.reportUrl, "data-testid": "edition-report" }, t("openReport", { date: formatDate(edition.periodEnd) })),
      " · ",
      h("a", { href: edition.pdfUrl, "data-testid": "edition-pdf" }, t("openPdf")),
    );
  };

  void load();
};

async function targetSection(
  national: Series,
  local: Series,
  i: number,
  provinceName: string,
  edition: Edition | null,
  own: OwnTarget[],
): Promise<HTMLElement> {
  const progress = national.targets[i]!;
  const target = progress.target;
  const [labelKey, metric] = INDICATORS[target.indicator];
  const title = t(labelKey);
  const mine = local.targets.find((p) => p.target.indicator === target.indicator);
  const lines: Line[] = [
    { name: t("national"), cls: "line-national", points: national.points.map((p, j) => [p.asOf, progress.values[j] ?? null]) },
  ];
  if (mine) lines.push({ name: provinceName, cls: "line-province", points: local.points.map((p, j) => [p.asOf, mine.values[j] ?? null]) });
  const spec = { title, lines, threshold: target.threshold, deadline: target.deadline };
  const track = progress.onTrack === null ? "trackUnknown" : progress.onTrack ? "onTrack" : "offTrack";
  return h(
    "section",
    { class: "target", "data-indicator": target.indicator, "aria-labelledby": `h-${target.indicator}` },
    h("h2", { id: `h-${target.indicator}` }, title),
    h(
      "p",
      {},
      t("targetSummary", { value: formatPercent(target.threshold), date: formatDate(target.deadline), source: target.sourceDecision }),
      " ",
      h("strong", { class: track }, t(track)),
    ),
    legend(lines),
    trendChart(spec),
    trendTable(spec),
    await furthest(metric, target.indicator, target.threshold, edition, own),
  );
}

// The provinces furthest below the target in force there: their own (frozen with the edition,
// or today's), else the national one; the largest gap first.
async function furthest(
  metric: string,
  indicator: Indicator,
  national: number,
  edition: Edition | null,
  own: OwnTarget[],
): Promise<HTMLElement> {
  const rows = await ranking(metric, edition ? null : today(), edition?.id ?? null);
  const thresholds = new Map(own.filter((o) => o.indicator === indicator).map((o) => [o.scopeCode, o.threshold]));
  const gaps = rows
    .reverse() // lowest value first: the order among equal gaps
    .map((r) => ({ r, threshold: thresholds.get(r.province.code) ?? national }))
    .filter(({ r, threshold }) => r.value !== null && r.value < threshold)
    .map((x) => ({ ...x, gap: x.threshold - (x.r.value ?? 0) }));
  const worst = gaps.sort((a, b) => b.gap - a.gap).slice(0, FURTHEST);
  const caption = edition ? t("furthestIn", { date: formatDate(edition.periodEnd) }) : t("furthestLive");
  return h(
    "table",
    { class: "data furthest", "data-testid": "furthest" },
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("province")),
        h("th", { scope: "col" }, t("value")),
        h("th", { scope: "col" }, t("targetColumn")),
        h("th", { scope: "col" }, t("gapToTarget")),
      ),
    ),
    h(
      "tbody",
      {},
      ...worst.map(({ r, threshold, gap }) =>
        h(
          "tr",
          { "data-code": r.province.code },
          h("td", {}, r.province.name),
          h("td", { class: "num" }, formatPercent(r.value)),
          h("td", { class: "num" }, formatPercent(threshold) + (thresholds.has(r.province.code) ? ` (${t("ownTarget")})` : "")),
          h("td", { class: "num" }, formatPercent(gap)),
        ),
      ),
    ),
  );
}

// The teams' activity (#17) along the same period ends: the share of running teams that reported
// within the activity window, and the people and households helped in it. No target was set
// for these, so the chart has no target line.
function activitySection(national: Series, local: Series, provinceName: string): HTMLElement {
  const share = (s: Series): [string, number | null][] => s.points.map((p) => [p.asOf, p.totals.activeTeamShare]);
  const lines: Line[] = [
    { name: t("national"), cls: "line-national", points: share(national) },
    { name: provinceName, cls: "line-province", points: share(local) },
  ];
  const spec = { title: t("metricActive"), lines };
  return h(
    "section",
    { class: "target activity", "data-testid": "activity-trend", "aria-labelledby": "h-activity" },
    h("h2", { id: "h-activity" }, t("activityTrendTitle")),
    h("p", {}, t("activityTrendNote")),
    legend(lines),
    trendChart(spec),
    trendTable(spec),
    helpedTable("households", t("householdsHelped"), national, local, provinceName),
    helpedTable("people", t("peopleHelped"), national, local, provinceName),
  );
}

// A count helped at each period end, the nation's and the province's (a province has no
// figure before the reform: its series starts in today's units).
function helpedTable(kind: "households" | "people", title: string, national: Series, local: Series, provinceName: string): HTMLElement {
  const value = (s: Series, d: string): string => {
    const p = s.points.find((x) => x.asOf === d);
    if (!p) return "—";
    return formatNumber(kind === "households" ? p.totals.householdsHelped : p.totals.peopleHelped);
  };
  const dates = [...new Set([...national.points, ...local.points].map((p) => p.asOf))].sort();
  return h(
    "table",
    { class: "data helped", "data-testid": `helped-${kind}` },
    h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("periodEnd")), h("th", { scope: "col" }, t("national")), h("th", { scope: "col" }, provinceName))),
    h(
      "tbody",
      {},
      ...dates.map((d) => h("tr", { "data-as-of": d }, h("th", { scope: "row" }, formatDate(d)), h("td", { class: "num" }, value(national, d)), h("td", { class: "num" }, value(local, d)))),
    ),
  );
}
