// A team's page (#17): its activity reports over time (per month, then each report, newest
// first) and a short form to report one, made for a team leader's phone (390 px): one column,
// big controls, numeric keyboards. Errors from the API land next to their fields.

import { currentRoute, h, replace, today } from "../dom";
import { Fields } from "../fields";
import { codeLabel, formatDate, formatNumber, t, type Key } from "../i18n";
import { reportActivity, teamActivity, type ActivityReportRow, type TeamActivity } from "../queries";
import { statusLine } from "../controls";
import type { Page } from "./page";

const KINDS = ["PUBLIC_ONLINE_SERVICES", "VNEID", "CASHLESS_PAYMENT", "E_COMMERCE", "DIGITAL_SKILLS", "OTHER"];

export const teamPage: Page = (root) => {
  const id = currentRoute().params.get("id") ?? "";
  const title = h("h1", { "data-testid": "team-name" }, t("navTeam"));
  const place = h("p", { class: "hint" });
  const status = statusLine("team-status");
  const months = h("table", { class: "data", "data-testid": "activity-months" });
  const list = h("ul", { class: "activity", "data-testid": "activity-list" });
  const done = h("p", { role: "status", "data-testid": "report-done", hidden: true });
  replace(
    root,
    title,
    place,
    status,
    reportForm(id, done, () => void load()),
    done,
    h("h2", {}, t("activityOverTime")),
    months,
    h("h2", {}, t("activityReports")),
    list,
  );

  const load = async (): Promise<void> => {
    try {
      const team = await teamActivity(id);
      if (!team) {
        status.textContent = t("noResults");
        return;
      }
      draw(team);
      status.textContent = `${t("updatedAt")} ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
      status.classList.add("error");
    }
  };

  const draw = (team: TeamActivity): void => {
    title.textContent = team.name;
    place.textContent = team.communes.map((c) => c.name).join(" · ");
    const reports = team.activityReports.nodes;
    list.dataset.total = String(team.activityReports.totalCount);
    replace(list, ...(reports.length ? reports.map(item) : [h("li", {}, t("noActivity"))]));
    drawMonths(months, reports);
  };

  void load();
};

function item(r: ActivityReportRow): HTMLElement {
  const when = r.periodFrom === r.periodTo ? formatDate(r.periodTo) : `${formatDate(r.periodFrom)} – ${formatDate(r.periodTo)}`;
  return h(
    "li",
    { "data-id": r.id },
    h("strong", {}, `${when} · ${codeLabel(r.kind)}`),
    h(
      "span",
      {},
      ` ${t("householdsHelped")}: ${formatNumber(r.householdsHelped)} · ${t("peopleHelped")}: ${formatNumber(r.peopleHelped)}`,
    ),
    r.place ? h("span", {}, ` · ${r.place}`) : null,
    r.synthetic ? h("span", { class: "hint" }, ` (${t("synthetic")})`) : null,
  );
}

// Households and people per month of the reports' last day, newest month first.
function drawMonths(table: HTMLElement, reports: ActivityReportRow[]): void {
  const byMonth = new Map<string, [number, number, number]>();
  for (const r of reports) {
    const month = r.periodTo.slice(0, 7);
    const [n, households, people] = byMonth.get(month) ?? [0, 0, 0];
    byMonth.set(month, [n + 1, households + r.householdsHelped, people + r.peopleHelped]);
  }
  const rows = [...byMonth.entries()].sort(([a], [b]) => b.localeCompare(a));
  replace(
    table,
    h("caption", {}, t("activityOverTime")),
    h(
      "thead",
      {},
      h("tr", {}, ...(["month", "activityReports", "householdsHelped", "peopleHelped"] as Key[]).map((k) => h("th", { scope: "col" }, t(k)))),
    ),
    h(
      "tbody",
      {},
      ...rows.map(([month, [n, households, people]]) =>
        h("tr", { "data-month": month }, h("th", { scope: "row" }, month), h("td", {}, formatNumber(n)), h("td", {}, formatNumber(households)), h("td", {}, formatNumber(people))),
      ),
    ),
  );
}

function reportForm(teamId: string, done: HTMLElement, reported: () => void): HTMLElement {
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: -1, hidden: true });
  const fields = new Fields(summary);
  const from = h("input", { type: "date", required: true, value: today(), max: today() });
  const to = h("input", { type: "date", max: today() });
  const kind = h("select", { required: true }, ...KINDS.map((k) => h("option", { value: k }, codeLabel(k))));
  const number = (): HTMLInputElement => h("input", { type: "number", min: "0", step: "1", inputmode: "numeric", required: true });
  const people = number();
  const households = number();
  const services = h("input", { type: "text", autocomplete: "off" });
  const where = h("input", { type: "text", autocomplete: "off" });
  const note = h("input", { type: "text", autocomplete: "off" });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "report-submit" }, t("reportActivity"));
  const form = h(
    "form",
    { class: "register report", novalidate: true, "data-testid": "report-form", "aria-labelledby": "report-title" },
    h("h2", { id: "report-title" }, t("reportActivity")),
    summary,
    fields.field("periodFrom", t("periodFrom"), from),
    fields.field("periodTo", t("periodTo"), to, t("periodToHint")),
    fields.field("kind", t("activityKind"), kind),
    fields.field("peopleHelped", t("peopleHelped"), people),
    fields.field("householdsHelped", t("householdsHelped"), households),
    fields.field("services", t("services"), services, t("servicesHint")),
    fields.field("place", t("activityPlace"), where),
    fields.field("note", t("note"), note),
    submit,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    fields.clear();
    done.hidden = true;
    const missing = [from, people, households].filter((c) => !c.value.trim());
    if (missing.length) {
      fields.show(missing.map((c) => ({ field: c.getAttribute("name") ?? "", text: t("required") })));
      return;
    }
    submit.disabled = true;
    void reportActivity({
      teamId,
      periodFrom: from.value,
      periodTo: to.value || null,
      kind: kind.value,
      peopleHelped: Number(people.value),
      householdsHelped: Number(households.value),
      services: services.value.split(";").map((x) => x.trim()).filter(Boolean),
      place: where.value.trim() || null,
      note: note.value.trim() || null,
    })
      .then((result) => {
        if (result.__typename === "ActivityReportPayload") {
          done.textContent = t("reported");
          done.hidden = false;
          for (const c of [people, households, services, where, note]) c.value = "";
          reported();
        } else if (result.__typename === "ValidationErrors") {
          fields.show(result.errors.map((e) => ({ field: e.field, text: e.message })));
        } else {
          fields.show([{ field: result.field ?? "", text: result.message }]);
        }
      })
      .catch((error: Error) => fields.show([{ field: "", text: error.message }]))
      .finally(() => (submit.disabled = false));
  });
  return form;
}
