// Hồ sơ của tôi / My profile: what a signed-in expert (#/sign-in) can do with their own data
// (Law 91/2025/QH15): see and correct the profile (updateMyProfile: a verified profile stays
// listed and goes back to the coordinators for a look at what changed), withdraw consent per
// purpose (with a confirm step: withdrawing a purpose registration needs erases everything),
// download everything held (exportMyData, as a JSON file) and see who read their personal data
// (myDataReads: role and place, never who). The server decides what this token may do; the page
// only asks.

import { currentRoute, h, replace, today } from "../dom";
import { Fields } from "../fields";
import { codeLabel, fieldLabels, formatDate, formatNumber, lang, t } from "../i18n";
import {
  exportMyData,
  me,
  myDataReads,
  notice,
  provinces,
  updateMyProfile,
  withdrawConsent,
  type DataRead,
  type MyProfile,
  type Notice,
  type Province,
} from "../queries";
import { residenceFields } from "../residence";
import {
  declareUnavailability,
  failureText,
  myEngagements,
  myUnavailability,
  removeUnavailability,
  respondToProposal,
  type MyEngagement,
  type UnavailablePeriod,
} from "../support";
import { areaCheckboxes, loadVocab } from "../vocab";
import type { Page } from "./page";
import { serverText } from "./register";
import { isExpert, signOutExpert } from "./signin";

const READS_PAGE = 20;

export const mePage: Page = (root) => {
  if (!isExpert()) {
    replace(
      root,
      h("h2", {}, t("meTitle")),
      h(
        "p",
        { class: "status", "data-testid": "me-signed-out" },
        t("meNeedsSignIn"),
        " ",
        h("a", { href: "#/sign-in" }, t("navSignInExpert")),
      ),
    );
    return;
  }
  replace(root, h("h2", {}, t("meTitle")), h("p", { class: "status" }, t("loading")));
  // A refused session moves the reader to #/sign-in while these are under way (pages/signin.ts):
  // then this page has nothing more to draw.
  const here = (): boolean => currentRoute().page === "me";
  void Promise.all([me(), notice(lang()), provinces(today()), loadVocab()]).then(
    ([mine, n, list]) => {
      if (!here()) return;
      if (!mine) {
        replace(root, h("h2", {}, t("meTitle")), h("p", { class: "status error" }, t("meNotFound")));
        return;
      }
      draw(root, mine, n, list);
    },
    (error: Error) => {
      if (here()) replace(root, h("h2", {}, t("meTitle")), h("p", { class: "status error" }, `${t("errorPrefix")}: ${error.message}`));
    },
  );
};

function draw(root: HTMLElement, mine: MyProfile, n: Notice, list: Province[]): void {
  const welcome = currentRoute().params.get("welcome");
  if (welcome) history.replaceState(null, "", "#/me");
  const state = h("div", { class: "me-state", "data-testid": "me-state", role: "status" });
  const paintState = (m: MyProfile): void => {
    const e = m.expert;
    const changed = e?.status === "VERIFIED" ? (e.changedSinceVerification ?? []) : [];
    state.dataset.status = e?.status ?? "";
    replace(
      state,
      h("p", {}, `${t("status")}: `, h("strong", {}, e ? codeLabel(e.status) : "—")),
      changed.length ? h("p", { class: "changed", "data-testid": "me-changed" }, t("meChanged", { fields: fieldLabels(changed) })) : null,
      e?.status === "PENDING" ? h("p", { class: "hint" }, t("mePending")) : null,
    );
  };
  paintState(mine);

  const download = h("button", { type: "button", class: "primary", "data-testid": "download-data" }, t("downloadData"));
  const downloadSaid = h("span", { class: "status", "aria-live": "polite" });
  download.addEventListener("click", () => void saveExport(download, downloadSaid));
  const signOut = h("button", { type: "button", "data-testid": "expert-sign-out" }, t("signOut"));
  signOut.addEventListener("click", signOutExpert);

  replace(
    root,
    h("h2", { tabindex: -1 }, t("meTitle")),
    welcome
      ? h(
          "p",
          { class: "success", role: "status", "data-testid": "me-welcome" },
          t(welcome === "confirmed" ? "welcomeConfirmed" : "welcome"),
        )
      : null,
    state,
    h("div", { class: "me-actions" }, download, signOut, downloadSaid),
    proposalsSection(),
    mine.expert && !mine.erasedAt ? unavailabilitySection(mine.expert.id) : null,
    mine.erasedAt ? h("p", { class: "status", "data-testid": "me-erased" }, t("meErased")) : profileForm(mine, list, paintState),
    mine.erasedAt ? null : consentsSection(mine, n),
    readsSection(),
  );
}

// --- the profile ------------------------------------------------------------------------------

function profileForm(mine: MyProfile, list: Province[], paintState: (m: MyProfile) => void): HTMLElement {
  const e = mine.expert;
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: -1, hidden: true });
  const fields = new Fields(summary);
  const fullName = h("input", { type: "text", autocomplete: "name", required: true, value: mine.fullName });
  const phone = h("input", { type: "tel", autocomplete: "tel", inputmode: "tel", value: mine.phone ?? "" });
  const affiliation = h("input", { type: "text", autocomplete: "organization", required: true, value: e?.affiliation ?? "" });
  const residence = residenceFields(fields, list, e?.country.code ?? "VN", e?.province?.code ?? null);
  const { country, province, abroad } = residence;
  const boxes = areaCheckboxes("expertise", new Set(e?.expertise ?? []));
  const submit = h("button", { type: "submit", class: "primary" }, t("saveProfile"));
  const said = h("p", { class: "status", "aria-live": "polite", "data-testid": "profile-said" });
  const form = h(
    "form",
    { class: "register", novalidate: true, "data-testid": "profile-form" },
    summary,
    fields.field("fullName", t("fullName"), fullName),
    h("div", { class: "field" }, h("span", { class: "label" }, t("email")), h("p", { class: "value", "data-testid": "me-email" }, mine.email ?? "")),
    fields.field("phone", t("phoneOptional"), phone, t("phoneRemoveHint")),
    fields.field("affiliation", t("affiliation"), affiliation),
    ...residence.elements,
    fields.fieldset("expertise", t("expertise"), ...boxes),
    h("p", { class: "hint" }, t("meEditHint")),
    submit,
    said,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fields.clear();
    said.textContent = "";
    const expertise = [...form.querySelectorAll<HTMLInputElement>('input[name="expertise"]')].filter((i) => i.checked).map((i) => i.value);
    const local = [
      fullName.value.trim() ? null : { field: "fullName", text: t("required") },
      affiliation.value.trim() ? null : { field: "affiliation", text: t("required") },
      expertise.length ? null : { field: "expertise", text: t("pickExpertise") },
      abroad() || province.value ? null : { field: "provinceCode", text: t("required") },
    ].filter((x): x is { field: string; text: string } => x !== null);
    if (local.length) {
      fields.show(local);
      return;
    }
    submit.disabled = true;
    said.className = "status";
    said.textContent = t("working");
    void updateMyProfile({
      fullName: fullName.value,
      phone: phone.value.trim(),
      affiliation: affiliation.value,
      countryCode: country.value,
      provinceCode: province.value,
      expertise,
    })
      .then((result) => {
        said.textContent = "";
        switch (result.__typename) {
          case "MyProfilePayload": {
            paintState(result.me);
            const changed = result.me.expert?.status === "VERIFIED" && (result.me.expert.changedSinceVerification ?? []).length > 0;
            said.className = "status ok";
            said.textContent = t(changed ? "savedForReview" : "saved");
            return;
          }
          case "ValidationErrors":
            fields.show(result.errors.map((x) => ({ field: x.field, text: serverText(x) })));
            return;
          case "ConflictError":
            fields.show([{ field: result.field, text: result.field === "phone" ? t("phoneTaken") : result.message }]);
            return;
          case "NotFoundError":
            fields.show([{ field: "provinceCode", text: t("invalidValue") }]);
            return;
          default:
            fields.show([{ field: "", text: result.message }]);
        }
      })
      .catch((error: Error) => {
        said.className = "status error";
        said.textContent = `${t("errorPrefix")}: ${error.message}`;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h("section", { "aria-labelledby": "profile-title" }, h("h3", { id: "profile-title" }, t("meProfileTitle")), form);
}

// --- consents ----------------------------------------------------------------------------------

function consentsSection(mine: MyProfile, n: Notice): HTMLElement {
  const granted = new Set(mine.consentedPurposes);
  const items = n.purposes.map((p) => {
    const li = h("li", { "data-purpose": p.purpose, "data-granted": String(granted.has(p.purpose)) });
    const said = h("p", { class: "status", role: "status", tabindex: -1 });
    const paint = (): void => {
      const on = granted.has(p.purpose);
      li.dataset.granted = String(on);
      const withdraw = h("button", { type: "button", "data-action": "withdraw", "aria-expanded": "false" }, t("withdraw"));
      const confirmBox = h(
        "div",
        { class: "confirm-withdraw", hidden: true, role: "group", "aria-label": t("withdraw") },
        // Read out as it appears; focus goes to Cancel, so Enter never erases by accident.
        h("p", { class: p.required ? "warning" : "hint", role: "alert" }, t(p.required ? "withdrawErases" : "withdrawOptional")),
        h(
          "span",
          { class: "actions" },
          h(
            "button",
            {
              type: "button",
              class: "danger",
              "data-action": "withdraw-confirm",
              onclick: (() => void confirm()) as EventListener,
            },
            t(p.required ? "withdrawAndErase" : "withdrawConfirm"),
          ),
          h(
            "button",
            {
              type: "button",
              onclick: (() => {
                confirmBox.hidden = true;
                withdraw.setAttribute("aria-expanded", "false");
                withdraw.focus();
              }) as EventListener,
            },
            t("cancel"),
          ),
        ),
      );
      withdraw.addEventListener("click", () => {
        confirmBox.hidden = false;
        withdraw.setAttribute("aria-expanded", "true");
        confirmBox.querySelectorAll<HTMLButtonElement>("button")[1]!.focus();
      });
      const confirm = async (): Promise<void> => {
        said.textContent = t("working");
        try {
          const result = await withdrawConsent(p.purpose);
          if (result.__typename !== "ConsentWithdrawn") {
            said.textContent = "message" in result ? result.message : t("invalidValue");
            return;
          }
          if (result.erased) {
            // Everything is erased: the page shows what is left.
            location.reload();
            return;
          }
          for (const x of result.purposes) granted.delete(x);
          paint();
          said.textContent = t("withdrawn");
          said.focus();
        } catch (error) {
          said.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
        }
      };
      replace(
        li,
        h("p", {}, p.text, " ", h("span", { class: "hint" }, t(p.required ? "consentRequired" : "consentOptional"))),
        h("p", { class: on ? "consent-on" : "consent-off" }, t(on ? "consentGiven" : "consentNotGiven")),
        on ? withdraw : null,
        on ? confirmBox : null,
        said,
      );
    };
    paint();
    return li;
  });
  return h(
    "section",
    { "aria-labelledby": "consents-title" },
    h("h3", { id: "consents-title" }, t("consentsTitle")),
    h("ul", { class: "consents", "data-testid": "consents" }, ...items),
  );
}

// --- download ------------------------------------------------------------------------------------

async function saveExport(button: HTMLButtonElement, said: HTMLElement): Promise<void> {
  button.disabled = true;
  said.textContent = t("working");
  try {
    const data = await exportMyData();
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: `du-lieu-cua-toi-${today()}.json`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    said.textContent = t("downloaded");
  } catch (error) {
    said.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
  } finally {
    button.disabled = false;
  }
}

// --- who read my data ------------------------------------------------------------------------------

function readsSection(): HTMLElement {
  const total = h("p", { class: "status", "aria-live": "polite", "data-testid": "reads-total" }, t("loading"));
  const list = h("ul", { class: "reads", "data-testid": "reads" });
  const more = h("button", { type: "button", hidden: true }, t("more"));
  let after: string | null = null;
  const load = async (): Promise<void> => {
    more.disabled = true;
    try {
      const page = await myDataReads(after, READS_PAGE);
      if (!page) return;
      total.textContent = page.totalCount ? t("readsCount", { n: formatNumber(page.totalCount) }) : t("noReads");
      total.dataset.total = String(page.totalCount);
      list.append(...page.nodes.map(readItem));
      after = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
    } catch (error) {
      total.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", () => void load());
  void load();
  return h(
    "section",
    { "aria-labelledby": "reads-title" },
    h("h3", { id: "reads-title" }, t("readsTitle")),
    h("p", { class: "hint" }, t("readsIntro")),
    total,
    list,
    more,
  );
}

function readItem(r: DataRead): HTMLElement {
  const when = new Date(r.at).toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB", { timeZone: "Asia/Ho_Chi_Minh" });
  return h(
    "li",
    { "data-role": r.role },
    h("time", { datetime: r.at }, when),
    h("span", { class: "who" }, codeLabel(r.role), " — ", r.scope ?? (r.role === "NATIONAL_COORDINATOR" ? t("national") : "—")),
    h("span", { class: "fields" }, t("readFields", { fields: fieldLabels(r.fields) })),
  );
}


// --- proposals (#15) ---------------------------------------------------------------------------

// The support requests a coordinator proposed the expert for (myEngagements), newest first: a
// proposal still open is accepted, or declined with a reason (the form asks for it first).
function proposalsSection(): HTMLElement {
  const list = h("ul", { class: "proposals", "data-testid": "my-proposals" });
  const said = h("p", { class: "status", role: "status", "data-testid": "proposal-said" });
  const section = h("section", { "aria-labelledby": "proposals-title" }, h("h3", { id: "proposals-title" }, t("myProposals")), said, list);
  const load = async (): Promise<void> => {
    try {
      const rows = await myEngagements();
      replace(list, ...(rows.length ? rows.map((g) => proposalItem(g, said, () => void load())) : [h("li", {}, t("noProposals"))]));
    } catch (error) {
      said.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };
  void load();
  return section;
}

function proposalItem(g: MyEngagement, said: HTMLElement, reload: () => void): HTMLElement {
  const r = g.request;
  const answer = async (accept: boolean, reason: string | null, okKey: "acceptedSaid" | "declinedSaid"): Promise<void> => {
    const result = await respondToProposal(g.id, accept, reason).catch((error: Error) => ({ __typename: "Error", message: error.message }));
    said.textContent = result.__typename === "EngagementPayload" ? t(okKey) : failureText(result);
    reload();
  };
  const item = h(
    "li",
    { "data-id": g.id, "data-status": g.status },
    h("strong", {}, r?.topic ?? "—"),
    h("span", { class: "hint" }, ` · ${codeLabel(g.status)}`),
    r ? h("p", {}, `${r.unit?.name ?? ""} · ${formatDate(r.periodStart)} – ${formatDate(r.periodEnd)}`) : null,
    r?.description ? h("p", {}, r.description) : null,
    g.declineReason ? h("p", { class: "hint" }, `${t("declineReason")}: ${g.declineReason}`) : null,
  );
  if (g.status !== "PROPOSED") return item;
  const accept = h("button", { type: "button", class: "primary", "data-testid": "accept-proposal" }, t("accept"));
  accept.addEventListener("click", () => void answer(true, null, "acceptedSaid"));
  const decline = h("button", { type: "button", "data-testid": "decline-proposal" }, t("decline"));
  const reason = h("input", { type: "text", id: `decline-${g.id}`, required: true, autocomplete: "off" });
  const error = h("p", { class: "field-error", id: `decline-error-${g.id}`, hidden: true }, t("required"));
  const form = h(
    "form",
    { class: "decline", hidden: true, "data-testid": "decline-form" },
    h("label", { for: reason.id }, t("declineReason")),
    reason,
    h("button", { type: "submit" }, t("sendDecline")),
    error,
  );
  decline.addEventListener("click", () => {
    form.hidden = false;
    reason.focus();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!reason.value.trim()) {
      error.hidden = false;
      reason.setAttribute("aria-invalid", "true");
      reason.setAttribute("aria-describedby", error.id);
      reason.focus();
      return;
    }
    void answer(false, reason.value.trim(), "declinedSaid");
  });
  item.append(h("div", { class: "me-actions" }, accept, decline), form);
  return item;
}

// --- unavailable periods (#15) -------------------------------------------------------------------

// The periods the expert said they cannot help in (matching ranks them lower for requests then):
// listed by start, each removable, and a form to add one (an end before the start is refused
// next to its field, by the API's own check).
function unavailabilitySection(expertId: string): HTMLElement {
  const list = h("ul", { class: "unavailable", "data-testid": "my-unavailability" });
  const said = h("p", { class: "status", role: "status", "data-testid": "unavailability-said" });
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: -1, hidden: true });
  const fields = new Fields(summary);
  const start = h("input", { type: "date", required: true, min: today() });
  const end = h("input", { type: "date", required: true, min: today() });
  const add = h("button", { type: "submit", class: "primary", "data-testid": "add-unavailability" }, t("addUnavailability"));
  const form = h(
    "form",
    { class: "register unavailability-form", novalidate: true, "aria-labelledby": "unavailability-title" },
    summary,
    fields.field("start", t("unavailableFrom"), start),
    fields.field("end", t("unavailableTo"), end),
    add,
  );
  const load = async (): Promise<void> => {
    try {
      const rows = await myUnavailability();
      replace(list, ...(rows.length ? rows.map((u) => periodItem(u)) : [h("li", {}, t("noUnavailability"))]));
    } catch (error) {
      said.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };
  const periodItem = (u: UnavailablePeriod): HTMLElement => {
    const text = `${formatDate(u.start)} – ${formatDate(u.end)}`;
    const remove = h("button", { type: "button", "data-testid": "remove-unavailability", "aria-label": `${t("removeUnavailability")}: ${text}` }, t("removeUnavailability"));
    remove.addEventListener("click", () => {
      remove.disabled = true;
      void removeUnavailability(u.id)
        .catch((error: Error) => ({ __typename: "Error", message: error.message }))
        .then((result) => {
          said.textContent = result.__typename === "UnavailabilityPayload" ? t("unavailabilityRemoved") : failureText(result);
          return load();
        })
        .then(() => (list.querySelector("button") ?? start).focus());
    });
    return h("li", { "data-id": u.id, "data-start": u.start, "data-end": u.end }, h("span", {}, text), " ", remove);
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    fields.clear();
    const missing = [
      ...(start.value ? [] : [{ field: "start", text: t("required") }]),
      ...(end.value ? [] : [{ field: "end", text: t("required") }]),
    ];
    if (missing.length) {
      fields.show(missing);
      return;
    }
    add.disabled = true;
    void declareUnavailability(expertId, start.value, end.value)
      .then((result) => {
        if (result.__typename === "UnavailabilityPayload") {
          said.textContent = t("unavailabilityAdded");
          start.value = "";
          end.value = "";
          return load();
        }
        if (result.__typename === "ValidationErrors") fields.show(result.errors.map((x) => ({ field: x.field, text: serverText(x) })));
        else fields.show([{ field: "", text: result.message }]);
        return undefined;
      })
      .catch((error: Error) => fields.show([{ field: "", text: error.message }]))
      .finally(() => (add.disabled = false));
  });
  void load();
  return h(
    "section",
    { "aria-labelledby": "unavailability-title", "data-testid": "unavailability" },
    h("h3", { id: "unavailability-title" }, t("myUnavailability")),
    h("p", { class: "hint" }, t("unavailabilityHint")),
    said,
    list,
    form,
  );
}
