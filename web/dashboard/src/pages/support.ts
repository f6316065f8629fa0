// Yêu cầu hỗ trợ / Support requests (#15), for the network's coordinators (national,
// provincial, commune officer, organisation admin): the requests they may see with status and
// urgency filters, the province's figures, a form to file one (errors next to their fields); and
// a request's own page (#/support?id=): its engagements, the ranked candidates with each part of
// their score and a button to propose one, completing an engagement with feedback, closing or
// cancelling the request. The server decides who may do what (api/policy.py); the page only asks.

import { claims } from "../gql";
import { currentRoute, go, h, replace, today } from "../dom";
import { Fields } from "../fields";
import { codeLabel, expertiseLabel, formatDate, formatNumber, formatPercent, t, type Key } from "../i18n";
import {
  cancelSupportRequest,
  closeSupportRequest,
  completeEngagement,
  createSupportRequest,
  failureText,
  matchExperts,
  organisationsOf,
  proposeExpert,
  supportFigures,
  supportRequest,
  supportRequests,
  type Candidate,
  type EngagementRow,
  type RequestDetail,
  type RequestRow,
} from "../support";
import { areaFolds, loadVocab } from "../vocab";
import { statusLine } from "../controls";
import { serverText } from "./register";
import type { Page } from "./page";

const COORDINATORS = new Set(["NATIONAL_COORDINATOR", "PROVINCIAL_COORDINATOR", "COMMUNE_OFFICER", "ORGANISATION_ADMIN"]);
const STATUSES = ["OPEN", "MATCHING", "ASSIGNED", "DONE", "CANCELLED"];
const URGENCIES = ["LOW", "NORMAL", "HIGH", "CRITICAL"];
const PARTS: [keyof Candidate["parts"], Key][] = [
  ["expertise", "partExpertise"],
  ["proximity", "partProximity"],
  ["availability", "partAvailability"],
  ["load", "partLoad"],
  ["feedback", "partFeedback"],
];

export function maySupport(): boolean {
  return COORDINATORS.has(claims()?.role ?? "");
}

export const supportPage: Page = (root) => {
  if (!maySupport()) {
    replace(root, h("h1", {}, t("navSupport")), h("p", { class: "status", "data-testid": "support-signed-out" }, t("supportNeedsSignIn")));
    return;
  }
  const id = currentRoute().params.get("id");
  if (id) requestPage(root, id);
  else listPage(root);
};

// --- the list, the figures and the form ---------------------------------------------------------

function listPage(root: HTMLElement): void {
  const params = currentRoute().params;
  const status = h("select", { id: "support-status", "data-testid": "filter-status" }, h("option", { value: "" }, t("all")));
  const urgency = h("select", { id: "support-urgency", "data-testid": "filter-urgency" }, h("option", { value: "" }, t("all")));
  for (const s of STATUSES) status.append(h("option", { value: s, selected: params.get("status") === s }, codeLabel(s)));
  for (const u of URGENCIES) urgency.append(h("option", { value: u, selected: params.get("urgency") === u }, codeLabel(u)));
  const refilter = (): void => go("support", { status: status.value || null, urgency: urgency.value || null });
  status.addEventListener("change", refilter);
  urgency.addEventListener("change", refilter);
  const line = statusLine("support-status-line");
  const figures = h("dl", { class: "figures", "data-testid": "support-figures" });
  const list = h("div", { class: "scroll" });
  const form = h("div", {});
  // The figures of the provincial coordinator's province; the nation's for the other roles.
  const scope = claims()?.scope ?? null;
  const province = claims()?.role === "PROVINCIAL_COORDINATOR" ? scope : null;
  // Named once the figures say the province's name (the claim holds its code only).
  const heading = h("h2", { "data-testid": "support-figures-title" }, province ? t("loading") : t("figuresFor", { scope: t("national") }));
  replace(
    root,
    h("h1", {}, t("navSupport")),
    heading,
    figures,
    h(
      "section",
      { class: "toolbar" },
      h("label", { for: status.id }, t("status")),
      status,
      h("label", { for: urgency.id }, t("urgency")),
      urgency,
    ),
    line,
    list,
    form,
  );

  void supportFigures(province).then(
    ({ figures: f, name }) => {
      heading.textContent = t("figuresFor", { scope: name ?? t("national") });
      figures.dataset.open = String(f.open);
      figures.dataset.answered = String(f.answered);
      figures.dataset.requests = String(f.requests);
      replace(
        figures,
        h("dt", {}, t("figuresRequests")),
        h("dd", { "data-figure": "requests" }, formatNumber(f.requests)),
        h("dt", {}, t("figuresOpen")),
        h("dd", { "data-figure": "open" }, formatNumber(f.open)),
        h("dt", {}, t("figuresAnswered")),
        h("dd", { "data-figure": "answered" }, `${formatNumber(f.answered)} (${formatPercent(f.answeredShare)})`),
        h("dt", {}, t("metricMedianHours")),
        h(
          "dd",
          { "data-figure": "median" },
          f.medianHoursToFirstAccept === null ? t("noData") : t("hours", { n: formatNumber(Math.round(f.medianHoursToFirstAccept * 10) / 10) }),
        ),
      );
    },
    (error: Error) => {
      heading.textContent = t("figuresFor", { scope: province ?? t("national") });
      replace(figures, h("p", { class: "status error" }, `${t("errorPrefix")}: ${error.message}`));
    },
  );

  const load = async (): Promise<void> => {
    try {
      const found = await supportRequests(status.value ? [status.value] : null, urgency.value ? [urgency.value] : null);
      list.dataset.total = String(found.totalCount);
      replace(list, requestTable(found.nodes));
      line.textContent = t("supportCount", { n: formatNumber(found.totalCount) });
    } catch (error) {
      line.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
      line.classList.add("error");
    }
  };
  void load();
  void loadVocab().then(
    () => replace(form, createForm(scope && scope.length <= 5 ? scope : "")),
    (error: Error) => replace(form, h("p", { class: "status error" }, `${t("errorPrefix")}: ${error.message}`)),
  );
}

function requestTable(rows: RequestRow[]): HTMLElement {
  if (!rows.length) return h("p", { class: "status", "data-testid": "support-empty" }, t("noResults"));
  return h(
    "table",
    { class: "data", "data-testid": "support-list" },
    h("caption", {}, t("supportList")),
    h("thead", {}, h("tr", {}, ...(["topic", "status", "urgency", "supportPlace", "supportPeriod"] as Key[]).map((k) => h("th", { scope: "col" }, t(k))))),
    h(
      "tbody",
      {},
      ...rows.map((r) =>
        h(
          "tr",
          { "data-id": r.id, "data-status": r.status },
          h("th", { scope: "row" }, h("a", { href: `#/support?id=${encodeURIComponent(r.id)}` }, r.topic)),
          h("td", {}, codeLabel(r.status)),
          h("td", {}, codeLabel(r.urgency)),
          h("td", {}, r.unit?.name ?? ""),
          h("td", {}, `${formatDate(r.periodStart)} – ${formatDate(r.periodEnd)}`),
        ),
      ),
    ),
  );
}

function createForm(unitDefault: string): HTMLElement {
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: -1, hidden: true });
  const fields = new Fields(summary);
  const topic = h("input", { type: "text", required: true, autocomplete: "off" });
  const description = h("input", { type: "text", autocomplete: "off" });
  const unitCode = h("input", { type: "text", required: true, inputmode: "numeric", autocomplete: "off", value: unitDefault });
  const organisation = h("select", { required: true }, h("option", { value: "" }, t("chooseUnitFirst")));
  const remote = h("input", { type: "checkbox", id: "f-remoteAllowed", name: "remoteAllowed" });
  const start = h("input", { type: "date", required: true, min: today() });
  const end = h("input", { type: "date", required: true, min: today() });
  const wantedCount = h("input", { type: "number", min: "1", max: "50", step: "1", inputmode: "numeric", value: "1", required: true });
  const urgency = h("select", {}, ...URGENCIES.map((u) => h("option", { value: u, selected: u === "NORMAL" }, codeLabel(u))));
  const contact = h("input", { type: "email", autocomplete: "email" });
  const boxes = areaFolds("wanted", new Set());
  const weights = new WantedWeights();
  const done = h("p", { role: "status", "data-testid": "support-created", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "support-submit" }, t("fileRequest"));

  const loadOrganisations = async (): Promise<void> => {
    const code = unitCode.value.trim();
    if (!code) return;
    try {
      const orgs = await organisationsOf(code);
      if (unitCode.value.trim() !== code) return; // a later code was typed meanwhile: its list wins
      replace(
        organisation,
        h("option", { value: "" }, orgs.length ? t("chooseOrganisation") : t("noOrganisations")),
        ...orgs.map((o) => h("option", { value: o.id }, o.name)),
      );
    } catch (error) {
      fields.show([{ field: "unitCode", text: (error as Error).message }]);
    }
  };
  // Organisations of the unit typed, for the requesting organisation's select.
  unitCode.addEventListener("change", () => void loadOrganisations());
  if (unitDefault) void loadOrganisations();

  const form = h(
    "form",
    { class: "register support-form", novalidate: true, "data-testid": "support-form", "aria-labelledby": "support-form-title" },
    h("h2", { id: "support-form-title" }, t("fileRequest")),
    summary,
    fields.field("topic", t("topic"), topic),
    fields.field("description", t("description"), description),
    fields.field("unitCode", t("unitCode"), unitCode, t("unitCodeHint")),
    fields.field("organisationId", t("requestingOrganisation"), organisation),
    fields.fieldset("wanted", t("wantedAreas"), ...boxes),
    weights.element,
    h("div", { class: "field" }, h("label", { class: "check", for: remote.id }, remote, t("remoteAllowed"))),
    fields.field("periodStart", t("periodStart"), start),
    fields.field("periodEnd", t("periodEndDay"), end),
    fields.field("expertsWanted", t("expertsWanted"), wantedCount),
    fields.field("urgency", t("urgency"), urgency),
    fields.field("contactEmail", t("contactEmail"), contact, t("contactEmailHint")),
    submit,
    done,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    fields.clear();
    done.hidden = true;
    const chosen = weights.chosen(form);
    const missing: { field: string; text: string }[] = [];
    chosen.forEach((w, i) => {
      fields.add(`wanted.${i}.weight`, w.control, w.message);
      if (!(w.weight > 0 && w.weight <= MAX_WEIGHT)) missing.push({ field: `wanted.${i}.weight`, text: t("weightRange", { max: MAX_WEIGHT }) });
    });
    for (const [name, control] of [
      ["topic", topic],
      ["unitCode", unitCode],
      ["organisationId", organisation],
      ["periodStart", start],
      ["periodEnd", end],
    ] as const) {
      if (!control.value.trim()) missing.push({ field: name, text: t("required") });
    }
    if (!chosen.length) missing.push({ field: "wanted", text: t("required") });
    if (missing.length) {
      fields.show(missing);
      return;
    }
    submit.disabled = true;
    void createSupportRequest({
      organisationId: organisation.value,
      unitCode: unitCode.value.trim(),
      topic: topic.value.trim(),
      description: description.value.trim() || null,
      wanted: chosen.map((w) => ({ code: w.code, weight: w.weight, mustHave: w.mustHave })),
      remoteAllowed: remote.checked,
      periodStart: start.value,
      periodEnd: end.value,
      expertsWanted: Number(wantedCount.value) || 1,
      urgency: urgency.value,
      contactEmail: contact.value.trim() || null,
    })
      .then((result) => {
        if (result.__typename === "SupportRequestPayload") {
          go("support", { id: result.request.id });
        } else if (result.__typename === "ValidationErrors") {
          fields.show(result.errors.map((x) => ({ field: x.field, text: serverText(x) })));
        } else {
          fields.show([{ field: result.field ?? "", text: result.message }]);
        }
      })
      .catch((error: Error) => fields.show([{ field: "", text: error.message }]))
      .finally(() => (submit.disabled = false));
  });
  form.addEventListener("change", (e) => {
    if ((e.target as HTMLInputElement).name === "wanted") weights.draw(form);
  });
  return form;
}

// The API's bound on a wanted area's weight (graph/support/requests.py MAX_WEIGHT).
const MAX_WEIGHT = 10;

interface ChosenArea {
  code: string;
  weight: number;
  mustHave: boolean;
  control: HTMLInputElement;
  message: HTMLElement;
}

// Each ticked area with its weight (how much it counts in the match, 1 by default) and whether
// candidates must have it: a table-like list under the picker, kept in the order the areas are
// listed, each control labelled with its area's name for screen readers.
class WantedWeights {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly rows = new Map<string, { row: HTMLElement; weight: HTMLInputElement; must: HTMLInputElement; message: HTMLElement }>();

  constructor() {
    this.list = h("div", { class: "wanted-weights" });
    this.element = h(
      "fieldset",
      { class: "weights", "data-testid": "wanted-weights", hidden: true },
      h("legend", {}, t("wantedWeights")),
      h("p", { class: "hint" }, t("wantedWeightsHint", { max: MAX_WEIGHT })),
      this.list,
    );
  }

  private row(code: string, label: string): { row: HTMLElement; weight: HTMLInputElement; must: HTMLInputElement; message: HTMLElement } {
    const found = this.rows.get(code);
    if (found) return found;
    const safe = code.replace(/[^A-Za-z0-9_-]/g, "_");
    const weight = h("input", { type: "number", min: "0.5", max: String(MAX_WEIGHT), step: "0.5", value: "1", inputmode: "decimal", id: `weight-${safe}`, "data-weight-for": code });
    const must = h("input", { type: "checkbox", checked: true, id: `must-${safe}`, "data-must-for": code });
    const message = h("p", { class: "field-error", id: `e-weight-${safe}`, hidden: true });
    const made = {
      row: h(
        "div",
        { class: "wanted-row", "data-code": code },
        h("span", { class: "wanted-name", id: `name-${safe}` }, label),
        h("label", { for: weight.id }, h("span", { class: "visually-hidden" }, `${label}: `), t("weight")),
        weight,
        h("label", { class: "check", for: must.id }, must, h("span", { class: "visually-hidden" }, `${label}: `), t("mustHaveShort")),
        message,
      ),
      weight,
      must,
      message,
    };
    this.rows.set(code, made);
    return made;
  }

  // Redrawn when a box is ticked or unticked; a row keeps its values while its box stays ticked.
  draw(form: HTMLElement): void {
    const ticked = [...form.querySelectorAll<HTMLInputElement>("input[name=wanted]:checked")];
    const rows = ticked.map((b) => this.row(b.value, expertiseLabel(b.value)).row);
    for (const code of [...this.rows.keys()]) if (!ticked.some((b) => b.value === code)) this.rows.delete(code);
    replace(this.list, ...rows);
    this.element.hidden = rows.length === 0;
  }

  chosen(form: HTMLElement): ChosenArea[] {
    this.draw(form);
    return [...form.querySelectorAll<HTMLInputElement>("input[name=wanted]:checked")].map((b) => {
      const r = this.row(b.value, expertiseLabel(b.value));
      return { code: b.value, weight: Number(r.weight.value), mustHave: r.must.checked, control: r.weight, message: r.message };
    });
  }
}

// --- one request ---------------------------------------------------------------------------------

function requestPage(root: HTMLElement, id: string): void {
  const title = h("h1", { "data-testid": "request-topic" }, t("navSupport"));
  const line = statusLine("request-line");
  const said = h("p", { role: "status", class: "said", "data-testid": "request-said" });
  const body = h("div", {});
  replace(root, h("p", {}, h("a", { href: "#/support" }, `← ${t("supportList")}`)), title, line, said, body);

  const load = async (): Promise<void> => {
    try {
      const [request] = await Promise.all([supportRequest(id), loadVocab()]);
      if (!request) {
        line.textContent = t("noResults");
        return;
      }
      const open = ["OPEN", "MATCHING", "ASSIGNED"].includes(request.status);
      const candidates = open ? await matchExperts(id) : [];
      title.textContent = request.topic;
      replace(body, ...drawRequest(request, candidates, act));
      line.textContent = `${t("updatedAt")} ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      line.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
      line.classList.add("error");
    }
  };

  // Runs one mutation, says what became of it, and draws the request again.
  const act = async (run: () => Promise<{ __typename: string }>, success: string, okKey: Key): Promise<void> => {
    said.classList.remove("error");
    said.textContent = t("loading");
    try {
      const result = await run();
      if (result.__typename === success) said.textContent = t(okKey);
      else {
        said.textContent = failureText(result);
        said.classList.add("error");
      }
    } catch (error) {
      said.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
      said.classList.add("error");
    }
    await load();
  };

  void load();
}

type Act = (run: () => Promise<{ __typename: string }>, success: string, okKey: Key) => Promise<void>;

function drawRequest(r: RequestDetail, candidates: Candidate[], act: Act): (HTMLElement | null)[] {
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, t("status")),
    h("dd", { "data-testid": "request-status", "data-status": r.status }, codeLabel(r.status)),
    h("dt", {}, t("urgency")),
    h("dd", {}, codeLabel(r.urgency)),
    h("dt", {}, t("supportPlace")),
    h("dd", {}, `${r.unit?.name ?? ""}${r.organisation ? ` · ${r.organisation.name}` : ""}`),
    h("dt", {}, t("supportPeriod")),
    h("dd", {}, `${formatDate(r.periodStart)} – ${formatDate(r.periodEnd)}`),
    h("dt", {}, t("wantedAreas")),
    h(
      "dd",
      { "data-testid": "request-wanted" },
      r.wanted
        .map((w) => `${expertiseLabel(w.code)} (${[`${t("weight").toLowerCase()} ${formatNumber(w.weight)}`, ...(w.mustHave ? [t("mustHaveShort")] : [])].join(", ")})`)
        .join("; "),
    ),
    h("dt", {}, t("expertsWanted")),
    h("dd", {}, `${r.expertsWanted}${r.remoteAllowed ? ` · ${t("remoteAllowed")}` : ""}`),
    r.description ? h("dt", {}, t("description")) : null,
    r.description ? h("dd", {}, r.description) : null,
    r.cancelReason ? h("dt", {}, t("cancelReason")) : null,
    r.cancelReason ? h("dd", {}, r.cancelReason) : null,
  );
  const proposed = new Set(r.engagements.map((g) => g.expert?.id));
  return [
    facts,
    h("h2", {}, t("engagements")),
    engagementTable(r.engagements, act),
    r.status === "DONE" || r.status === "CANCELLED" ? null : h("h2", {}, t("candidates")),
    r.status === "DONE" || r.status === "CANCELLED" ? null : candidateTable(r.id, candidates, proposed, act),
    endActions(r, act),
  ];
}

function engagementTable(rows: EngagementRow[], act: Act): HTMLElement {
  if (!rows.length) return h("p", { class: "status", "data-testid": "no-engagements" }, t("noEngagements"));
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "data", "data-testid": "engagements" },
      h("caption", {}, t("engagements")),
      h("thead", {}, h("tr", {}, ...(["expertName", "status", "feedback"] as Key[]).map((k) => h("th", { scope: "col" }, t(k))))),
      h(
        "tbody",
        {},
        ...rows.map((g) =>
          h(
            "tr",
            { "data-id": g.id, "data-status": g.status },
            h("th", { scope: "row" }, g.expert?.fullName ?? "—"),
            h("td", {}, codeLabel(g.status), g.declineReason ? h("span", { class: "hint" }, ` (${g.declineReason})`) : null),
            h("td", {}, g.status === "ACCEPTED" ? completeForm(g, act) : g.feedbackScore ? `${g.feedbackScore}/5${g.feedbackText ? ` · ${g.feedbackText}` : ""}` : ""),
          ),
        ),
      ),
    ),
  );
}

function completeForm(g: EngagementRow, act: Act): HTMLElement {
  const score = h("select", { id: `score-${g.id}`, "data-testid": "feedback-score" }, ...[5, 4, 3, 2, 1].map((n) => h("option", { value: n }, String(n))));
  const text = h("input", { type: "text", id: `text-${g.id}`, "data-testid": "feedback-text", autocomplete: "off" });
  const form = h(
    "form",
    { class: "complete", "data-testid": "complete-form" },
    h("label", { for: score.id }, t("feedbackScore")),
    score,
    h("label", { for: text.id }, t("feedbackText")),
    text,
    h("button", { type: "submit", class: "primary", "data-testid": "complete" }, t("completeEngagement")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void act(() => completeEngagement(g.id, Number(score.value), text.value.trim() || null), "EngagementPayload", "completed");
  });
  return form;
}

function candidateTable(requestId: string, rows: Candidate[], proposed: Set<string | undefined>, act: Act): HTMLElement {
  if (!rows.length) return h("p", { class: "status", "data-testid": "no-candidates" }, t("noCandidates"));
  const pct = (x: number): string => formatNumber(Math.round(x * 100));
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      { class: "data candidates", "data-testid": "candidates" },
      h("caption", {}, t("candidatesCaption")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("expertName")),
          h("th", { scope: "col" }, t("score")),
          ...PARTS.map(([, k]) => h("th", { scope: "col" }, t(k))),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("propose"))),
        ),
      ),
      h(
        "tbody",
        {},
        ...rows.map((c, i) => {
          const expertId = c.expert?.id;
          const button = h(
            "button",
            { type: "button", class: "primary", "data-testid": "propose", disabled: !expertId || proposed.has(expertId) },
            proposed.has(expertId) ? t("proposed") : t("propose"),
          );
          button.setAttribute("aria-label", `${t("propose")}: ${c.expert?.fullName ?? ""}`);
          button.addEventListener("click", () => {
            if (expertId) void act(() => proposeExpert(requestId, expertId), "EngagementPayload", "proposedSaid");
          });
          return h(
            "tr",
            { "data-expert-id": expertId ?? "", "data-rank": i + 1 },
            h("th", { scope: "row" }, c.expert?.fullName ?? "—", h("span", { class: "hint" }, ` ${codeLabel(c.proximity)}`)),
            h("td", { class: "num", "data-part": "score" }, pct(c.score)),
            ...PARTS.map(([part]) => h("td", { class: "num", "data-part": part }, pct(c.parts[part]))),
            h("td", {}, button),
          );
        }),
      ),
    ),
  );
}

function endActions(r: RequestDetail, act: Act): HTMLElement | null {
  if (r.status === "DONE" || r.status === "CANCELLED") return null;
  const close = h("button", { type: "button", class: "primary", "data-testid": "close-request", disabled: r.status !== "ASSIGNED" }, t("closeRequest"));
  close.addEventListener("click", () => void act(() => closeSupportRequest(r.id), "SupportRequestPayload", "closedSaid"));
  const reason = h("input", { type: "text", id: "cancel-reason", required: true, autocomplete: "off" });
  const cancel = h(
    "form",
    { class: "cancel", "data-testid": "cancel-form" },
    h("label", { for: reason.id }, t("cancelReason")),
    reason,
    h("button", { type: "submit", "data-testid": "cancel-request" }, t("cancelRequest")),
  );
  cancel.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!reason.value.trim()) {
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    void act(() => cancelSupportRequest(r.id, reason.value.trim()), "SupportRequestPayload", "cancelledSaid");
  });
  return h("section", { class: "end-actions" }, h("h2", {}, t("endRequest")), h("p", { class: "hint" }, t("closeHint")), close, cancel);
}
