import { checkWeight, emaExtend, newEmaState, type EmaState } from './smooth';

/**
 * Incremental smoothing for live charts. A run's series only ever grow by appending (the runner streams
 * batches; the host keeps them in growing buffers and hands out views of the filled part), and the debiased
 * EMA is causal, so the smoothing of a prefix never changes: each update needs to smooth only the samples that
 * arrived since the previous one. This cache remembers, per underlying buffer, offset, weight and mode, how
 * far it has smoothed and the filter state there, and extends from that point.
 *
 * Same values as `smoothEma` / `smoothEmaLn` on the whole series (the test checks it). Whenever the prefix
 * cannot be trusted (the series got shorter, or its first or last cached sample changed) it starts over. The
 * returned array is a view into the cache, valid until the next call for the same series.
 */
interface Entry {
  length: number;
  state: EmaState;
  out: Float64Array;
  first: number;
  last: number;
}

const cache = new WeakMap<ArrayBufferLike, Map<string, Entry>>();

/** The debiased EMA of `y` (its logarithm when `ln`), reusing and extending the previous call's result. */
export function smoothIncrementally(y: Float64Array, weight: number, ln: boolean): Float64Array {
  checkWeight(weight);
  const key = `${y.byteOffset}|${weight}|${ln}`;
  let entries = cache.get(y.buffer);
  if (!entries) cache.set(y.buffer, (entries = new Map()));
  let entry = entries.get(key);
  if (!entry || !extendsCached(y, entry)) {
    entry = { length: 0, state: newEmaState(), out: new Float64Array(y.length), first: NaN, last: NaN };
    entries.set(key, entry);
  }
  if (entry.out.length < y.length) entry.out = grown(entry.out, entry.length, y.length);
  emaExtend(y, entry.out, entry.length, weight, ln ? 'ln' : 'linear', entry.state);
  entry.length = y.length;
  entry.first = y[0];
  entry.last = y[y.length - 1];
  return entry.out.subarray(0, y.length);
}

function extendsCached(y: Float64Array, entry: Entry): boolean {
  if (entry.length === 0) return true;
  return (
    y.length >= entry.length && Object.is(y[0], entry.first) && Object.is(y[entry.length - 1], entry.last)
  );
}

/** A larger output buffer (at least double, so appends cost amortised O(1)) with the smoothed prefix copied. */
function grown(out: Float64Array, filled: number, needed: number): Float64Array {
  const next = new Float64Array(Math.max(needed, 2 * out.length));
  next.set(out.subarray(0, filled));
  return next;
}
