// The toolbar controls the pages share: a date, a metric, each with its label.

import { h } from "./dom";
import { t, type Key } from "./i18n";
import { METRICS, type Metric } from "./metrics";

type Control = HTMLInputElement | HTMLSelectElement;

export function labelled(label: Key, control: Control): [HTMLElement, Control] {
  return [h("label", { for: control.id }, t(label)), control];
}

export function dateInput(value: string): HTMLInputElement {
  return h("input", { type: "date", id: "asOf", value, max: "2100-12-31" });
}

export function metricSelect(chosen: Metric): HTMLSelectElement {
  return h(
    "select",
    { id: "metric" },
    ...METRICS.map((m) => h("option", { value: m.id, selected: m.id === chosen.id }, t(m.label))),
  );
}

export function toolbar(...controls: (Node | null)[]): HTMLElement {
  return h("section", { class: "toolbar" }, ...controls);
}

// Where a page says it is loading, when it last updated, or what went wrong; read out politely.
export function statusLine(testid?: string): HTMLElement {
  return h("p", { class: "status", "aria-live": "polite", "data-testid": testid ?? null }, t("loading"));
}
