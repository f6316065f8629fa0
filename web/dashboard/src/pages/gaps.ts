// Gap lists (`coverageGaps`): where the network does not reach yet, by scope and date, paged,
// with the same list as CSV / Excel.

import { currentRoute, go, h, replace, today } from "../dom";
import { exportButtons } from "../exports";
import { dateInput, labelled, statusLine, toolbar } from "../controls";
import { formatDate, formatNumber, t, type Key } from "../i18n";
import { gaps, provinces, type Gap } from "../queries";
import { areaOptions, loadVocab } from "../vocab";
import type { Page } from "./page";

const PAGE_SIZE = 50;

const KINDS: [string, Key][] = [
  ["COMMUNE_WITHOUT_TEAM", "gapCommuneWithoutTeam"],
  ["ORGANISATION_WITHOUT_FOCAL_POINT", "gapOrgWithoutFocal"],
  ["TEAM_BELOW_MIN_SIZE", "gapTeamBelowMin"],
  ["ASSIGNMENT_NEEDS_RECONFIRMATION", "gapReconfirm"],
  ["TEAM_WITHOUT_RECENT_ACTIVITY", "gapTeamQuiet"],
  ["PROVINCE_WITHOUT_EXPERT_IN_AREA", "gapProvinceNoExpert"],
];

export const gapsPage: Page = (root) => {
  const route = currentRoute();
  const asOf = route.params.get("asOf") || today();
  const kind = KINDS.some(([k]) => k === route.params.get("kind")) ? route.params.get("kind")! : KINDS[0]![0];
  const scope = route.params.get("scope");
  const expertise = route.params.get("expertise") || "DIGITAL_GOVERNMENT";
  const needsExpertise = kind === "PROVINCE_WITHOUT_EXPERT_IN_AREA";
  const cursors: (string | null)[] = [null];

  const kindSelect = h(
    "select",
    { id: "kind" },
    ...KINDS.map(([k, label]) => h("option", { value: k, selected: k === kind }, t(label))),
  );
  const provinceSelect = h("select", { id: "scope" }, h("option", { value: "" }, t("allProvinces")));
  const expertiseSelect = h(
    "select",
    { id: "expertise", hidden: !needsExpertise },
  );
  void loadVocab().then(() => expertiseSelect.append(...areaOptions(expertise)));
  const date = dateInput(asOf);
  const change = (): void =>
    go("gaps", {
      kind: kindSelect.value,
      scope: provinceSelect.value || null,
      expertise: kindSelect.value === "PROVINCE_WITHOUT_EXPERT_IN_AREA" ? expertiseSelect.value : null,
      asOf: date.value || null,
    });
  for (const control of [kindSelect, provinceSelect, expertiseSelect, date]) control.addEventListener("change", change);

  const summary = statusLine("gap-total");
  const table = h("table", { class: "data", "data-testid": "gap-table" });
  const prev = h("button", { type: "button", disabled: true }, t("previous"));
  const next = h("button", { type: "button", disabled: true }, t("next"));
  const pageLabel = h("span", {});

  replace(
    root,
    toolbar(
      ...labelled("gapKind", kindSelect),
      ...labelled("province", provinceSelect),
      needsExpertise ? h("label", { for: "expertise" }, t("expertise")) : null,
      expertiseSelect,
      ...labelled("date", date),
      exportButtonsFor(kind, scope, asOf),
    ),
    summary,
    table,
    h("nav", { class: "pager", "aria-label": t("page") }, prev, pageLabel, next),
  );

  void provinces(asOf).then((list) => {
    for (const p of list) provinceSelect.append(h("option", { value: p.code, selected: p.code === scope }, p.name));
  });

  let index = 0;
  const load = async (): Promise<void> => {
    try {
      const page = await gaps(kind, scope, needsExpertise ? expertise : null, asOf, cursors[index] ?? null, PAGE_SIZE);
      summary.textContent = `${t("total")}: ${formatNumber(page.totalCount)}`;
      summary.dataset.total = String(page.totalCount);
      cursors[index + 1] = page.pageInfo.endCursor;
      prev.disabled = index === 0;
      next.disabled = !page.pageInfo.hasNextPage;
      pageLabel.textContent = `${t("page")} ${index + 1} / ${Math.max(1, Math.ceil(page.totalCount / PAGE_SIZE))}`;
      drawTable(table, page.nodes);
    } catch (error) {
      summary.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };
  prev.addEventListener("click", () => {
    index = Math.max(0, index - 1);
    void load();
  });
  next.addEventListener("click", () => {
    index += 1;
    void load();
  });
  void load();
};

function exportButtonsFor(kind: string, scope: string | null, asOf: string): HTMLElement | null {
  // The spreadsheet export covers the kinds that need no expertise parameter.
  if (kind === "PROVINCE_WITHOUT_EXPERT_IN_AREA") return null;
  return exportButtons("gaps", { gap: kind, scope, asOf });
}

function drawTable(table: HTMLElement, rows: Gap[]): void {
  const cell = (value: string | number | null | undefined): HTMLElement => h("td", {}, value ?? "");
  replace(
    table,
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(["unit", "within", "organisation", "team", "decision", "members"] as Key[]).map((k) =>
          h("th", { scope: "col" }, t(k)),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...(rows.length === 0
        ? [h("tr", {}, h("td", { colspan: 6 }, t("noResults")))]
        : rows.map((g) =>
            h(
              "tr",
              { "data-code": g.unit.code },
              cell(g.unit.name),
              cell(g.unit.parent && g.unit.parent.level !== "CENTRAL" ? g.unit.parent.name : ""),
              cell(g.organisation?.name),
              g.team
                ? h("td", {}, h("a", { href: `#/team?id=${encodeURIComponent(g.team.id)}` }, g.team.name))
                : cell(null),
              cell(g.decision ? `${g.decision.number}${g.decision.date ? ` (${g.decision.date})` : ""}` : ""),
              cell(
                g.activeMembers !== null
                  ? `${g.activeMembers}${g.minimumSize ? ` / ${g.minimumSize}` : ""}`
                  : g.kind === "TEAM_WITHOUT_RECENT_ACTIVITY"
                    ? `${t("lastActivity")}: ${g.lastActivity ? formatDate(g.lastActivity) : t("never")}`
                    : "",
              ),
            ),
          )),
    ),
  );
}
