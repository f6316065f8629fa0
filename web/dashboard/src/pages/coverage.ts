// The coverage map: the scope's child units coloured by a metric, hover for the counts, click to
// drill down (nation → province → district before the reform → commune), a date picker that
// switches between the legacy and the current hierarchy, live updates.

import { cells } from "../geometry";
import { currentRoute, go, h, replace, s, today, REFORM_DATE } from "../dom";
import { formatNumber, formatPercent, t, type Key } from "../i18n";
import { watch } from "../live";
import { colour, colourClass, metric, NO_DATA, PALETTE, type Metric } from "../metrics";
import { dateInput, labelled, metricSelect, statusLine, toolbar } from "../controls";
import { coverage, type CoverageReport, type Figures } from "../queries";
import type { Page } from "./page";

const WIDTH = 640;
const HEIGHT = 760;

export const coveragePage: Page = (root) => {
  const route = currentRoute();
  const scope = route.params.get("scope");
  const asOf = route.params.get("asOf") || today();
  const chosen = metric(route.params.get("metric"));
  const params = (over: Record<string, string | null>): Record<string, string | null> => ({
    scope,
    asOf: route.params.get("asOf"),
    metric: route.params.get("metric"),
    ...over,
  });

  const date = dateInput(asOf);
  date.addEventListener("change", () => go("map", params({ asOf: date.value || null, scope: null })));
  const metricChoice = metricSelect(chosen);
  metricChoice.addEventListener("change", () => go("map", params({ metric: metricChoice.value })));

  const crumbs = h("nav", { class: "crumbs", "aria-label": "breadcrumb" });
  const counters = h("dl", { class: "counters", "data-testid": "counters" });
  const svg = s("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "map",
    role: "group",
    "aria-label": t("navMap"),
    "data-testid": "map",
  });
  const legend = h("ul", { class: "legend", "data-testid": "legend" });
  const tooltip = h("div", { class: "tooltip", role: "status", hidden: true, "data-testid": "tooltip" });
  const unplaced = h("div", { class: "unplaced" });
  const status = statusLine("map-status");

  replace(
    root,
    toolbar(
      ...labelled("date", date),
      ...labelled("metric", metricChoice),
      h("span", { class: "era-note" }, t(asOf < REFORM_DATE ? "legacyNote" : "currentNote")),
    ),
    crumbs,
    status,
    h("div", { class: "map-layout" }, h("div", { class: "map-wrap" }, svg, tooltip), h("aside", {}, counters, legend)),
    unplaced,
  );

  let generation = 0;
  const load = async (): Promise<void> => {
    const mine = ++generation;
    try {
      const report = await coverage(scope, asOf);
      if (mine !== generation) return; // a newer load (live update) won the race
      draw(report, chosen);
      status.textContent = `${t("updatedAt")} ${new Date().toLocaleTimeString()}`;
      status.dataset.loadedAt = String(Date.now());
    } catch (error) {
      status.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
      status.classList.add("error");
    }
  };

  const draw = (report: CoverageReport, m: Metric): void => {
    drawCrumbs(crumbs, report, params);
    drawCounters(counters, report.totals);
    drawLegend(legend, m);
    const placed = report.rows.filter((r) => r.unit.lat !== null && r.unit.lon !== null);
    const byCode = new Map(report.rows.map((r) => [r.unit.code, r]));
    const shapes = cells(
      placed.map((r) => ({ code: r.unit.code, lat: r.unit.lat!, lon: r.unit.lon! })),
      WIDTH,
      HEIGHT,
    );
    const drillable = report.rows.some((r) => r.unit.level !== "COMMUNE");
    replace(
      svg,
      ...shapes.map((shape) => {
        const row = byCode.get(shape.code)!;
        const value = m.value(row.figures);
        const path = s("path", {
          d: shape.path,
          fill: colour(m, value),
          class: drillable ? "cell drill" : "cell",
          tabindex: 0,
          role: drillable ? "link" : "img",
          "aria-label": `${row.unit.name}: ${m.format(value)}`,
          "data-code": row.unit.code,
          "data-name": row.unit.name,
          "data-value": value === null ? "" : String(value),
          "data-class": String(colourClass(m, value)),
        });
        const show = (x: number, y: number): void => showTooltip(tooltip, row.unit.name, row.figures, m, x, y);
        path.addEventListener("mousemove", (e) => {
          const box = svg.getBoundingClientRect();
          show(e.clientX - box.left, e.clientY - box.top);
        });
        path.addEventListener("focus", () => {
          const box = svg.getBoundingClientRect();
          show((shape.cx / WIDTH) * box.width, (shape.cy / HEIGHT) * box.height);
        });
        path.addEventListener("mouseleave", () => (tooltip.hidden = true));
        path.addEventListener("blur", () => (tooltip.hidden = true));
        if (drillable) {
          const drill = (): void => go("map", params({ scope: row.unit.code }));
          path.addEventListener("click", drill);
          path.addEventListener("keydown", (e) => {
            if (e.key === "Enter" || e.key === " ") drill();
          });
        }
        return path;
      }),
    );
    svg.dataset.rows = String(report.rows.length);
    svg.dataset.scope = report.scope.code;
    // Units the data has no coordinates for are listed, never silently left off the map.
    const missing = report.rows.filter((r) => r.unit.lat === null || r.unit.lon === null);
    replace(
      unplaced,
      missing.length === 0
        ? null
        : h(
            "details",
            {},
            h("summary", {}, `${t("noCoordinates")}: ${missing.length}`),
            h("ul", {}, ...missing.map((r) => h("li", {}, `${r.unit.name} — ${m.format(m.value(r.figures))}`))),
          ),
    );
  };

  void load();
  // Refetch on each change in scope; coverage is cached per change on the server, so a burst of
  // open dashboards costs one computation.
  const liveScope = asOf >= REFORM_DATE ? scope : null;
  return watch(liveScope, () => void load());
};

function drawCrumbs(
  nav: HTMLElement,
  report: CoverageReport,
  params: (over: Record<string, string | null>) => Record<string, string | null>,
): void {
  const trail: { code: string | null; name: string }[] = [{ code: null, name: t("national") }];
  const scope = report.scope;
  if (scope.level !== "CENTRAL") {
    if (scope.parent && scope.parent.level !== "CENTRAL") trail.push({ code: scope.parent.code, name: scope.parent.name });
    trail.push({ code: scope.code, name: scope.name });
  }
  replace(
    nav,
    ...trail.map((step, i) =>
      i === trail.length - 1
        ? h("span", { "aria-current": "page", "data-testid": "scope-name" }, step.name)
        : h(
            "a",
            { href: "#", onclick: ((e: Event) => (e.preventDefault(), go("map", params({ scope: step.code })))) as EventListener },
            step.name,
          ),
    ),
  );
}

const COUNTERS: [Key, (f: Figures) => string][] = [
  ["communes", (f) => formatNumber(f.communes)],
  ["communesWithTeam", (f) => `${formatNumber(f.communesWithTeam)} (${formatPercent(f.teamCoverage)})`],
  ["teams", (f) => formatNumber(f.teams)],
  ["members", (f) => formatNumber(f.activeMembers)],
  ["agencies", (f) => formatNumber(f.agencies)],
  ["agenciesWithFocal", (f) => `${formatNumber(f.agenciesWithFocalPoint)} (${formatPercent(f.focalPointCoverage)})`],
  ["experts", (f) => formatNumber(f.verifiedExperts)],
  ["activeTeams", (f) => `${formatNumber(f.activeTeams)} (${formatPercent(f.activeTeamShare)})`],
  ["householdsHelped", (f) => formatNumber(f.householdsHelped)],
  ["peopleHelped", (f) => formatNumber(f.peopleHelped)],
];

function drawCounters(dl: HTMLElement, totals: Figures): void {
  replace(
    dl,
    ...COUNTERS.flatMap(([key, value]) => [h("dt", {}, t(key)), h("dd", { "data-testid": `total-${key}` }, value(totals))]),
  );
}

function drawLegend(ul: HTMLElement, m: Metric): void {
  const item = (fill: string, label: string, cls: number, min: number | null, max: number | null): HTMLElement =>
    h(
      "li",
      { "data-class": String(cls), "data-fill": fill, "data-min": min ?? "", "data-max": max ?? "" },
      h("span", { class: "swatch", style: `background:${fill}` }),
      label,
    );
  replace(
    ul,
    h("li", { class: "legend-title" }, t(m.label)),
    ...m.breaks.map((b, i) => {
      const next = m.breaks[i + 1];
      const label = next === undefined ? `≥ ${m.format(b)}` : `${m.format(b)} – ${m.format(next)}`;
      return item(PALETTE[i]!, label, i, b, next ?? null);
    }),
    item(NO_DATA, t("noData"), -1, null, null),
  );
}

function showTooltip(tip: HTMLElement, name: string, f: Figures, m: Metric, x: number, y: number): void {
  replace(
    tip,
    h("strong", {}, name),
    h("div", {}, `${t(m.label)}: ${m.format(m.value(f))}`),
    h("div", {}, `${t("communesWithTeam")}: ${formatNumber(f.communesWithTeam)} / ${formatNumber(f.communes)}`),
    h("div", {}, `${t("teams")}: ${formatNumber(f.teams)} · ${t("members")}: ${formatNumber(f.activeMembers)}`),
    h("div", {}, `${t("agenciesWithFocal")}: ${formatNumber(f.agenciesWithFocalPoint)} / ${formatNumber(f.agencies)}`),
    h("div", {}, `${t("experts")}: ${formatNumber(f.verifiedExperts)}`),
    h("div", {}, `${t("activeTeams")}: ${formatNumber(f.activeTeams)} · ${t("householdsHelped")}: ${formatNumber(f.householdsHelped)}`),
  );
  tip.style.left = `${x + 14}px`;
  tip.style.top = `${y + 14}px`;
  tip.hidden = false;
}
