/**
 * What the pane's chart draws for a sheet's ChartData (src/workbook/chart-data: the same categories and
 * series the workbook's native chart shows), shaped for @fluentui/react-charts and kept apart from the
 * React view so it is testable without a DOM.
 *
 * Public API
 * - `paneChart(data)` → `PaneChart`: which Fluent chart draws it and its points.
 *   line/area: one line per series over dates when every category is a yyyy-mm-dd or yyyy-mm text or a
 *   date, else over the category's position with its label as the tick; blank cells are left out.
 *   column: one bar per category (grouped bars for several series). bar: horizontal bars, first
 *   category at the top as in the sheet (several series: grouped columns, as Fluent has no grouped
 *   horizontal bars). pie: one slice per category of the first series (as Excel draws a pie; slices need a positive value).
 *   Bars and slices show at most `MAX_CATEGORIES` categories; `omitted` counts the rest.
 * - `chartHeight(chart)`: pixels for the plot, growing with horizontal bars.
 */
import { isIsoDate, isIsoMonth } from '../../src/kernel/dates';
import type { ChartData } from '../../src/workbook/chart-data';

export const MAX_CATEGORIES = 20;

export interface LinePoint {
  x: Date | number;
  y: number;
  xAxisCalloutData: string;
}

export type PaneChart =
  | { kind: 'line' | 'area'; title: string; dates: boolean; labels: string[]; lines: { legend: string; data: LinePoint[] }[] }
  | { kind: 'column'; title: string; omitted: number; bars: { x: string; y: number; legend: string }[] }
  | { kind: 'grouped'; title: string; omitted: number; groups: { name: string; series: { key: string; data: number; legend: string }[] }[] }
  | { kind: 'bar'; title: string; omitted: number; bars: { x: number; y: string; legend: string }[] }
  | { kind: 'pie'; title: string; omitted: number; slices: { legend: string; data: number }[] };

/** A category as a date on a time axis (UTC), when it reads as one. */
function asDate(label: string, type: 'date' | 'month'): Date {
  return new Date(type === 'month' ? `${label}-01T00:00:00Z` : `${label.slice(0, 10)}T00:00:00Z`);
}

function dateAxis(data: ChartData): Date[] | null {
  const labels = data.category.labels;
  if (labels.length === 0) return null;
  if (labels.every(isIsoMonth)) return labels.map((l) => asDate(l, 'month'));
  if (labels.every((l) => isIsoDate(l.slice(0, 10)) && (l.length === 10 || /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(l))))
    return labels.map((l) => new Date(l.length === 10 ? `${l}T00:00:00Z` : `${l.slice(0, 10)}T${l.slice(11, 19)}Z`));
  return null;
}

/** Category positions whose value in `series` is a number, first `limit` of them. */
function shown(data: ChartData, limit: number): { indexes: number[]; omitted: number } {
  const n = data.category.labels.length;
  const indexes = Array.from({ length: Math.min(n, limit) }, (_, i) => i);
  return { indexes, omitted: n - indexes.length };
}

export function paneChart(data: ChartData): PaneChart {
  const title = data.chart.title;
  const labels = data.category.labels;
  const type = data.chart.type;
  if (type === 'line' || type === 'area') {
    const dates = dateAxis(data);
    return {
      kind: type,
      title,
      dates: dates !== null,
      labels,
      lines: data.series.map((s) => ({
        legend: s.name,
        data: s.values.flatMap((y, i) => (y === null ? [] : [{ x: dates ? dates[i]! : i, y, xAxisCalloutData: labels[i]! }])),
      })),
    };
  }
  const { indexes, omitted } = shown(data, MAX_CATEGORIES);
  const first = data.series[0]!;
  if (type === 'pie')
    return { kind: 'pie', title, omitted, slices: indexes.flatMap((i) => ((first.values[i] ?? 0) > 0 ? [{ legend: labels[i]!, data: first.values[i]! }] : [])) };
  if (data.series.length > 1)
    return {
      kind: 'grouped',
      title,
      omitted,
      groups: indexes.map((i) => ({ name: labels[i]!, series: data.series.map((s) => ({ key: s.name, data: s.values[i] ?? 0, legend: s.name })) })),
    };
  // Fluent stacks horizontal bars from the bottom: the last row goes first so the first row is on top.
  if (type === 'bar') return { kind: 'bar', title, omitted, bars: indexes.reverse().map((i) => ({ x: first.values[i] ?? 0, y: labels[i]!, legend: labels[i]! })) };
  return { kind: 'column', title, omitted, bars: indexes.map((i) => ({ x: labels[i]!, y: first.values[i] ?? 0, legend: first.name })) };
}

/** Characters of a horizontal bar's label shown before it is cut short (the full text shows on hover). */
export const BAR_LABEL_CHARS = 14;

/** Pixels left of horizontal bars for their labels (10 px sans-serif, about 6 px a character). */
export function barLabelWidth(chart: PaneChart): number {
  if (chart.kind !== 'bar') return 0;
  const longest = Math.max(0, ...chart.bars.map((b) => Math.min(b.y.length, BAR_LABEL_CHARS + 3)));
  return 24 + 6 * longest;
}

export function chartHeight(chart: PaneChart): number {
  if (chart.kind === 'bar') return Math.max(200, 60 + 28 * chart.bars.length);
  return 260;
}
