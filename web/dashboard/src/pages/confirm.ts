// The page the confirmation mail's link opens (/confirm-email?token=… redirects to
// #/confirm?token=…): it confirms at once and says what happens next. An expired, replaced or
// broken link says so and offers a new mail; the 8-character code from the mail is accepted
// too, for whoever reads the mail on another device. The token leaves the address as soon as it
// is read, so it stays in neither the history nor a bookmark.

import { currentRoute, h, replace } from "../dom";
import { t, type Key } from "../i18n";
import { confirmEmail, confirmEmailWithCode, resendConfirmation, type ConfirmResult } from "../queries";
import type { Page } from "./page";

const LINK_PROBLEMS: Record<string, Key> = {
  EXPIRED: "linkExpired",
  REPLACED: "linkReplaced",
  INVALID: "linkInvalid",
};
const CODE_PROBLEMS: Record<string, Key> = {
  EXPIRED: "codeExpired",
  REPLACED: "linkReplaced",
  INVALID: "codeWrong",
};

// The last answer, kept for this document: switching the language redraws the page, and the
// token is no longer in the address to ask again.
let last: { outcome: ConfirmResult; problems: Record<string, Key> } | null = null;

export const confirmPage: Page = (root) => {
  const token = currentRoute().params.get("token");
  if (token) history.replaceState(null, "", "#/confirm");

  const result = h("div", { "data-testid": "confirm-result", role: "status", tabindex: -1, hidden: true });
  const codeForm = emailForm("code", t("codeTitle"), t("codeIntro"), t("confirmButton"), true);
  const resendForm = emailForm("resend", t("resendTitle"), t("resendIntro"), t("resendButton"), false);
  replace(root, h("h2", {}, t("confirmTitle")), result, codeForm.section, resendForm.section);

  // What the page says after a link or a code: confirmed (now or before), or why not.
  const show = (outcome: ConfirmResult, problems: Record<string, Key>, focus = true): void => {
    last = { outcome, problems };
    result.hidden = false;
    if (outcome.__typename === "EmailConfirmed") {
      result.className = "success";
      result.dataset.outcome = outcome.alreadyConfirmed ? "already" : "confirmed";
      replace(
        result,
        h("p", {}, t(outcome.alreadyConfirmed ? "confirmedAlready" : "confirmedNow")),
        h("p", { class: "next" }, t("whatNext")),
      );
      codeForm.section.hidden = true;
      resendForm.section.hidden = true;
    } else if (outcome.__typename === "InvalidConfirmation") {
      result.className = "error-summary";
      result.dataset.outcome = outcome.problem.toLowerCase();
      replace(result, h("p", {}, t(problems[outcome.problem] ?? "linkInvalid")), h("p", {}, t("askNewMail")));
      resendForm.section.classList.add("offered");
    } else if (outcome.__typename === "RateLimitedError") {
      result.className = "error-summary";
      result.dataset.outcome = "limited";
      replace(result, h("p", {}, t("rateLimited", { s: outcome.retryAfterSeconds })));
    } else {
      result.className = "error-summary";
      result.dataset.outcome = "invalid-input";
      replace(result, h("p", {}, t("invalidEmail")));
    }
    if (focus) result.focus();
  };

  codeForm.onSubmit(async (email, code) => {
    show(await confirmEmailWithCode(email, code), CODE_PROBLEMS);
    // A code that did not work: the new mail goes to the address just typed, unless changed.
    if (!resendForm.email.value) resendForm.email.value = email;
  });
  resendForm.onSubmit(async (email) => {
    const outcome = await resendConfirmation(email);
    resendForm.say(
      outcome.__typename === "ConfirmationMailRequested"
        ? t("resendDone")
        : outcome.__typename === "RateLimitedError"
          ? t("rateLimited", { s: outcome.retryAfterSeconds })
          : t("invalidEmail"),
      outcome.__typename === "ConfirmationMailRequested",
    );
  });

  if (!token && last) show(last.outcome, last.problems, false);
  if (token) {
    result.hidden = false;
    result.className = "status";
    result.textContent = t("confirming");
    void confirmEmail(token).then(
      (outcome) => show(outcome, LINK_PROBLEMS),
      (error: Error) => {
        result.className = "error-summary";
        result.textContent = `${t("errorPrefix")}: ${error.message}`;
      },
    );
  }
};

export interface EmailForm {
  section: HTMLElement;
  email: HTMLInputElement;
  onSubmit(send: (email: string, code: string) => Promise<void>): void;
  say(text: string, ok: boolean): void;
}

// A small form: the address (and the code, for the code form), a button, and a line that says
// what happened, read out politely. Also the expert sign-in page's (pages/signin.ts).
export function emailForm(id: string, title: string, intro: string, button: string, withCode: boolean): EmailForm {
  const email = h("input", {
    type: "email",
    id: `${id}-email`,
    name: "email",
    autocomplete: "email",
    inputmode: "email",
    required: true,
  });
  const code = withCode
    ? h("input", {
        type: "text",
        id: `${id}-code`,
        name: "code",
        autocomplete: "one-time-code",
        autocapitalize: "characters",
        spellcheck: false,
        maxlength: 16,
        required: true,
        "aria-describedby": `${id}-code-hint`,
      })
    : null;
  const submit = h("button", { type: "submit", class: "primary" }, button);
  const said = h("p", { class: "status", "aria-live": "polite", "data-testid": `${id}-said` });
  const form = h(
    "form",
    { class: "register", novalidate: true, "data-testid": `${id}-form` },
    h("div", { class: "field" }, h("label", { for: email.id }, t("email")), email),
    code
      ? h(
          "div",
          { class: "field" },
          h("label", { for: code.id }, t("code")),
          code,
          h("p", { class: "hint", id: `${id}-code-hint` }, t("codeHint")),
        )
      : null,
    submit,
    said,
  );
  const section = h(
    "section",
    { class: `confirm-${id}`, "aria-labelledby": `${id}-title` },
    h("h3", { id: `${id}-title` }, title),
    h("p", { class: "hint" }, intro),
    form,
  );
  const say = (text: string, ok: boolean): void => {
    said.textContent = text;
    said.className = ok ? "status ok" : "status error";
  };
  return {
    section,
    email,
    say,
    onSubmit(send) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!email.value.trim() || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) {
          say(t(email.value.trim() ? "invalidEmail" : "required"), false);
          email.setAttribute("aria-invalid", "true");
          email.focus();
          return;
        }
        email.removeAttribute("aria-invalid");
        if (code && !code.value.trim()) {
          say(t("required"), false);
          code.focus();
          return;
        }
        submit.disabled = true;
        said.textContent = t("working");
        said.className = "status";
        send(email.value.trim(), code?.value ?? "")
          .catch((error: Error) => say(`${t("errorPrefix")}: ${error.message}`, false))
          .finally(() => {
            submit.disabled = false;
            if (said.textContent === t("working")) said.textContent = "";
          });
      });
    },
  };
}
