// The public self-registration page (`registerExpert`). The browser checks what it can before
// sending (required fields, the shape of an e-mail or phone, the consents the notice requires);
// the server checks everything again and its errors land next to the field they name. Every
// control has a label, errors are tied to their control (aria-describedby) and summarised at the
// top, and focus moves to the first field in error.

import { h, replace, today } from "../dom";
import { Fields } from "../fields";
import { lang, t, type Key } from "../i18n";
import { notice, provinces, registerExpert, type FieldError, type Notice } from "../queries";
import { residenceFields } from "../residence";
import { areaCheckboxes, loadVocab, VIETNAM } from "../vocab";
import type { Page } from "./page";

const NAME_MAX = 200;

// The server's error codes (graph/validation.py), said in the page's language.
const CODE_MESSAGES: Record<string, Key> = {
  REQUIRED: "required",
  TOO_LONG: "tooLong",
  INVALID_EMAIL: "invalidEmail",
  INVALID_PHONE: "invalidPhone",
  INVALID_CHARACTERS: "invalidCharacters",
  CONSENT_REQUIRED: "consentNeeded",
  OUTDATED_NOTICE: "outdatedNotice",
  NOT_IN_VOCABULARY: "invalidValue",
  INVALID_VALUE: "invalidValue",
};

export const registerPage: Page = (root) => {
  replace(root, h("p", { class: "status" }, t("loading")));
  void Promise.all([notice(lang()), provinces(today()), loadVocab()]).then(
    ([n, list]) => drawForm(root, n, list),
    (error: Error) => replace(root, h("p", { class: "status error" }, `${t("errorPrefix")}: ${error.message}`)),
  );
};

function drawForm(root: HTMLElement, n: Notice, list: { code: string; name: string }[]): void {
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: -1, hidden: true });
  const fields = new Fields(summary);
  const field = fields.field.bind(fields);
  const fieldset = fields.fieldset.bind(fields);

  const fullName = h("input", { type: "text", autocomplete: "name", maxlength: NAME_MAX * 2, required: true });
  const email = h("input", { type: "email", autocomplete: "email", required: true, inputmode: "email" });
  const phone = h("input", { type: "tel", autocomplete: "tel", inputmode: "tel" });
  const affiliation = h("input", { type: "text", autocomplete: "organization", required: true });
  const residence = residenceFields(fields, list, VIETNAM, null);
  const { country, province, abroad } = residence;
  const expertiseBoxes = areaCheckboxes("expertise", new Set());
  const consentBoxes = n.purposes.map((p) =>
    h(
      "div",
      { class: "consent" },
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name: "consent", value: p.purpose, "data-required": p.required }),
        `${p.text} ${t(p.required ? "consentRequired" : "consentOptional")}`,
      ),
      fields.message(`consents.${p.purpose}`),
    ),
  );
  // Focusable, so that focus moves to what happened (a keyboard user is not left on a hidden form).
  const done = h("div", { class: "success", role: "status", tabindex: -1, hidden: true, "data-testid": "register-success" });
  const submit = h("button", { type: "submit", class: "primary" }, t("submit"));
  const form = h(
    "form",
    { class: "register", novalidate: true, "data-testid": "register-form" },
    summary,
    field("fullName", t("fullName"), fullName),
    field("email", t("email"), email),
    field("phone", t("phoneOptional"), phone),
    field("affiliation", t("affiliation"), affiliation),
    ...residence.elements,
    fieldset("expertise", t("expertise"), ...expertiseBoxes),
    h(
      "section",
      { class: "notice" },
      h("h3", {}, t("consentTitle")),
      h("p", { "data-testid": "notice-text" }, n.text),
      ...consentBoxes,
    ),
    submit,
  );
  replace(root, h("h2", {}, t("registerTitle")), h("p", {}, t("registerIntro")), done, form);

  for (const p of n.purposes) {
    const box = consentBoxes.find((b) => b.querySelector(`input[value="${p.purpose}"]`))!;
    fields.add(`consents.${p.purpose}`, box.querySelector("input")!, box.querySelector(".field-error")!);
  }

  const clear = (): void => fields.clear();
  const show = (errors: { field: string; text: string }[]): void => fields.show(errors);

  const checked = (name: string): HTMLInputElement[] =>
    [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)].filter((i) => i.checked);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clear();
    const errors = localErrors();
    if (errors.length > 0) {
      show(errors);
      return;
    }
    void send();
  });

  const localErrors = (): { field: string; text: string }[] => {
    const errors: { field: string; text: string }[] = [];
    const need = (name: string, ok: boolean, key: Key): void => {
      if (!ok) errors.push({ field: name, text: t(key) });
    };
    need("fullName", fullName.value.trim() !== "", "required");
    need("fullName", fullName.value.trim().length <= NAME_MAX, "tooLong");
    need("email", email.value.trim() !== "", "required");
    if (email.value.trim()) need("email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim()), "invalidEmail");
    if (phone.value.trim()) {
      // Loosely: 9 or 10 digits after 0 or +84; the server applies the numbering plan.
      const digits = phone.value.replace(/[\s.()-]/g, "");
      need("phone", /^(\+84|0)\d{9,10}$/.test(digits), "invalidPhone");
    }
    need("affiliation", affiliation.value.trim() !== "", "required");
    need("provinceCode", abroad() || province.value !== "", "required");
    need("expertise", checked("expertise").length > 0, "pickExpertise");
    for (const box of form.querySelectorAll<HTMLInputElement>('input[name="consent"][data-required]')) {
      need(`consents.${box.value}`, box.checked, "consentNeeded");
    }
    // One message per field: the first reason.
    return errors.filter((e, i) => errors.findIndex((x) => x.field === e.field) === i);
  };

  const send = async (): Promise<void> => {
    submit.disabled = true;
    submit.textContent = t("submitting");
    try {
      const granted = new Set(checked("consent").map((i) => i.value));
      const result = await registerExpert({
        fullName: fullName.value,
        email: email.value,
        phone: phone.value.trim() || null,
        affiliation: affiliation.value,
        countryCode: country.value,
        provinceCode: province.value || null,
        expertise: checked("expertise").map((i) => i.value),
        noticeVersion: n.version,
        consents: n.purposes.map((p) => ({ purpose: p.purpose, granted: granted.has(p.purpose) })),
      });
      switch (result.__typename) {
        case "RegisterExpertSuccess":
          form.hidden = true;
          done.textContent = t("registered");
          done.dataset.expertId = result.expertId;
          done.hidden = false;
          done.focus();
          return;
        case "ValidationErrors":
          show(result.errors.map((e: FieldError) => ({ field: e.field, text: serverText(e) })));
          return;
        case "AlreadyRegistered":
          show([{ field: result.field, text: t("alreadyRegistered") }]);
          return;
        case "RateLimitedError":
          show([{ field: "", text: t("rateLimited", { s: result.retryAfterSeconds }) }]);
          return;
        case "NotFoundError":
          show([{ field: "provinceCode", text: t("invalidValue") }]);
          return;
      }
    } catch (error) {
      show([{ field: "", text: `${t("errorPrefix")}: ${(error as Error).message}` }]);
    } finally {
      submit.disabled = false;
      submit.textContent = t("submit");
    }
  };
}

export function serverText(e: FieldError): string {
  const key = CODE_MESSAGES[e.code];
  return key ? t(key) : e.message;
}
