import type {
  CurvesChart,
  LawOverlay,
  LawScore,
  SummaryChart,
  SummaryGroup,
  SummaryPoint,
  SweepCurve,
  SweepView,
} from '../protocol/sweepView';
import { downsample } from '../series/downsample';
import type { ParamValue } from '../store/manifest';
import type { LawResult } from './laws/result';
import type { Summary } from './spec';
import type { PointRecord, SweepManifest } from './sweepStore';

/**
 * What a sweep panel draws, computed from the sweep's manifest, its point records and its runs' series, with
 * nothing of VS Code or the DOM: the summary charts (a summarised series against one swept parameter, one
 * line per combination of the other swept parameters, mean +- std over seeds) and the overlaid curves (every
 * run's series, coloured by a parameter). Laws computed elsewhere (src/sweep/laws.ts) are attached as data.
 */

/** The pseudo-parameter a sweep over seeds only is drawn against. */
export const SEED = 'seed';

/** Curves are reduced to about this many points each (a sweep overlays tens of them). */
export const CURVE_BUCKETS = 200;

/** The columns of a run's series the curves need. */
export interface CurveSeries {
  step: ArrayLike<number>;
  value: ArrayLike<number>;
}

/** Laws as src/sweep/laws.ts gives them: scores, and overlay curves each naming its chart (`SummaryChart.key`). */
export interface SweepLaws {
  scores: LawScore[];
  overlays: Array<LawOverlay & { chart: string }>;
}

/** The swept parameters: the grid's, then the random search's, in declaration order. */
export function sweptParams(manifest: SweepManifest): string[] {
  const names = [...Object.keys(manifest.spec.grid), ...Object.keys(manifest.spec.random?.params ?? {})];
  return [...new Set(names)];
}

/** The parameters a view may put on x or colour by: the swept ones, or the seed when only seeds vary. */
export function viewParams(manifest: SweepManifest): string[] {
  const params = sweptParams(manifest);
  return params.length > 0 ? params : [SEED];
}

/**
 * The view to draw: `saved` where it still fits this sweep (its parameters exist), else the defaults: x is
 * the first numeric swept parameter with several values (log-scaled when its values are positive and span a
 * factor of 10 or more), curves are coloured by x; y is log-scaled when the summaries recorded so far are all
 * positive and span a factor of 100 or more (a loss decaying over the grid) for the first summarised series.
 */
export function resolveView(
  manifest: SweepManifest,
  saved?: Partial<SweepView> | null,
  points: readonly PointRecord[] = [],
): SweepView {
  const params = viewParams(manifest);
  const numeric = params.filter((p) => {
    const values = distinct(manifest.points.map((pt) => paramValue(pt, p)));
    return values.length > 1 && values.every((v) => typeof v === 'number');
  });
  const x = saved?.x && params.includes(saved.x) ? saved.x : (numeric[0] ?? params[0] ?? null);
  const colorBy = saved?.colorBy && params.includes(saved.colorBy) ? saved.colorBy : x;
  const xValues = x === null ? [] : manifest.points.map((p) => paramValue(p, x));
  const spansDecade =
    xValues.length > 0 &&
    xValues.every((v) => typeof v === 'number' && v > 0) &&
    Math.max(...(xValues as number[])) / Math.min(...(xValues as number[])) >= 10;
  return {
    x,
    colorBy,
    xScale:
      saved?.xScale === 'log' || saved?.xScale === 'linear' ? saved.xScale : spansDecade ? 'log' : 'linear',
    yScale:
      saved?.yScale === 'log' || saved?.yScale === 'linear' ? saved.yScale : defaultYScale(manifest, points),
  };
}

/** Log when the first summarised series (the sweep's main observable, a loss) spans two decades or more. */
function defaultYScale(manifest: SweepManifest, points: readonly PointRecord[]): SweepView['yScale'] {
  const [first] = summarySeries(manifest, points);
  const values = points.map((p) => p.summary[first]).filter((v): v is number => typeof v === 'number');
  if (values.length < 2 || !values.every((v) => v > 0 && Number.isFinite(v))) return 'linear';
  return Math.max(...values) / Math.min(...values) >= 100 ? 'log' : 'linear';
}

/** A point's value of a parameter (the seed for the seed pseudo-parameter). */
export function paramValue(
  point: { overrides: Record<string, ParamValue>; seed: number },
  name: string,
): ParamValue | undefined {
  if (name in point.overrides) return point.overrides[name];
  return name === SEED ? point.seed : undefined;
}

/** `final`, `min`, `max`, `mean of last 3`. */
export function reducerLabel(summary: Summary | undefined): string {
  if (summary === undefined) return '';
  return typeof summary === 'string' ? summary : `mean of last ${summary.meanLast}`;
}

/**
 * The summarised series of the sweep, in the order the spec summarises their observables: a scalar
 * observable is one series, a vector one is `name[0]`, `name[1]`, ... as the points' summaries name them.
 */
export function summarySeries(manifest: SweepManifest, points: readonly PointRecord[]): string[] {
  const found = new Set(points.flatMap((p) => Object.keys(p.summary)));
  const ordered: string[] = [];
  for (const observable of Object.keys(manifest.spec.summarize)) {
    const own = [...found].filter((s) => s === observable || s.startsWith(`${observable}[`));
    ordered.push(...own.sort(byComponent));
  }
  return ordered;
}

/**
 * One chart per summarised series against `view.x`: the completed (or diverged) points with a finite summary,
 * grouped by the values of every other swept parameter; within a group, the seeds at each x give the mean and
 * the (sample) standard deviation. On a log axis values <= 0 are left out and counted.
 */
export function summaryCharts(
  manifest: SweepManifest,
  points: readonly PointRecord[],
  view: SweepView,
): SummaryChart[] {
  const x = view.x;
  if (x === null) return [];
  const others = viewParams(manifest).filter((p) => p !== x);
  const numeric = manifest.points.every((p) => typeof paramValue(p, x) === 'number');
  const categories = numeric ? null : distinct(manifest.points.map((p) => paramValue(p, x))).map(show);
  return summarySeries(manifest, points).map((series) => {
    const hidden = { x: 0, y: 0 };
    const groups = new Map<string, { label: string; order: ParamValue[]; byX: Map<number, SummaryPoint> }>();
    for (const record of points) {
      if (record.state !== 'completed' && record.state !== 'diverged') continue;
      const y = record.summary[series];
      const point = manifest.points[record.index];
      if (!point || typeof y !== 'number' || !Number.isFinite(y)) continue;
      const raw = paramValue(point, x);
      const xv = numeric ? (raw as number) : categories!.indexOf(show(raw));
      if (numeric && view.xScale === 'log' && !(xv > 0)) {
        hidden.x++;
        continue;
      }
      const values = others.map((p) => paramValue(point, p) ?? null) as ParamValue[];
      const key = JSON.stringify(values);
      let group = groups.get(key);
      if (!group) {
        const label = others.map((p, i) => `${p}=${show(values[i])}`).join(' ');
        group = { label, order: values, byX: new Map() };
        groups.set(key, group);
      }
      let at = group.byX.get(xv);
      if (!at) group.byX.set(xv, (at = { x: xv, mean: 0, std: 0, n: 0, runs: [] }));
      at.runs.push({ index: record.index, runId: record.runId, y, seed: point.seed });
    }
    const sorted = [...groups.entries()].sort((a, b) => compareValues(a[1].order, b[1].order));
    const out: SummaryGroup[] = [];
    for (const [key, group] of sorted) {
      const stats = [...group.byX.values()].map(withStats).sort((a, b) => a.x - b.x);
      const kept = view.yScale === 'log' ? stats.filter((s) => s.mean > 0) : stats;
      hidden.y += stats.length - kept.length;
      out.push({ key, label: group.label, colorIndex: out.length, points: kept });
    }
    const observable = series.replace(/\[\d+\]$/, '');
    return {
      key: chartKey(series, x),
      series,
      reducer: reducerLabel(manifest.spec.summarize[observable]),
      x,
      numeric,
      categories,
      groups: out,
      overlays: [],
      scores: [],
      hidden,
    };
  });
}

/** The key laws use to name a summary chart. */
export function chartKey(series: string, x: string): string {
  return `${series}@${x}`;
}

function withStats(point: SummaryPoint): SummaryPoint {
  const ys = point.runs.map((r) => r.y);
  const n = ys.length;
  const mean = ys.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? ys.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return {
    ...point,
    mean,
    std: Math.sqrt(variance),
    n,
    runs: [...point.runs].sort((a, b) => a.seed - b.seed),
  };
}

/**
 * Every run's curve of each series in `series`, reduced to about `buckets` points (bucket means against the
 * step), coloured by `view.colorBy`: a numeric parameter maps to t in [0, 1] over its range (on a log scale when
 * its values are positive and span a factor of 20 or more), any other to a category index.
 */
export function curvesCharts(
  manifest: SweepManifest,
  points: readonly PointRecord[],
  series: readonly string[],
  runSeries: ReadonlyMap<number, ReadonlyMap<string, CurveSeries>>,
  view: SweepView,
  buckets = CURVE_BUCKETS,
): CurvesChart[] {
  const colorBy = view.colorBy;
  const values = colorBy === null ? [] : manifest.points.map((p) => paramValue(p, colorBy));
  const numeric = values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v));
  const nums = numeric ? (values as number[]) : [];
  const [min, max] = numeric ? [Math.min(...nums), Math.max(...nums)] : [0, 0];
  const log = numeric && min > 0 && max / min >= 20;
  const categories = distinct(values).map(show);
  const position = (v: ParamValue | undefined): number | null => {
    if (!numeric || typeof v !== 'number') return null;
    if (max === min) return 0.5;
    return log ? Math.log(v / min) / Math.log(max / min) : (v - min) / (max - min);
  };
  const others = viewParams(manifest).filter((p) => p !== colorBy);
  return series.map((name) => {
    const curves: SweepCurve[] = [];
    for (const record of points) {
      const data = runSeries.get(record.index)?.get(name);
      const point = manifest.points[record.index];
      if (!data || !record.runId || !point || data.step.length === 0) continue;
      const reduced = downsample(data.step, data.value, { buckets, yLog: view.yScale === 'log' });
      const value = colorBy === null ? undefined : paramValue(point, colorBy);
      const label = [colorBy, ...others, ...(others.includes(SEED) || colorBy === SEED ? [] : [SEED])]
        .filter((p): p is string => p !== null)
        .map((p) => `${p}=${show(paramValue(point, p))}`)
        .join(' ');
      curves.push({
        index: record.index,
        runId: record.runId,
        state: record.state,
        label,
        t: position(value),
        colorIndex: Math.max(0, categories.indexOf(show(value))),
        x: reduced.x,
        y: reduced.y,
      });
    }
    return { series: name, colorBy, colorRange: numeric ? { min, max, log } : null, curves };
  });
}

/**
 * Puts each law's overlays and scores on the summary chart they name; a law naming a chart that is not drawn
 * (another x) is kept only in the law table.
 */
export function attachLaws(charts: SummaryChart[], laws: SweepLaws | null | undefined): SummaryChart[] {
  if (!laws) return charts;
  return charts.map((chart) => ({
    ...chart,
    overlays: laws.overlays.filter((o) => o.chart === chart.key).map(({ chart: _chart, ...o }) => o),
    scores: laws.scores.filter((s) => s.chart === chart.key),
  }));
}

function distinct(values: ReadonlyArray<ParamValue | undefined>): Array<ParamValue | undefined> {
  const seen = new Map<string, ParamValue | undefined>();
  for (const v of values) if (!seen.has(show(v))) seen.set(show(v), v);
  return [...seen.values()].sort((a, b) => compareValues([a ?? null], [b ?? null]));
}

/** A parameter value as a label: numbers short, strings quoted as JSON. */
export function show(value: ParamValue | undefined | null): string {
  if (value === undefined || value === null) return '–';
  if (typeof value === 'number') return String(Number(value.toPrecision(6)));
  return JSON.stringify(value);
}

/** Numbers numerically, anything else by its label. */
function compareValues(a: ReadonlyArray<ParamValue | null>, b: ReadonlyArray<ParamValue | null>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [u, v] = [a[i], b[i]];
    const c =
      typeof u === 'number' && typeof v === 'number' ? u - v : show(u ?? null).localeCompare(show(v ?? null));
    if (c !== 0) return c;
  }
  return 0;
}

function byComponent(a: string, b: string): number {
  const index = (s: string) => Number(/\[(\d+)\]$/.exec(s)?.[1] ?? -1);
  return index(a) - index(b);
}

/** The pass rule of a law score kind, as its badge says it. */
function lawRule(law: LawResult): string {
  const t = formatNumber(law.tolerance);
  switch (law.score) {
    case 'maxRelError':
    case 'maxAbsDeviation':
    case 'spreadRatio':
      return `≤ ${t}`;
    case 'accuracy':
      return `≥ ${t}`;
    case 'slopeInBand':
      return law.band ? `in [${formatNumber(law.band[0])}, ${formatNumber(law.band[1])}]` : '';
    case 'factor':
      return `in [1/${t}, ${t}]`;
    default:
      return '';
  }
}

const SCORE_LABELS: Record<string, string> = {
  maxRelError: 'max rel err',
  slopeInBand: 'slope',
  accuracy: 'accuracy',
  maxAbsDeviation: 'max |r − 1|',
  factor: 'factor',
  spreadRatio: 'spread ratio',
};

function formatNumber(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v);
}

/**
 * The laws as src/sweep/laws.ts evaluates them, as the panel draws them: each law's score on the summary chart
 * of its overlay's y against its x (`${y}@${x}`), its overlay's curves (with bands) on that chart. A law without
 * an overlay, or whose chart is not a summary chart, is listed in the law table only.
 */
export function lawsForPanel(results: readonly LawResult[]): SweepLaws {
  const scores: LawScore[] = [];
  const overlays: SweepLaws['overlays'] = [];
  for (const law of results) {
    const chart = law.overlay ? chartKey(law.overlay.y, law.overlay.x) : null;
    const value = law.value === null ? '—' : formatNumber(law.value);
    scores.push({
      law: law.law,
      label: law.name,
      chart,
      detail: law.problem ?? `${SCORE_LABELS[law.score] ?? law.score} ${value} ${lawRule(law)}`.trim(),
      value: law.value,
      pass: law.value === null && law.problem === null ? null : law.pass,
    });
    for (const curve of law.overlay?.curves ?? []) {
      overlays.push({
        chart: chart!,
        law: law.law,
        label: `${law.name}: ${curve.label}`,
        group: null,
        x: curve.x,
        y: curve.y,
        ...(curve.lo && curve.hi ? { lo: curve.lo, hi: curve.hi } : {}),
      });
    }
  }
  return { scores, overlays };
}
