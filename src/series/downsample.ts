/**
 * Min/max bucketing of a long series for drawing: the visible x range is cut into at most `buckets` buckets
 * (about one per horizontal pixel), linearly or, for a log x axis, log-spaced; each non-empty bucket becomes
 * one point whose line value is the bucket **mean** (of x and of y; the geometric mean of y on a log y axis)
 * and whose envelope is the bucket's **min and max**, so every spike survives in the envelope.
 *
 * Why the mean and not LTTB (largest-triangle-three-buckets) for the line: with the envelope drawn next to it
 * the extremes are already visible, while LTTB picks the sample that maximises a triangle with its neighbours,
 * which in a noisy bucket of thousands of training-loss samples is an extreme, so the line zig-zags across the
 * envelope; and LTTB's choice depends on the next bucket, so past points move while a run streams. The mean
 * is what W&B ("full fidelity") and Neptune draw, and it lies inside [min, max] by construction.
 *
 * The first and the last visible samples are always kept exactly (as extra points with `count` 0 when the
 * first or last bucket's mean is not already them), so a curve starts at its first value and ends at its
 * latest one. With a `range`, the nearest drawable sample just outside each side is added too (`count` 0),
 * so the line reaches the edges of a zoomed plot.
 *
 * Hidden values are counted, never silently dropped: on a log x axis samples with x <= 0 (`hidden.x`), on a
 * log y axis samples with y <= 0 among the x-visible ones (`hidden.y`). Non-finite y values (NaN, +-Infinity)
 * are skipped and counted in `nonFinite`.
 *
 * Preconditions: `x` ascending (equal values allowed) and finite; `y` (and a band) as long as `x`.
 * Cost: O(log n) to find the range, then one pass over the visible samples with no allocation per sample.
 *
 * @example
 * downsample([0, 1, 2, 3, 4, 5], [5, 1, 4, 2, 3, 0], { buckets: 2 });
 * // buckets [0, 2.5) and [2.5, 5]: means (1, 10/3) and (4, 5/3), envelopes [1, 5] and [0, 3], plus the
 * // first and last samples kept: x [0, 1, 4, 5], y [5, 3.33, 1.67, 0], lo [5, 1, 0, 0], hi [5, 5, 3, 0]
 */

/** An inclusive x interval. */
export interface XRange {
  min: number;
  max: number;
}

export interface DownsampleOptions {
  /** Most buckets to produce: an integer >= 1, about one per horizontal pixel. */
  buckets: number;
  /** The visible x range (inclusive), or null/absent for every sample. */
  range?: XRange | null;
  /** A log x axis: log-spaced bucket edges, samples with x <= 0 hidden and counted. */
  xLog?: boolean;
  /** A log y axis: samples with y <= 0 hidden and counted; the line is the geometric mean of each bucket. */
  yLog?: boolean;
  /**
   * y holds natural logarithms of the values drawn on a log y axis (e.g. `smoothEmaLn`): the buckets are formed
   * on ln y (so the line is the geometric mean of the values and the envelope their min/max) and every output
   * y, lo and hi is exponentiated, once per point. `yLog` is then ignored and nothing is hidden on y.
   */
  yLn?: boolean;
  /**
   * A band drawn around y, sample for sample (a prediction's lo/hi series): the envelope of a bucket becomes
   * [min lo, max hi] instead of [min y, max y]. Non-finite band values, and on a log y axis non-positive lo
   * values, are left out of the min/max; a bucket with none left gets NaN there.
   */
  band?: { lo: ArrayLike<number>; hi: ArrayLike<number> };
}

export interface Downsampled {
  /** The line: bucket means, plus the kept first/last (and outside-neighbour) samples. Ascending. */
  x: number[];
  y: number[];
  /** The envelope of each point: its bucket's min and max (the sample itself for a kept sample). */
  lo: number[];
  hi: number[];
  /** Samples summarised by each point: >= 1 for a bucket, 0 for a kept sample already counted in a bucket. */
  count: number[];
  /** Drawable samples in the range (finite, and positive on log axes): what `count` sums to. */
  samples: number;
  /** Samples in the range hidden because they are <= 0 on a log axis, per axis. */
  hidden: { x: number; y: number };
  /** Samples in the range skipped because y is NaN or +-Infinity. */
  nonFinite: number;
  /** True when samples were aggregated into buckets; false when every drawable sample is a point. */
  reduced: boolean;
}

/**
 * Bucket edges over [min, max]: `n + 1` ascending values, edge k = min + (max - min) k / n, or on a log axis
 * exp(ln min + (ln max - ln min) k / n) (a constant ratio between edges). The last edge is exactly `max`.
 */
export function bucketEdges(min: number, max: number, n: number, log: boolean): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bucket count must be an integer >= 1, got ${n}`);
  if (!(min <= max)) throw new RangeError(`bucket range must have min <= max, got [${min}, ${max}]`);
  if (log && !(min > 0)) throw new RangeError(`log bucket edges need min > 0, got ${min}`);
  const edges = new Float64Array(n + 1);
  const a = log ? Math.log(min) : min;
  const width = (log ? Math.log(max) : max) - a;
  for (let k = 0; k <= n; k++) edges[k] = log ? Math.exp(a + (width * k) / n) : a + (width * k) / n;
  edges[0] = min;
  edges[n] = max;
  return edges;
}

/** Reduces the series (x, y) to at most `buckets` min/max buckets over the visible range; see the file doc. */
export function downsample(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: DownsampleOptions,
): Downsampled {
  checkInputs(x, y, options);
  if (options.yLn) return exponentiate(downsample(x, y, { ...options, yLn: false, yLog: false }));
  const window = visibleWindow(x, options);
  const out = emptyResult(window.hiddenX);
  if (window.end - window.start > options.buckets) bucketInto(out, x, y, window, options);
  else copyInto(out, x, y, window, options);
  addOutsideNeighbours(out, x, y, window, options);
  return out;
}

interface Window {
  /** Visible samples are [start, end); `before`/`after` index the nearest samples outside a range (or -1). */
  start: number;
  end: number;
  before: number;
  after: number;
  hiddenX: number;
  /** The x interval the buckets span. */
  min: number;
  max: number;
}

function checkInputs(x: ArrayLike<number>, y: ArrayLike<number>, options: DownsampleOptions): void {
  const { buckets, band } = options;
  if (!Number.isInteger(buckets) || buckets < 1) {
    throw new RangeError(`buckets must be an integer >= 1, got ${buckets}`);
  }
  if (x.length !== y.length) throw new RangeError(`x has ${x.length} samples but y has ${y.length}`);
  if (band && (band.lo.length !== x.length || band.hi.length !== x.length)) {
    throw new RangeError(`band has ${band.lo.length}/${band.hi.length} samples but x has ${x.length}`);
  }
}

/** The index window of the visible range; on a log x axis the leading x <= 0 samples are hidden. */
function visibleWindow(x: ArrayLike<number>, options: DownsampleOptions): Window {
  const range = options.range ?? null;
  const xLog = options.xLog ?? false;
  const lower = range ? lowerBound(x, range.min, 0) : 0;
  const end = range ? upperBound(x, range.max, lower) : x.length;
  const start = xLog ? Math.min(end, upperBound(x, 0, lower)) : lower;
  const before = range && lower > 0 ? lower - 1 : -1;
  const after = range && end < x.length ? end : -1;
  // Buckets span the range (so they line up with the pixels of a zoomed plot), else the visible samples.
  const min = range && (!xLog || range.min > 0) ? range.min : x[start];
  const max = range ? range.max : x[end - 1];
  return { start, end, before, after, hiddenX: start - lower, min, max };
}

/** Every drawable sample in the window as its own point. */
function copyInto(
  out: Downsampled,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: Window,
  options: DownsampleOptions,
): void {
  const yLog = options.yLog ?? false;
  for (let i = w.start; i < w.end; i++) {
    if (i > w.start && x[i] < x[i - 1]) throw notAscending(x, i);
    const yi = y[i];
    if (yi - yi !== 0) out.nonFinite++;
    else if (yLog && yi <= 0) out.hidden.y++;
    else {
      pushPoint(out, pointAt(x, y, i, options), 1);
      out.samples++;
    }
  }
}

/** The bucket pass: one scan, edges walked alongside x (no division or logarithm of x per sample). */
function bucketInto(
  out: Downsampled,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: Window,
  options: DownsampleOptions,
): void {
  const { buckets, band, yLog = false, xLog = false } = options;
  const n = w.max > w.min ? buckets : 1;
  const edges = bucketEdges(w.min, w.max, n, xLog);
  edges[n] = Infinity;
  let k = 0;
  let next = edges[1];
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let first = -1;
  let last = -1;
  let previous = -Infinity;
  for (let i = w.start; i < w.end; i++) {
    const xi = x[i];
    if (xi < previous) throw notAscending(x, i);
    previous = xi;
    const yi = y[i];
    if (yi - yi !== 0) {
      out.nonFinite++;
      continue;
    }
    if (yLog && yi <= 0) {
      out.hidden.y++;
      continue;
    }
    if (xi >= next) {
      if (count > 0) emitBucket(out, count, sumX, sumY, lo, hi, yLog);
      while (xi >= edges[k + 1]) k++;
      next = edges[k + 1];
      count = 0;
      sumX = 0;
      sumY = 0;
      lo = Infinity;
      hi = -Infinity;
    }
    if (first < 0) first = i;
    last = i;
    count++;
    sumX += xi;
    sumY += yLog ? Math.log(yi) : yi;
    const l = band ? band.lo[i] : yi;
    const h = band ? band.hi[i] : yi;
    if (l < lo && l > (yLog ? 0 : -Infinity)) lo = l;
    if (h > hi && h < Infinity) hi = h;
  }
  if (count > 0) emitBucket(out, count, sumX, sumY, lo, hi, yLog);
  out.reduced = true;
  if (first >= 0) keepEnds(out, x, y, first, last, options);
}

function emitBucket(
  out: Downsampled,
  count: number,
  sumX: number,
  sumY: number,
  lo: number,
  hi: number,
  yLog: boolean,
): void {
  const mean = sumY / count;
  const y = yLog ? Math.exp(mean) : mean;
  push(out, sumX / count, y, lo === Infinity ? NaN : lo, hi === -Infinity ? NaN : hi, count);
  out.samples += count;
}

/** Adds the first and last drawable samples as points of their own unless a bucket mean already is them. */
function keepEnds(
  out: Downsampled,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  first: number,
  last: number,
  options: DownsampleOptions,
): void {
  if (x[first] < out.x[0]) insertPoint(out, 0, pointAt(x, y, first, options));
  if (x[last] > out.x[out.x.length - 1]) insertPoint(out, out.x.length, pointAt(x, y, last, options));
}

/** With a range, the nearest drawable sample outside each side, so the line runs to the plot's edges. */
function addOutsideNeighbours(
  out: Downsampled,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  w: Window,
  options: DownsampleOptions,
): void {
  const { xLog = false, yLog = false } = options;
  const drawable = (i: number) => y[i] - y[i] === 0 && (!yLog || y[i] > 0) && (!xLog || x[i] > 0);
  if (out.x.length === 0) return;
  if (w.before >= 0 && drawable(w.before)) insertPoint(out, 0, pointAt(x, y, w.before, options));
  if (w.after >= 0 && drawable(w.after)) insertPoint(out, out.x.length, pointAt(x, y, w.after, options));
}

interface Point {
  x: number;
  y: number;
  lo: number;
  hi: number;
}

/** Sample i as a point of its own: its envelope is the band there, or the sample itself. */
function pointAt(x: ArrayLike<number>, y: ArrayLike<number>, i: number, options: DownsampleOptions): Point {
  const { band, yLog = false } = options;
  const lo = band ? bandValue(band.lo[i], yLog) : y[i];
  const hi = band ? bandValue(band.hi[i], false) : y[i];
  return { x: x[i], y: y[i], lo, hi };
}

function insertPoint(out: Downsampled, index: number, p: Point): void {
  out.x.splice(index, 0, p.x);
  out.y.splice(index, 0, p.y);
  out.lo.splice(index, 0, p.lo);
  out.hi.splice(index, 0, p.hi);
  out.count.splice(index, 0, 0);
}

function pushPoint(out: Downsampled, p: Point, count: number): void {
  push(out, p.x, p.y, p.lo, p.hi, count);
}

function push(out: Downsampled, x: number, y: number, lo: number, hi: number, count: number): void {
  out.x.push(x);
  out.y.push(y);
  out.lo.push(lo);
  out.hi.push(hi);
  out.count.push(count);
}

function notAscending(x: ArrayLike<number>, i: number): RangeError {
  return new RangeError(`x must be ascending: x[${i}] = ${x[i]} comes after ${x[i - 1]}`);
}

/** Maps a result computed on ln y back to y. */
function exponentiate(d: Downsampled): Downsampled {
  for (const column of [d.y, d.lo, d.hi])
    for (let i = 0; i < column.length; i++) column[i] = Math.exp(column[i]);
  return d;
}

/** A band value as drawn: NaN when not finite, or when non-positive on a log axis (`positive`). */
function bandValue(v: number, positive: boolean): number {
  return v - v === 0 && (!positive || v > 0) ? v : NaN;
}

function emptyResult(hiddenX: number): Downsampled {
  return {
    x: [],
    y: [],
    lo: [],
    hi: [],
    count: [],
    samples: 0,
    hidden: { x: hiddenX, y: 0 },
    nonFinite: 0,
    reduced: false,
  };
}

/** The first index in [from, length) with x[i] >= value (x ascending), or length. */
export function lowerBound(x: ArrayLike<number>, value: number, from = 0): number {
  let lo = from;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [from, length) with x[i] > value (x ascending), or length. */
export function upperBound(x: ArrayLike<number>, value: number, from = 0): number {
  let lo = from;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
