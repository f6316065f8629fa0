// A map drawn from the units' own coordinates, with no tile server and no boundary files: each
// unit gets its Voronoi cell around its centre, cut by a disc so that the cells hug the land the
// points cover instead of filling the sea. The disc's radius follows the local spacing of the
// points, so dense city wards stay small and mountain communes large.

import { Delaunay } from "d3-delaunay";

export interface Placed {
  code: string;
  lat: number;
  lon: number;
}

export interface Cell {
  code: string;
  path: string;
  cx: number;
  cy: number;
}

type Pt = [number, number];

const DISC_SIDES = 40;
// A lone unit's disc is at most this many typical spacings wide (islands stay islands).
const DISC_MAX = 2.5;

export function cells(units: Placed[], width: number, height: number, pad = 6): Cell[] {
  if (units.length === 0) return [];
  // Equirectangular, scaled by the cosine of the mean latitude: shapes stay right at Vietnam's
  // size, and no projection library is needed.
  const lat0 = units.reduce((a, u) => a + u.lat, 0) / units.length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const raw: Pt[] = units.map((u) => [u.lon * k, -u.lat]);
  const rawDelaunay = Delaunay.from(raw);
  const rawSpacing = raw.map((p, i) => nearestNeighbour(rawDelaunay, raw, i, p));
  const rawTypical = median(rawSpacing.filter((d) => Number.isFinite(d)), 0.5);
  // Room around the outermost points for their discs, so no cell is cut by the frame.
  const margin = rawTypical * DISC_MAX;
  const xs = raw.map((p) => p[0]);
  const ys = raw.map((p) => p[1]);
  const minX = Math.min(...xs) - margin;
  const minY = Math.min(...ys) - margin;
  const spanX = Math.max(...xs) + margin - minX;
  const spanY = Math.max(...ys) + margin - minY;
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  const pts: Pt[] = raw.map(([x, y]) => [offX + (x - minX) * scale, offY + (y - minY) * scale]);
  const typical = rawTypical * scale;

  if (pts.length === 1) {
    const [p] = pts as [Pt];
    return [{ code: units[0]!.code, path: polygonPath(disc(p, Math.min(width, height) / 3)), cx: p[0], cy: p[1] }];
  }
  const voronoi = Delaunay.from(pts).voronoi([0, 0, width, height]);
  return pts.map((p, i) => {
    const polygon = (voronoi.cellPolygon(i) ?? []) as Pt[];
    const local = Number.isFinite(rawSpacing[i]!) ? rawSpacing[i]! * scale : typical;
    const radius = Math.min(Math.max(local * 1.1, typical * 0.6), typical * DISC_MAX);
    const clipped = clipConvex(polygon, disc(p, radius));
    return { code: units[i]!.code, path: polygonPath(clipped), cx: p[0], cy: p[1] };
  });
}

function nearestNeighbour(delaunay: Delaunay<Pt>, pts: Pt[], i: number, p: Pt): number {
  let best = Infinity;
  for (const j of delaunay.neighbors(i)) {
    const q = pts[j]!;
    best = Math.min(best, Math.hypot(q[0] - p[0], q[1] - p[1]));
  }
  return best;
}

function median(values: number[], fallback: number): number {
  if (values.length === 0) return fallback;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function disc([cx, cy]: Pt, r: number): Pt[] {
  return Array.from({ length: DISC_SIDES }, (_, i) => {
    const a = (2 * Math.PI * i) / DISC_SIDES;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as Pt;
  });
}

// Sutherland–Hodgman: both the Voronoi cell and the disc are convex, so clipping one by the
// other's edges in turn is exact and cheap.
export function clipConvex(subject: Pt[], clip: Pt[]): Pt[] {
  let output = closedRing(subject);
  const ring = orient(closedRing(clip));
  for (let i = 0; i < ring.length && output.length > 0; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    const input = output;
    output = [];
    for (let j = 0; j < input.length; j++) {
      const cur = input[j]!;
      const prev = input[(j + input.length - 1) % input.length]!;
      const curIn = inside(a, b, cur);
      const prevIn = inside(a, b, prev);
      if (curIn) {
        if (!prevIn) output.push(intersect(prev, cur, a, b));
        output.push(cur);
      } else if (prevIn) {
        output.push(intersect(prev, cur, a, b));
      }
    }
  }
  return output;
}

function closedRing(points: Pt[]): Pt[] {
  const n = points.length;
  if (n > 1 && points[0]![0] === points[n - 1]![0] && points[0]![1] === points[n - 1]![1]) {
    return points.slice(0, -1);
  }
  return points;
}

function orient(points: Pt[]): Pt[] {
  let area = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    area += x1 * y2 - x2 * y1;
  }
  return area < 0 ? [...points].reverse() : points;
}

function inside(a: Pt, b: Pt, p: Pt): boolean {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0;
}

function intersect(p: Pt, q: Pt, a: Pt, b: Pt): Pt {
  const d1x = q[0] - p[0];
  const d1y = q[1] - p[1];
  const d2x = b[0] - a[0];
  const d2y = b[1] - a[1];
  const denom = d1x * d2y - d1y * d2x;
  if (denom === 0) return q;
  const t = ((a[0] - p[0]) * d2y - (a[1] - p[1]) * d2x) / denom;
  return [p[0] + t * d1x, p[1] + t * d1y];
}

function polygonPath(points: Pt[]): string {
  if (points.length === 0) return "";
  return `M${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join("L")}Z`;
}
