// A line chart of ratios over dates, drawn as SVG here (no chart library to bundle): one line per
// series, the target's threshold as a dashed line and its deadline as a dotted one. The SVG is
// an image with a spoken summary; the figures themselves are in a table beside it (trendTable).

import { h, s } from "./dom";
import { formatDate, formatPercent, t } from "./i18n";

export interface Line {
  name: string;
  cls: string; // the CSS class that colours it (app.css: .line-national, .line-province)
  points: [string, number | null][]; // ISO date, ratio
}

export interface TrendSpec {
  title: string;
  lines: Line[];
  // The target's line and deadline; a figure without a target (the teams' activity) has none.
  threshold?: number;
  deadline?: string;
}

const W = 560;
const H = 220;
const PAD = { left: 44, right: 12, top: 14, bottom: 30 };

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

export function trendChart(spec: TrendSpec): SVGSVGElement {
  const dates = [...spec.lines.flatMap((l) => l.points.map((p) => day(p[0]))), ...(spec.deadline ? [day(spec.deadline)] : [])];
  const start = Math.min(...dates);
  const span = Math.max(Math.max(...dates) - start, 1);
  const values = spec.lines.flatMap((l) => l.points.map((p) => p[1] ?? 0));
  const top = Math.max(spec.threshold ?? 0, ...values, 0.01);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (iso: string): number => PAD.left + (plotW * (day(iso) - start)) / span;
  const y = (v: number): number => PAD.top + plotH * (1 - v / top);

  const summary =
    spec.threshold === undefined || spec.deadline === undefined
      ? `${spec.title}.`
      : `${spec.title}. ${t("targetLine", { value: formatPercent(spec.threshold) })}, ${t("deadlineLine", { date: formatDate(spec.deadline) })}.`;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary, class: "trend", "data-testid": "trend-chart" });
  for (const tick of [0, top / 2, top]) {
    svg.append(
      s("line", { x1: PAD.left, x2: W - PAD.right, y1: y(tick), y2: y(tick), class: "grid" }),
      s("text", { x: PAD.left - 4, y: y(tick) + 4, "text-anchor": "end", class: "tick" }, formatPercent(tick)),
    );
  }
  if (spec.threshold !== undefined && spec.deadline !== undefined) {
    const ty = y(spec.threshold);
    const dx = x(spec.deadline);
    svg.append(
      s("line", { x1: PAD.left, x2: W - PAD.right, y1: ty, y2: ty, class: "target-line", "data-testid": "target-line" }),
      s("text", { x: W - PAD.right, y: ty - 4, "text-anchor": "end", class: "target-label" }, t("targetLine", { value: formatPercent(spec.threshold) })),
      s("line", { x1: dx, x2: dx, y1: PAD.top, y2: PAD.top + plotH, class: "deadline-line", "data-testid": "deadline-line" }),
      s("text", { x: dx, y: H - 8, "text-anchor": dx > W - 70 ? "end" : dx < PAD.left + 70 ? "start" : "middle", class: "tick" }, t("deadlineLine", { date: formatDate(spec.deadline) })),
    );
  }
  for (const line of spec.lines) {
    const known = line.points.filter((p): p is [string, number] => p[1] !== null);
    if (known.length === 0) continue;
    svg.append(
      s("polyline", { points: known.map(([d, v]) => `${x(d)},${y(v)}`).join(" "), class: `line ${line.cls}`, "data-series": line.name }),
      ...known.map(([d, v]) => s("circle", { cx: x(d), cy: y(v), r: 3, class: line.cls })),
    );
  }
  return svg;
}

// The chart's figures as a table: what a screen reader (or anyone wanting numbers) reads.
export function trendTable(spec: TrendSpec): HTMLElement {
  const dates = [...new Set(spec.lines.flatMap((l) => l.points.map((p) => p[0])))].sort();
  const valueOf = (line: Line, d: string): string => {
    const found = line.points.find((p) => p[0] === d);
    return found ? formatPercent(found[1]) : "—";
  };
  return h(
    "details",
    { class: "chart-data" },
    h("summary", {}, t("chartData")),
    h(
      "table",
      { class: "data" },
      h("caption", {}, spec.title),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("periodEnd")), ...spec.lines.map((l) => h("th", { scope: "col" }, l.name)))),
      h(
        "tbody",
        {},
        ...dates.map((d) => h("tr", {}, h("th", { scope: "row" }, formatDate(d)), ...spec.lines.map((l) => h("td", { class: "num" }, valueOf(l, d))))),
      ),
    ),
  );
}

// The legend: which colour is which line.
export function legend(lines: Line[]): HTMLElement {
  return h("p", { class: "legend" }, ...lines.map((l) => h("span", { class: `key ${l.cls}` }, l.name)));
}
