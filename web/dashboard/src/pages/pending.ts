// Chờ duyệt / Pending: the experts waiting for a coordinator's review in their scope, the
// longest-waiting first, each with what the decision needs (is the e-mail confirmed? possibly
// the same person as another profile? who nominated them and why?), and the decision itself:
// verify, or reject with the reason the expert is sent. Several at once from the bar above the
// list. The server decides who may see and do this (api/policy.py); the page only asks.

import { claims } from "../gql";
import { currentRoute, h, replace } from "../dom";
import { codeLabel, expertiseLabel, fieldLabels, formatDate, formatNumber, t } from "../i18n";
import { labelled, statusLine } from "../controls";
import { pendingExperts, review, type PendingCount, type PendingExpert, type ReviewResult } from "../queries";
import { countryName, loadVocab, VIETNAM } from "../vocab";
import type { Page } from "./page";

const PAGE_SIZE = 20;
const REVIEWERS = new Set(["NATIONAL_COORDINATOR", "PROVINCIAL_COORDINATOR"]);

export function mayReview(): boolean {
  return REVIEWERS.has(claims()?.role ?? "");
}

export const pendingPage: Page = (root) => {
  if (!mayReview()) {
    replace(
      root,
      h("h2", {}, t("pendingTitle")),
      h("p", { class: "status", "data-testid": "pending-forbidden" }, t("pendingForbidden")),
    );
    return;
  }
  const national = claims()?.role === "NATIONAL_COORDINATOR";
  let province = national ? currentRoute().params.get("province") : null;

  const provinceSelect = h("select", { id: "province" });
  const total = statusLine("pending-total");
  const list = h("ul", { class: "pending", "data-testid": "pending-list" });
  const more = h("button", { type: "button", hidden: true }, t("more"));
  const selected = new Set<string>();

  // The bulk bar: what is selected, and one decision for all of it.
  const selectAll = h("input", { type: "checkbox", id: "select-all" });
  const count = h("span", { "data-testid": "selected-count", "aria-live": "polite" }, t("selectedCount", { n: 0 }));
  const bulkReason = h("input", { type: "text", id: "bulk-reason", maxlength: 2000 });
  const verifySelected = h("button", { type: "button", class: "primary", "data-testid": "verify-selected" }, t("verifySelected"));
  const rejectSelected = h("button", { type: "button", "data-testid": "reject-selected", class: "danger" }, t("rejectSelected"));
  const bulkSaid = h("p", { class: "status", "aria-live": "polite", "data-testid": "bulk-said" });
  const bulk = h(
    "section",
    { class: "bulk", "aria-label": t("selectAll") },
    h("label", { class: "check" }, selectAll, t("selectAll")),
    count,
    verifySelected,
    h("span", { class: "reason" }, ...labelled("bulkReason", bulkReason), rejectSelected),
    bulkSaid,
  );

  const paintCount = (): void => {
    count.textContent = t("selectedCount", { n: selected.size });
    const boxes = [...list.querySelectorAll<HTMLInputElement>("input.pick:not(:disabled)")];
    selectAll.checked = boxes.length > 0 && boxes.every((b) => b.checked);
  };

  replace(
    root,
    h("h2", {}, t("pendingTitle")),
    h("p", { class: "hint" }, t("pendingIntro")),
    national ? h("section", { class: "toolbar" }, ...labelled("province", provinceSelect)) : null,
    total,
    bulk,
    list,
    more,
  );

  const paintCounts = (counts: PendingCount[]): void => {
    const all = counts.reduce((sum, c) => sum + c.pending, 0);
    provinceSelect.replaceChildren(
      h("option", { value: "" }, t("allProvincesCount", { n: formatNumber(all) })),
      ...counts.map((c) =>
        h(
          "option",
          { value: c.province?.code ?? "", selected: c.province?.code === province },
          // The central unit's queue is the experts living abroad, reviewed nationally.
          `${c.province?.code === VIETNAM ? t("nationalLevel") : (c.province?.name ?? "?")} (${formatNumber(c.pending)})`,
        ),
      ),
    );
    // A province with nothing pending is not in the counts: still show it as chosen.
    if (province && !counts.some((c) => c.province?.code === province)) {
      provinceSelect.append(h("option", { value: province, selected: true }, `${province} (0)`));
    }
  };
  provinceSelect.addEventListener("change", () => {
    province = provinceSelect.value || null;
    history.replaceState(null, "", `#/pending${province ? `?province=${encodeURIComponent(province)}` : ""}`);
    void load(true);
  });

  let after: string | null = null;
  let generation = 0;
  const load = async (fresh: boolean): Promise<void> => {
    const mine = ++generation;
    if (fresh) after = null;
    try {
      const [{ page, counts }] = await Promise.all([pendingExperts(province, after, PAGE_SIZE), loadVocab()]);
      if (mine !== generation) return; // a newer choice of province answered first
      if (national) paintCounts(counts);
      total.textContent = t("pendingCount", { n: formatNumber(page.totalCount) });
      total.dataset.total = String(page.totalCount);
      if (fresh) {
        list.replaceChildren();
        selected.clear();
      }
      if (page.nodes.length === 0 && fresh) list.append(h("li", { class: "empty" }, t("noPending")));
      for (const e of page.nodes) list.append(item(e));
      after = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      bulk.hidden = page.totalCount === 0;
      paintCount();
    } catch (error) {
      total.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };
  more.addEventListener("click", () => void load(false));

  // Marks each decided profile in the list with what became of it; returns how many succeeded.
  const decide = async (ids: string[], reason: string | null): Promise<number> => {
    const outcome = await review(ids, reason);
    if (outcome.__typename !== "BulkReviewPayload") {
      const text = outcome.__typename === "NotAuthorized" ? outcome.message : outcome.errors.map((e) => e.message).join("; ");
      for (const id of ids) mark(id, text, false);
      return 0;
    }
    for (const { id, result } of outcome.items) mark(id, resultText(result, reason), result.__typename === "ExpertReviewPayload");
    return outcome.reviewed;
  };

  const mark = (id: string, text: string, done: boolean): void => {
    const li = list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"]`);
    if (!li) return;
    const said = li.querySelector<HTMLElement>(".said")!;
    said.textContent = text;
    said.className = done ? "said success" : "said status error";
    if (done) {
      // One fewer waiting: the count says so at once, without reloading the list.
      const left = Math.max(0, Number(total.dataset.total ?? "1") - 1);
      total.dataset.total = String(left);
      total.textContent = t("pendingCount", { n: formatNumber(left) });
      li.classList.add("decided");
      li.dataset.decided = "true";
      selected.delete(id);
      for (const control of li.querySelectorAll<HTMLButtonElement | HTMLInputElement>("button, input, textarea")) {
        control.disabled = true;
      }
      const pick = li.querySelector<HTMLInputElement>("input.pick");
      if (pick) pick.checked = false;
    }
  };

  const item = (e: PendingExpert): HTMLElement => {
    const pick = h("input", {
      type: "checkbox",
      class: "pick",
      id: `pick-${e.id}`,
      "aria-label": t("selectExpert", { name: e.fullName }),
    });
    pick.addEventListener("change", () => {
      if (pick.checked) selected.add(e.id);
      else selected.delete(e.id);
      paintCount();
    });
    const unconfirmed = e.emailState === "UNCONFIRMED";
    // A verified profile back in the queue because its expert changed public fields since.
    const changed = e.changedSinceVerification ?? [];
    const verify = h(
      "button",
      { type: "button", class: "primary", "data-action": "verify", disabled: unconfirmed },
      t(changed.length ? "acceptChanges" : "verify"),
    );
    const rejectOpen = h("button", { type: "button", "data-action": "reject", "aria-expanded": "false" }, t("reject"));
    const reasonBox = h("textarea", { id: `reason-${e.id}`, rows: 2, maxlength: 2000 });
    const rejectConfirm = h("button", { type: "button", class: "danger", "data-action": "reject-confirm" }, t("rejectConfirm"));
    const rejectCancel = h("button", { type: "button" }, t("cancel"));
    const rejectForm = h(
      "div",
      { class: "reject-form", hidden: true },
      h("label", { for: reasonBox.id }, t("reason")),
      reasonBox,
      h("span", { class: "actions" }, rejectConfirm, rejectCancel),
    );
    const said = h("p", { class: "said", role: "status", tabindex: -1 });

    const act = async (button: HTMLButtonElement, reason: string | null): Promise<void> => {
      button.disabled = true;
      said.className = "said status";
      said.textContent = t("working");
      try {
        await decide([e.id], reason);
      } catch (error) {
        mark(e.id, `${t("errorPrefix")}: ${(error as Error).message}`, false);
      } finally {
        if (!li.dataset.decided) button.disabled = button === verify && unconfirmed;
        said.focus();
        paintCount();
      }
    };
    verify.addEventListener("click", () => void act(verify, null));
    rejectOpen.addEventListener("click", () => {
      rejectForm.hidden = false;
      rejectOpen.setAttribute("aria-expanded", "true");
      reasonBox.focus();
    });
    rejectCancel.addEventListener("click", () => {
      rejectForm.hidden = true;
      rejectOpen.setAttribute("aria-expanded", "false");
      rejectOpen.focus();
    });
    rejectConfirm.addEventListener("click", () => {
      if (!reasonBox.value.trim()) {
        reasonBox.setAttribute("aria-invalid", "true");
        said.className = "said status error";
        said.textContent = t("reasonNeeded");
        reasonBox.focus();
        return;
      }
      reasonBox.removeAttribute("aria-invalid");
      void act(rejectConfirm, reasonBox.value.trim());
    });

    const duplicates = e.possibleDuplicates ?? [];
    const nominations = e.nominations ?? [];
    const li = h(
      "li",
      { "data-id": e.id, "data-email-state": e.emailState ?? "" },
      h(
        "div",
        { class: "head" },
        pick,
        h("h3", {}, h("a", { href: `#/experts/${encodeURIComponent(e.id)}` }, e.fullName)),
      ),
      h(
        "p",
        { class: "facts" },
        h("span", {}, e.affiliation),
        h("span", {}, e.province?.name ?? ""),
        e.abroad ? h("span", { "data-testid": "pending-country" }, `${t("abroad")}: ${countryName(e.country.code)}`) : null,
        h("span", {}, `${t("submittedAt")} ${formatDate(e.submittedAt)}`),
      ),
      h("p", { class: "tags" }, ...e.expertise.map((x) => h("span", { class: "tag" }, expertiseLabel(x)))),
      changed.length
        ? h(
            "p",
            { class: "changed", "data-testid": "changed-flag" },
            t("changedFlag", { fields: fieldLabels(changed) }),
            ` (${formatDate(e.changedSinceVerificationAt)})`,
          )
        : null,
      h(
        "p",
        { class: `email-state ${(e.emailState ?? "").toLowerCase()}`, "data-testid": "email-state" },
        t(e.emailState === "CONFIRMED" ? "emailConfirmed" : unconfirmed ? "emailUnconfirmed" : "emailNotRequired"),
        unconfirmed ? h("span", { class: "hint" }, ` ${t("unconfirmedHint")}`) : null,
      ),
      duplicates.length
        ? h(
            "div",
            { class: "duplicates", "data-testid": "duplicate-flag" },
            h("strong", {}, t("possibleDuplicates")),
            h(
              "ul",
              {},
              ...duplicates.map((d) =>
                h(
                  "li",
                  {},
                  h("a", { href: `#/experts/${encodeURIComponent(d.id)}` }, d.fullName),
                  ` — ${d.affiliation} (${codeLabel(d.status)})`,
                ),
              ),
            ),
          )
        : null,
      nominations.length
        ? h(
            "ul",
            { class: "nominations", "data-testid": "nominations" },
            ...nominations.map((n) =>
              h(
                "li",
                {},
                t("nominatedBy", { who: codeLabel(n.nominatorRole), date: formatDate(n.nominatedAt) }),
                n.reason ? h("q", {}, n.reason) : null,
              ),
            ),
          )
        : null,
      h("div", { class: "actions" }, verify, rejectOpen),
      rejectForm,
      said,
    );
    return li;
  };

  selectAll.addEventListener("change", () => {
    for (const box of list.querySelectorAll<HTMLInputElement>("input.pick:not(:disabled)")) {
      box.checked = selectAll.checked;
      const id = box.closest<HTMLElement>("li[data-id]")!.dataset.id!;
      if (box.checked) selected.add(id);
      else selected.delete(id);
    }
    paintCount();
  });

  const bulkAct = async (reason: string | null): Promise<void> => {
    const ids = [...selected];
    if (ids.length === 0) {
      bulkSaid.textContent = t("nothingSelected");
      return;
    }
    if (reason !== null && !reason) {
      bulkReason.setAttribute("aria-invalid", "true");
      bulkSaid.textContent = t("reasonNeeded");
      bulkReason.focus();
      return;
    }
    bulkReason.removeAttribute("aria-invalid");
    verifySelected.disabled = rejectSelected.disabled = true;
    bulkSaid.textContent = t("working");
    try {
      const ok = await decide(ids, reason);
      bulkSaid.textContent = t("bulkDone", { ok, n: ids.length });
    } catch (error) {
      bulkSaid.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    } finally {
      verifySelected.disabled = rejectSelected.disabled = false;
      paintCount();
    }
  };
  verifySelected.addEventListener("click", () => void bulkAct(null));
  rejectSelected.addEventListener("click", () => void bulkAct(bulkReason.value.trim()));

  void load(true);
};

function resultText(result: ReviewResult, reason: string | null): string {
  switch (result.__typename) {
    case "ExpertReviewPayload":
      return t(reason === null ? "verifiedDone" : "rejectedDone");
    case "ValidationErrors":
      return result.errors.map((e) => e.message).join("; ");
    default:
      return result.message;
  }
}
