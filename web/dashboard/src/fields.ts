// Labelled form fields whose errors (the browser's or the server's) land next to them: each
// message is tied to its control (aria-describedby), summarised at the top, and focus moves to
// the first field in error. The registration form and My profile share it.

import { h, replace } from "./dom";
import { t } from "./i18n";

interface Slot {
  control: HTMLElement;
  message: HTMLElement;
}

export interface FieldError {
  field: string;
  text: string;
}

export class Fields {
  private readonly slots = new Map<string, Slot>();

  // `summary`: where the errors are counted and those of fields without a control are said.
  constructor(readonly summary: HTMLElement) {}

  field(name: string, label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
    control.id = `f-${name}`;
    control.setAttribute("name", name);
    const message = this.message(name);
    this.slots.set(name, { control, message });
    return h(
      "div",
      { class: "field" },
      h("label", { for: control.id }, label),
      control,
      hint ? h("p", { class: "hint" }, hint) : null,
      message,
    );
  }

  fieldset(name: string, legend: string, ...boxes: HTMLElement[]): HTMLElement {
    const message = this.message(name);
    const set = h("fieldset", { id: `f-${name}`, tabindex: -1 }, h("legend", {}, legend), ...boxes, message);
    this.slots.set(name, { control: set, message });
    return set;
  }

  // A control drawn elsewhere (a consent box) with its own message element.
  add(name: string, control: HTMLElement, message: HTMLElement): void {
    this.slots.set(name, { control, message });
  }

  message(name: string): HTMLElement {
    return h("p", { class: "field-error", id: `e-${name}`, "data-error-for": name, hidden: true });
  }

  clear(): void {
    for (const { control, message } of this.slots.values()) {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
      message.hidden = true;
      message.textContent = "";
    }
    this.summary.hidden = true;
  }

  show(errors: FieldError[]): void {
    const slot = (field: string): Slot | undefined => this.slots.get(field) ?? this.slots.get(field.split(".")[0]!);
    for (const e of errors) {
      const s = slot(e.field);
      if (!s) continue;
      s.control.setAttribute("aria-invalid", "true");
      s.control.setAttribute("aria-describedby", s.message.id);
      s.message.textContent = e.text;
      s.message.hidden = false;
    }
    // Errors for fields the form has no control for are still shown, in the summary.
    const unplaced = errors.filter((e) => !slot(e.field));
    replace(this.summary, h("p", {}, t("fixErrors")), ...unplaced.map((e) => h("p", {}, e.field ? `${e.field}: ${e.text}` : e.text)));
    this.summary.hidden = false;
    const first = errors.map((e) => this.slots.get(e.field)).find(Boolean);
    (first?.control ?? this.summary).focus();
  }
}
