// Links to the registry's CSV / Excel exports (GET /exports/{report}.{fmt}), with the same scope,
// date and options as the table on screen.

import { h } from "./dom";
import { t } from "./i18n";

export function exportButtons(report: "ranking" | "gaps" | "coverage", params: Record<string, string | null>): HTMLElement {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  const link = (fmt: "csv" | "xlsx", label: string): HTMLElement =>
    h("a", { class: "button", href: `/exports/${report}.${fmt}?${query}`, download: "", "data-testid": `export-${fmt}` }, label);
  return h("span", { class: "exports" }, link("csv", t("exportCsv")), link("xlsx", t("exportXlsx")));
}
