import type { ChartDataset } from 'chart.js';
import { parseSeriesName } from '../../protocol/series';
import type { ChartData, RunInfo, SeriesSlice } from '../../protocol/webview';
import { mix, rgba, shade, type Rgba } from './colors';
import { isDark, type Theme } from './theme';

export interface Point {
  x: number;
  y: number;
}

/** Which part of a slice a dataset draws: its line, or the lower/upper edge of its envelope or band. */
export type Part = 'line' | 'lo' | 'hi';

/** What the panel knows about a dataset beyond chart.js: its slice, part and legend group. */
export interface DatasetInfo {
  key: string;
  group: string;
  part: Part;
  slice: SeriesSlice;
  label: string;
}

export type LmDataset = ChartDataset<'line', Point[]> & { lm: DatasetInfo };

/** One legend entry: a run's measured components together, or one of its predictions. */
export interface LegendGroup {
  key: string;
  label: string;
  color: string;
  dash: number[];
  theory: boolean;
}

export interface BuiltDatasets {
  datasets: LmDataset[];
  groups: LegendGroup[];
}

/** Drawing order (chart.js draws a lower `order` on top): envelopes, raw traces, lines, then theory. */
const ORDER = { envelope: 3, faint: 2, line: 1, theory: 0 };

/** Dash patterns of a chart's predictions, in order of their names: dashed, dotted, dash-dot. */
const DASHES = [
  [6, 4],
  [1.5, 3],
  [9, 3, 2, 3],
];

/**
 * How far a theory curve's colour moves from its series' shade toward white-ish: the foreground on a dark
 * background, the background on a light one. Lighter than the data in both, so a dashed curve stays visible
 * where it lies on its measured line.
 */
const THEORY_TINT = { dark: 0.55, light: 0.45 };

function theoryColor(series: Rgba, theme: Theme): Rgba {
  return isDark(theme)
    ? mix(series, theme.foreground, THEORY_TINT.dark)
    : mix(series, theme.background, THEORY_TINT.light);
}

/**
 * The chart.js datasets of a chart: per slice an optional envelope (a `lo` dataset and a `hi` dataset filled
 * down to it) and its line. Measured lines are solid (faint when a smoothed line is drawn over them),
 * predictions dashed with their band; components take shades of their run's colour. Datasets of a hidden
 * legend group are built with `hidden: true`.
 */
export function buildDatasets(
  chart: ChartData,
  runs: readonly RunInfo[],
  theme: Theme,
  hiddenGroups: ReadonlySet<string>,
): BuiltDatasets {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const compare = new Set(chart.slices.map((s) => s.run)).size > 1 || runs.length > 1;
  const components = componentCounts(chart.slices);
  const predictions = [...new Set(chart.slices.map(predictionOf).filter((p): p is string => !!p))].sort();
  const smoothing = chart.slices.some((s) => s.role === 'smoothed');
  const datasets: LmDataset[] = [];
  const groups = new Map<string, LegendGroup>();
  for (const slice of chart.slices) {
    const run = byId.get(slice.run);
    const base = theme.palette[(run?.colorIndex ?? 0) % theme.palette.length];
    const series = shade(base, slice.component ?? 0, components.get(slice.run) ?? 1, isDark(theme));
    const prediction = predictionOf(slice);
    const color = prediction ? theoryColor(series, theme) : series;
    const dash = prediction ? DASHES[predictions.indexOf(prediction) % DASHES.length] : undefined;
    const group = groupOf(chart.observable, slice, components.get(slice.run) ?? 1, compare);
    // In a comparison the legend names series, not runs (the header maps colours to runs): neutral swatches.
    const swatch = compare ? theme.foreground : prediction ? theoryColor(base, theme) : base;
    if (!groups.has(group.key)) groups.set(group.key, { ...group, color: rgba(swatch), dash: dash ?? [] });
    const label = seriesLabel(slice) + (compare && run ? ` · ${runName(run)}` : '');
    const ctx = { slice, group: group.key, label, hidden: hiddenGroups.has(group.key) };
    datasets.push(...sliceDatasets(ctx, { line: color, fill: series, dash }, theme, smoothing));
  }
  return { datasets, groups: [...groups.values()] };
}

interface SliceContext {
  slice: SeriesSlice;
  group: string;
  label: string;
  hidden: boolean;
}

interface SliceStyle {
  line: Rgba;
  fill: Rgba;
  dash: number[] | undefined;
}

function sliceDatasets(ctx: SliceContext, style: SliceStyle, theme: Theme, smoothing: boolean): LmDataset[] {
  const { slice } = ctx;
  const hc = theme.kind === 'high-contrast';
  const width = hc ? 2 : 1.5;
  const out: LmDataset[] = [];
  if (slice.lo && slice.hi) {
    const alpha = slice.role === 'prediction' ? 0.12 : smoothing ? 0.07 : 0.16;
    out.push(
      edge(ctx, 'lo', slice.lo, style.fill, 0),
      edge(ctx, 'hi', slice.hi, style.fill, hc ? 0.28 : alpha),
    );
  }
  const line = dataset(ctx, 'line', slice.y);
  const faint = slice.role === 'measured' && smoothing;
  line.borderColor = rgba(style.line, faint ? 0.35 : 1);
  line.borderWidth =
    slice.role === 'smoothed' ? width + 0.5 : faint ? 1 : slice.role === 'prediction' ? width + 0.25 : width;
  line.order = slice.role === 'prediction' ? ORDER.theory : faint ? ORDER.faint : ORDER.line;
  if (style.dash) line.borderDash = style.dash;
  out.push(line);
  return out;
}

/** An envelope edge: no line of its own; the `hi` edge fills down to the `lo` dataset just before it. */
function edge(ctx: SliceContext, part: 'lo' | 'hi', y: number[], color: Rgba, fillAlpha: number): LmDataset {
  const d = dataset(ctx, part, y);
  d.borderWidth = 0;
  d.borderColor = 'transparent';
  d.order = ORDER.envelope;
  d.pointHitRadius = 0;
  d.pointHoverRadius = 0;
  if (part === 'hi') {
    d.fill = '-1';
    d.backgroundColor = rgba(color, fillAlpha);
  }
  return d;
}

function dataset(ctx: SliceContext, part: Part, y: number[]): LmDataset {
  const { slice } = ctx;
  const data: Point[] = new Array(slice.x.length);
  for (let i = 0; i < data.length; i++) data[i] = { x: slice.x[i], y: y[i] };
  const key = `${slice.run}|${slice.role}|${slice.series}|${part}`;
  return {
    label: ctx.label,
    data,
    hidden: ctx.hidden,
    fill: false,
    pointRadius: 0,
    pointHoverRadius: part === 'line' ? 3 : 0,
    tension: 0,
    spanGaps: true,
    lm: { key, group: ctx.group, part, slice, label: ctx.label },
  };
}

/**
 * The legend group of a slice: a run's measured (and smoothed) series together, or one of its predictions;
 * in a comparison the same series of every run together (a legend entry per series, not per run).
 */
function groupOf(observable: string, slice: SeriesSlice, components: number, compare: boolean) {
  const owner = compare ? '*' : slice.run;
  const prediction = predictionOf(slice);
  if (prediction)
    return { key: `${owner}|theory|${prediction}`, label: `${prediction} (theory)`, theory: true };
  const range = components > 1 ? `[0–${components - 1}]` : '';
  return { key: `${owner}|data`, label: `${observable}${range}`, theory: false };
}

function predictionOf(slice: SeriesSlice): string | undefined {
  return slice.role === 'prediction'
    ? (parseSeriesName(slice.series)?.prediction ?? slice.series)
    : undefined;
}

/** A run as a comparison names it: the parameters that differ, else its title. */
export function runName(run: RunInfo): string {
  return run.label || run.title;
}

/** How a slice is named in a tooltip: `modes[2]`, `modes[2] smoothed`, `saxe` (theory). */
function seriesLabel(slice: SeriesSlice): string {
  const parsed = parseSeriesName(slice.series);
  if (slice.role === 'prediction' && parsed?.prediction) {
    const target = parsed.index === undefined ? '' : `[${parsed.index}]`;
    return `${parsed.prediction}${target} (theory)`;
  }
  return slice.role === 'smoothed' ? `${slice.series} smoothed` : slice.series;
}

/** Components per run (max index + 1), for spreading the shades. */
function componentCounts(slices: readonly SeriesSlice[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of slices) {
    if (s.component !== null) counts.set(s.run, Math.max(counts.get(s.run) ?? 1, s.component + 1));
  }
  return counts;
}
