// The province ranking for a metric (as `provinceRanking` computes it), sortable by any column.

import { currentRoute, go, h, replace, today } from "../dom";
import { exportButtons } from "../exports";
import { formatNumber, t, type Key } from "../i18n";
import { watch } from "../live";
import { metric } from "../metrics";
import { dateInput, labelled, metricSelect, statusLine, toolbar } from "../controls";
import { ranking, type ProvinceRank } from "../queries";
import type { Page } from "./page";

type Column = "rank" | "province" | "value" | "numerator" | "denominator";

const COLUMNS: [Column, Key, (r: ProvinceRank) => number | string][] = [
  ["rank", "rank", (r) => r.rank],
  ["province", "province", (r) => r.province.name],
  ["value", "value", (r) => r.value ?? -1],
  ["numerator", "numerator", (r) => r.numerator],
  ["denominator", "denominator", (r) => r.denominator],
];

export const rankingsPage: Page = (root) => {
  const route = currentRoute();
  const asOf = route.params.get("asOf") || today();
  const chosen = metric(route.params.get("metric"));
  let sortBy: Column = "rank";
  let ascending = true;
  let rows: ProvinceRank[] = [];

  const date = dateInput(asOf);
  const metricChoice = metricSelect(chosen);
  const change = (): void => go("rankings", { asOf: date.value || null, metric: metricChoice.value });
  date.addEventListener("change", change);
  metricChoice.addEventListener("change", change);

  const table = h("table", { class: "data", "data-testid": "ranking-table" });
  const status = statusLine();
  replace(
    root,
    toolbar(
      ...labelled("date", date),
      ...labelled("metric", metricChoice),
      exportButtons("ranking", { metric: chosen.id, asOf }),
    ),
    status,
    table,
  );

  const draw = (): void => {
    const key = COLUMNS.find((c) => c[0] === sortBy)![2];
    const sorted = [...rows].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const order = typeof x === "string" ? x.localeCompare(String(y), "vi") : x - (y as number);
      return ascending ? order : -order;
    });
    replace(
      table,
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...COLUMNS.map(([col, label]) => {
            const button = h("button", { type: "button", class: "sort", "data-sort": col }, t(label));
            button.addEventListener("click", () => {
              ascending = sortBy === col ? !ascending : col !== "value";
              sortBy = col;
              draw();
            });
            const sort = sortBy === col ? (ascending ? "ascending" : "descending") : "none";
            return h("th", { scope: "col", "aria-sort": sort }, button);
          }),
        ),
      ),
      h(
        "tbody",
        {},
        ...sorted.map((r) =>
          h(
            "tr",
            { "data-code": r.province.code },
            h("td", { class: "num" }, r.rank),
            h("td", {}, h("a", { href: `#/map?scope=${r.province.code}&asOf=${asOf}&metric=${chosen.id}` }, r.province.name)),
            h("td", { class: "num", "data-value": r.value === null ? "" : String(r.value) }, chosen.format(r.value)),
            h("td", { class: "num" }, formatNumber(r.numerator)),
            h("td", { class: "num" }, formatNumber(r.denominator)),
          ),
        ),
      ),
    );
  };

  const load = async (): Promise<void> => {
    try {
      rows = await ranking(chosen.id, asOf);
      status.textContent = `${t("updatedAt")} ${new Date().toLocaleTimeString()}`;
      draw();
    } catch (error) {
      status.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };
  void load();
  return watch(null, () => void load());
};
