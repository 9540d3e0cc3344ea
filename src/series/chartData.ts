import type { PredictionScore } from '../protocol/score';
import {
  DEFAULT_VIEW,
  type ChartData,
  type ChartView,
  type RunInfo,
  type SeriesSlice,
  type XKind,
} from '../protocol/webview';
import type { SeriesData } from '../store/seriesData';
import { downsample, type Downsampled, type DownsampleOptions } from './downsample';
import { observableSeries, type MeasuredSeries, type PredictionSeries } from './observableSeries';
import { smoothIncrementally } from './smoothCache';

/** One run as a chart panel draws it: its metadata, full-resolution series, observables and agreement. */
export interface ChartRun {
  info: Pick<RunInfo, 'id' | 'lr'>;
  /** Every series of the run by store name (`loss`, `modes[0]`, `modes[0]~saxe`, `modes[0]~saxe:lo`, ...). */
  series: ReadonlyMap<string, SeriesData>;
  /** The run's observables in display order (a vector observable once, by its name). */
  observables: readonly string[];
  agreement: readonly PredictionScore[];
}

/** What a panel shows: its runs, in legend order. */
export interface ChartInput {
  runs: readonly ChartRun[];
}

/** Default bucket count: about one bucket per horizontal pixel of a wide chart. */
export const DEFAULT_WIDTH_PX = 1000;

/**
 * The charts of a panel: one per observable (the union of the runs' observables, in first-seen order), each
 * with, per run,
 * - a `measured` slice per series (each component of a vector observable), unless smoothing hides the raw;
 *   its `lo`/`hi` is the bucket min/max envelope, present only when the series was reduced;
 * - a `smoothed` slice per measured series when `view.smoothing > 0`: the debiased EMA of the full-resolution
 *   series (log-space on a log y axis, see `smoothEma`), bucketed afterwards, without an envelope; computed
 *   incrementally across calls as the series grows (see `smoothIncrementally`);
 * - a `prediction` slice per prediction series, with `lo`/`hi` from its band series when it has both.
 *
 * x is the step, tau = lr * step, or the wall seconds (`view.xKind`); tau needs an lr > 0 on every run of the
 * panel, else the chart is drawn against the step and says so in `xKindDrawn`. `view.range` is in the units of
 * the x drawn. Each series is reduced to at most `widthPx` buckets over the visible range (see `downsample`).
 * `hidden` counts the samples <= 0 on a log axis over the measured and prediction series (x first: a sample
 * hidden on x is not counted again on y); `decimated` sums their visible samples before and after bucketing,
 * null when none was reduced. Deterministic, and pure but for the smoothing cache (which only saves work).
 * `only` restricts the result to one observable's chart (after a view change of that chart).
 */
export function buildCharts(
  input: ChartInput,
  views: Readonly<Record<string, ChartView>>,
  widthPx: number = DEFAULT_WIDTH_PX,
  only?: string,
): ChartData[] {
  const { runs } = input;
  const buckets = Math.max(1, Math.round(widthPx));
  const observables = observablesOf(runs).filter((o) => only === undefined || o === only);
  return observables.map((observable) =>
    buildChart(observable, runs, views[observable] ?? DEFAULT_VIEW, buckets),
  );
}

/** The x a chart is drawn against: tau falls back to the step unless every run has an lr > 0. */
export function drawnXKind(requested: XKind, runs: ReadonlyArray<Pick<ChartRun, 'info'>>): XKind {
  const lrOk = runs.length > 0 && runs.every((r) => r.info.lr !== null && r.info.lr > 0);
  return requested === 'tau' && !lrOk ? 'step' : requested;
}

/** The x values of a series: the step, lr * step, or the wall seconds. */
export function xValues(data: SeriesData, kind: XKind, lr: number | null): Float64Array {
  switch (kind) {
    case 'step':
      return data.step;
    case 'wall':
      return data.wall;
    case 'tau':
      return data.step.map((step) => (lr ?? 1) * step);
    default:
      return assertNever(kind);
  }
}

interface Tally {
  slices: SeriesSlice[];
  hidden: { x: number; y: number };
  from: number;
  to: number;
  reduced: boolean;
}

function buildChart(
  observable: string,
  runs: readonly ChartRun[],
  view: ChartView,
  buckets: number,
): ChartData {
  const xKind = drawnXKind(view.xKind, runs);
  const tally: Tally = { slices: [], hidden: { x: 0, y: 0 }, from: 0, to: 0, reduced: false };
  const options: DownsampleOptions = {
    buckets,
    range: view.range,
    xLog: view.xScale === 'log',
    yLog: view.yScale === 'log',
  };
  for (const run of runs) {
    const x = (data: SeriesData) => xValues(data, xKind, run.info.lr);
    const { measured, predictions } = observableSeries(run.series.keys(), observable);
    for (const m of measured) addMeasured(tally, run, m, x, view, options);
    for (const p of predictions) addPrediction(tally, run, p, x, options);
  }
  const agreement = runs
    .map((run) => ({ run: run.info.id, scores: run.agreement.filter((s) => s.observable === observable) }))
    .filter((a) => a.scores.length > 0);
  return {
    observable,
    view,
    slices: tally.slices,
    hidden: tally.hidden,
    decimated: tally.reduced ? { from: tally.from, to: tally.to } : null,
    agreement,
    ...(xKind !== view.xKind ? { xKindDrawn: xKind } : {}),
  };
}

type XOf = (data: SeriesData) => Float64Array;

function addMeasured(
  tally: Tally,
  run: ChartRun,
  m: MeasuredSeries,
  xOf: XOf,
  view: ChartView,
  options: DownsampleOptions,
): void {
  const data = run.series.get(m.name) as SeriesData;
  const x = xOf(data);
  const raw = downsample(x, data.value, options);
  count(tally, raw);
  const base = { run: run.info.id, series: m.name, component: m.component };
  if (view.smoothing <= 0 || view.showRaw) {
    const envelope = raw.reduced ? { lo: raw.lo, hi: raw.hi } : {};
    tally.slices.push({ ...base, role: 'measured', x: raw.x, y: raw.y, ...envelope });
  }
  if (view.smoothing > 0) {
    // On a log y axis the EMA runs on ln y and stays there until the bucket means are exponentiated.
    const smoothed = smoothIncrementally(data.value, view.smoothing, !!options.yLog);
    const line = downsample(x, smoothed, { ...options, yLn: options.yLog });
    tally.slices.push({ ...base, role: 'smoothed', x: line.x, y: line.y });
  }
}

function addPrediction(
  tally: Tally,
  run: ChartRun,
  p: PredictionSeries,
  xOf: XOf,
  options: DownsampleOptions,
): void {
  const data = run.series.get(p.name) as SeriesData;
  const band = p.band ? bandAt(data.step, run.series.get(p.band.lo), run.series.get(p.band.hi)) : undefined;
  const line = downsample(xOf(data), data.value, { ...options, band });
  count(tally, line);
  const envelope = band ? { lo: line.lo, hi: line.hi } : {};
  const base = { run: run.info.id, series: p.name, component: p.component };
  tally.slices.push({ ...base, role: 'prediction', x: line.x, y: line.y, ...envelope });
}

function count(tally: Tally, d: Downsampled): void {
  tally.hidden.x += d.hidden.x;
  tally.hidden.y += d.hidden.y;
  tally.from += d.samples;
  tally.to += d.x.length;
  tally.reduced ||= d.reduced;
}

/** The band's lo/hi values at each of the prediction's steps (NaN where a band series has no such step). */
function bandAt(
  steps: Float64Array,
  lo: SeriesData | undefined,
  hi: SeriesData | undefined,
): { lo: Float64Array; hi: Float64Array } | undefined {
  if (!lo || !hi) return undefined;
  return { lo: valuesAtSteps(steps, lo), hi: valuesAtSteps(steps, hi) };
}

/**
 * `series` sampled at `steps` (both ascending): the value at the same step (the last one written when a step
 * repeats), NaN where it has none. The common case, identical steps, returns the values as they are.
 */
export function valuesAtSteps(steps: Float64Array, series: SeriesData): Float64Array {
  if (sameSteps(steps, series.step)) return series.value;
  const out = new Float64Array(steps.length).fill(NaN);
  let j = 0;
  for (let i = 0; i < steps.length; i++) {
    while (j < series.step.length && series.step[j] < steps[i]) j++;
    let k = j;
    while (k + 1 < series.step.length && series.step[k + 1] === steps[i]) k++;
    if (k < series.step.length && series.step[k] === steps[i]) out[i] = series.value[k];
  }
  return out;
}

function sameSteps(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The union of the runs' observables, in the order first seen. */
function observablesOf(runs: readonly ChartRun[]): string[] {
  const seen = new Set<string>();
  for (const run of runs) for (const o of run.observables) seen.add(o);
  return [...seen];
}

function assertNever(value: never): never {
  throw new Error(`unexpected x kind ${String(value)}`);
}
