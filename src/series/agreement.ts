import type { PredictionScore, ScoreKind, SeriesScore } from '../protocol/score';
import { alignSeries, type StepSeries } from './align';

/**
 * Agreement scores between a measured series and a theory prediction (see `src/protocol/score.ts` for the
 * kinds and THEORY.md "Implementation notes", scoring primitives). Every score is computed on the aligned
 * pairs of `alignSeries`: common steps, last value per step, non-finite values left out.
 *
 * Values are always finite so that they survive JSON and the protocol schema: a result that overflows
 * (e.g. an R^2 of -1e310) is clamped to +-Number.MAX_VALUE, which fails every tolerance.
 */

/** One measured series and the prediction drawn over it, e.g. `modes[0]` and `modes[0]~saxe`, with its band. */
export interface SeriesPair {
  series: string;
  measured: StepSeries;
  predicted: StepSeries;
  band?: Band;
}

/** The band of a prediction (`modes[0]~saxe:lo` and `:hi`), needed by the `band` score. */
export interface Band {
  lo: StepSeries;
  hi: StepSeries;
}

/** What a prediction declares about its scoring (name, the observable it overlays, the kind and tolerance). */
export interface PredictionInfo {
  name: string;
  observable: string;
  score: ScoreKind;
  tolerance: number;
}

/** The tolerance used when a prediction does not give one: R^2 >= 0.99, or a 5% relative error / ratio. */
export function defaultTolerance(kind: ScoreKind): number {
  switch (kind) {
    case 'r2':
    case 'r2log':
      return 0.99;
    case 'maxRelError':
    case 'ratio':
      return 0.05;
    case 'band':
      return 0;
    default:
      return assertNever(kind);
  }
}

/**
 * Scores one measured series against its prediction.
 *
 * - `r2`: 1 - SS_res / SS_tot with SS_res = sum (y - p)^2 and SS_tot = sum (y - mean(y))^2 over the pairs.
 *   When the measured values are all equal (SS_tot = 0, e.g. a single pair) R^2 is 1 if the prediction matches
 *   every value exactly and 0 otherwise (scikit-learn's `force_finite` convention); for a constant observable
 *   prefer `maxRelError` or `ratio`.
 * - `r2log`: the same on log10(y) and log10(p), over the pairs where both are > 0.
 * - `maxRelError`: max |y - p| / max(|p|, floor) with floor = 1e-12 * max|p| over the pairs, so a prediction
 *   crossing zero does not blow the score up; when every p is 0 an exact match scores 0.
 * - `ratio`: y / p at the last compared step; no value when that p is 0.
 *
 * `points` is the number of pairs that entered the score (1 for `ratio`); with none, `value` is null and
 * `pass` false.
 *
 * @example
 * scoreSeries('r2', { step: [0, 1, 2], value: [1, 2, 3] }, { step: [0, 1, 2], value: [1, 2, 4] }, 0.99);
 * // => { value: 0.5, pass: false, points: 3 }
 */
export function scoreSeries(
  kind: ScoreKind,
  measured: StepSeries,
  predicted: StepSeries,
  tolerance: number,
  band?: Band,
): Omit<SeriesScore, 'series'> {
  if (!Number.isFinite(tolerance)) throw new RangeError(`tolerance must be finite, got ${tolerance}`);
  const pairs = alignSeries(measured, predicted);
  const { value, points } =
    kind === 'band' ? bandValue(measured, band) : scoreValue(kind, pairs.measured, pairs.predicted);
  if (value === null) return { value: null, pass: false, points: 0 };
  const clamped = clampFinite(value);
  return { value: clamped, pass: passes(kind, clamped, tolerance), points };
}

/**
 * Scores a prediction over each of its series. The prediction's `value` is the worst series value (lowest
 * R^2, largest relative error, ratio farthest from 1), over the series that could be compared; it passes
 * when at least one series was compared and every series passes (a series with no pairs fails). Only the four
 * fields of `PredictionInfo` are copied from `info`, so a richer prediction definition can be passed as is.
 */
export function scorePrediction(info: PredictionInfo, pairs: readonly SeriesPair[]): PredictionScore {
  const series = pairs.map((pair) => ({
    series: pair.series,
    ...scoreSeries(info.score, pair.measured, pair.predicted, info.tolerance, pair.band),
  }));
  const value = worstValue(
    info.score,
    series.map((s) => s.value),
  );
  const pass = value !== null && series.every((s) => s.pass);
  const { name, observable, score, tolerance } = info;
  return { name, observable, score, tolerance, value, pass, series };
}

/**
 * `band`: at the last step where the measured series and both band edges have finite values, the distance of
 * the measured value outside [lo, hi] over the half-width (hi - lo) / 2; an empty band (lo = hi) counts any
 * distance as infinitely far. No value without a band.
 */
function bandValue(measured: StepSeries, band?: Band): { value: number | null; points: number } {
  if (!band) return { value: null, points: 0 };
  const lo = alignSeries(measured, band.lo);
  const hi = alignSeries(measured, band.hi);
  const hiAt = new Map(hi.step.map((step, j) => [step, hi.predicted[j]]));
  for (let i = lo.step.length - 1; i >= 0; i--) {
    const top = hiAt.get(lo.step[i]);
    if (top === undefined) continue;
    const [a, b] = [Math.min(lo.predicted[i], top), Math.max(lo.predicted[i], top)];
    const y = lo.measured[i];
    const outside = Math.max(0, a - y, y - b);
    const half = (b - a) / 2;
    return { value: outside === 0 ? 0 : half > 0 ? outside / half : Infinity, points: 1 };
  }
  return { value: null, points: 0 };
}

function scoreValue(kind: ScoreKind, y: number[], p: number[]): { value: number | null; points: number } {
  switch (kind) {
    case 'r2':
      return { value: rSquared(y, p), points: y.length };
    case 'r2log': {
      const keep = y.map((_, i) => i).filter((i) => y[i] > 0 && p[i] > 0);
      const logY = keep.map((i) => Math.log10(y[i]));
      const logP = keep.map((i) => Math.log10(p[i]));
      return { value: rSquared(logY, logP), points: keep.length };
    }
    case 'maxRelError':
      return { value: maxRelError(y, p), points: y.length };
    case 'ratio': {
      const last = y.length - 1;
      const ok = last >= 0 && p[last] !== 0;
      return ok ? { value: y[last] / p[last], points: 1 } : { value: null, points: 0 };
    }
    case 'band':
      throw new Error('the band score is computed by bandValue');
    default:
      return assertNever(kind);
  }
}

/** R^2 of y against p (see `scoreSeries`); null without pairs. Computed on values divided by max|y|, |p|. */
function rSquared(y: number[], p: number[]): number | null {
  if (y.length === 0) return null;
  const scale = Math.max(maxAbs(y), maxAbs(p)) || 1;
  const ys = y.map((v) => v / scale);
  const mean = ys.reduce((sum, v) => sum + v, 0) / ys.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < ys.length; i++) {
    ssRes += (ys[i] - p[i] / scale) ** 2;
    ssTot += (ys[i] - mean) ** 2;
  }
  if (y.every((v) => v === y[0])) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** max |y - p| / max(|p|, 1e-12 * max|p|); null without pairs. */
function maxRelError(y: number[], p: number[]): number | null {
  if (y.length === 0) return null;
  const floor = 1e-12 * maxAbs(p);
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const diff = Math.abs(y[i] - p[i]);
    if (diff > 0) worst = Math.max(worst, diff / Math.max(Math.abs(p[i]), floor));
  }
  return worst;
}

function passes(kind: ScoreKind, value: number, tolerance: number): boolean {
  switch (kind) {
    case 'r2':
    case 'r2log':
      return value >= tolerance;
    case 'maxRelError':
    case 'band':
      return value <= tolerance;
    case 'ratio':
      return Math.abs(value - 1) <= tolerance;
    default:
      return assertNever(kind);
  }
}

/** How bad a value is, larger is worse: -R^2, the relative error, or the distance of a ratio from 1. */
function badness(kind: ScoreKind, value: number): number {
  switch (kind) {
    case 'r2':
    case 'r2log':
      return -value;
    case 'maxRelError':
    case 'band':
      return value;
    case 'ratio':
      return Math.abs(value - 1);
    default:
      return assertNever(kind);
  }
}

function worstValue(kind: ScoreKind, values: Array<number | null>): number | null {
  let worst: number | null = null;
  for (const v of values) {
    if (v !== null && (worst === null || badness(kind, v) > badness(kind, worst))) worst = v;
  }
  return worst;
}

function maxAbs(values: number[]): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** +-Infinity becomes +-Number.MAX_VALUE (NaN cannot arise from finite pairs). */
function clampFinite(value: number): number {
  return Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, value));
}

function assertNever(value: never): never {
  throw new Error(`unexpected score kind ${String(value)}`);
}
