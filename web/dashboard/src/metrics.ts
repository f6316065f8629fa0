// The metrics a coordinator colours the map by, computed from `coverage` figures exactly as the
// API's `provinceRanking` defines them, and the colour classes of the legend.

import { formatNumber, formatPercent, t, type Key } from "./i18n";
import type { Figures } from "./queries";

export type MetricId =
  | "TEAM_COVERAGE"
  | "FOCAL_POINT_COVERAGE"
  | "EXPERTS_PER_100_COMMUNES"
  | "CDS_STAFF_RATIO"
  | "ACTIVE_TEAM_SHARE"
  | "HOUSEHOLDS_HELPED_PER_COMMUNE"
  | "ANSWERED_SHARE"
  | "OPEN_REQUESTS"
  | "MEDIAN_HOURS_TO_FIRST_ACCEPT";

export interface Metric {
  id: MetricId;
  label: Key;
  value: (f: Figures) => number | null;
  format: (v: number | null) => string;
  // Lower bounds of the colour classes, ascending; the first is the minimum.
  breaks: number[];
}

const RATIO_BREAKS = [0, 0.2, 0.4, 0.6, 0.8];

export const METRICS: Metric[] = [
  {
    id: "TEAM_COVERAGE",
    label: "metricTeams",
    value: (f) => f.teamCoverage,
    format: formatPercent,
    breaks: RATIO_BREAKS,
  },
  {
    id: "FOCAL_POINT_COVERAGE",
    label: "metricFocal",
    value: (f) => f.focalPointCoverage,
    format: formatPercent,
    breaks: RATIO_BREAKS,
  },
  {
    id: "EXPERTS_PER_100_COMMUNES",
    label: "metricExperts",
    value: (f) => (f.communes > 0 ? (100 * f.verifiedExperts) / f.communes : null),
    format: (v) => (v === null ? t("noData") : formatNumber(Math.round(v * 10) / 10)),
    breaks: [0, 1, 5, 10, 20],
  },
  {
    id: "CDS_STAFF_RATIO",
    label: "metricStaff",
    value: (f) => f.cdsStaffRatio,
    format: formatPercent,
    breaks: [0, 0.01, 0.02, 0.05, 0.1],
  },
  {
    // Teams that reported within the last N days (the API's activeTeams / teams).
    id: "ACTIVE_TEAM_SHARE",
    label: "metricActive",
    value: (f) => f.activeTeamShare,
    format: formatPercent,
    breaks: RATIO_BREAKS,
  },
  {
    id: "HOUSEHOLDS_HELPED_PER_COMMUNE",
    label: "metricHouseholds",
    value: (f) => (f.communes > 0 ? f.householdsHelped / f.communes : null),
    format: (v) => (v === null ? t("noData") : formatNumber(Math.round(v * 10) / 10)),
    breaks: [0, 10, 50, 100, 200],
  },
  // The request side of coverage (#15): provinceRanking puts the highest share first, the most
  // open requests first and the shortest median first.
  {
    id: "ANSWERED_SHARE",
    label: "metricAnswered",
    value: (f) => f.answeredShare,
    format: formatPercent,
    breaks: RATIO_BREAKS,
  },
  {
    id: "OPEN_REQUESTS",
    label: "metricOpenRequests",
    value: (f) => f.openRequests,
    format: (v) => (v === null ? t("noData") : formatNumber(v)),
    breaks: [0, 1, 3, 5, 10],
  },
  {
    id: "MEDIAN_HOURS_TO_FIRST_ACCEPT",
    label: "metricMedianHours",
    value: (f) => f.medianHoursToFirstAccept,
    format: (v) => (v === null ? t("noData") : t("hours", { n: formatNumber(Math.round(v * 10) / 10) })),
    breaks: [0, 24, 72, 168, 336],
  },
];

export function metric(id: string | null): Metric {
  return METRICS.find((m) => m.id === id) ?? METRICS[0]!;
}

// A sequential palette readable by people with colour-vision deficiencies (ColorBrewer YlGnBu),
// with a neutral grey for "no data" so a gap is never mistaken for a low value.
export const PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
export const NO_DATA = "#d9d9d9";

export function colourClass(m: Metric, value: number | null): number {
  if (value === null) return -1;
  let cls = 0;
  m.breaks.forEach((b, i) => {
    if (value >= b) cls = i;
  });
  return cls;
}

export function colour(m: Metric, value: number | null): string {
  const cls = colourClass(m, value);
  return cls < 0 ? NO_DATA : PALETTE[cls]!;
}
