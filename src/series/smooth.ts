/**
 * Debiased exponential moving average, as TensorBoard's scalar dashboard computes it since PR #639 (and the
 * fix discussed in tensorflow/tensorboard#1518: smooth the full-resolution series, before any downsampling,
 * so the result does not depend on the zoom or on how many points are drawn):
 *
 *   s_t = w s_{t-1} + (1 - w) y_t,   s_{-1} = 0,   smoothed_t = s_t / (1 - w^(t+1))
 *
 * where t counts the samples that entered the average (0 for the first). Dividing by 1 - w^(t+1), the sum of
 * the weights so far, removes the bias toward the zero start: a constant series smooths to itself. The filter
 * is causal, so appending samples never changes earlier smoothed values.
 *
 * Samples that cannot enter the average are skipped without poisoning it: they do not advance t, the
 * average carries over them, and their output is NaN (so the downsampler skips them). These are the
 * non-finite values (NaN, +-Infinity), and in log space also the values <= 0.
 *
 * Log space (`log: true`, for a log y axis; labmlai/app#85): the EMA runs on ln y and is exponentiated,
 * i.e. a debiased weighted geometric mean, which follows a power law or an exponential decay without the
 * upward bias an arithmetic mean has on a log plot.
 *
 * @example
 * smoothEma([1, 2, 3], 0.5); // => [1, 5/3, 17/7]  (s = 0.5, 1.25, 2.125 over debias 0.5, 0.75, 0.875)
 * smoothEma([1, 100], 0.5, { log: true }); // => [1, 100 ** (2/3)]
 */
export function smoothEma(
  y: ArrayLike<number>,
  weight: number,
  options: { log?: boolean } = {},
): Float64Array {
  checkWeight(weight);
  const out = new Float64Array(y.length);
  emaExtend(y, out, 0, weight, options.log ? 'ln' : 'linear', newEmaState());
  if (options.log) for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
  return out;
}

/**
 * The log-space EMA before exponentiation: ln of `smoothEma(y, weight, { log: true })`, NaN where a sample was
 * skipped. For drawing on a log y axis with `downsample(..., { yLn: true })`, which exponentiates once per
 * bucket instead of once per sample.
 */
export function smoothEmaLn(y: ArrayLike<number>, weight: number): Float64Array {
  checkWeight(weight);
  const out = new Float64Array(y.length);
  emaExtend(y, out, 0, weight, 'ln', newEmaState());
  return out;
}

/** The running state of a debiased EMA: s_t and w^(t+1) after the samples so far. */
export interface EmaState {
  s: number;
  wPow: number;
}

export function newEmaState(): EmaState {
  return { s: 0, wPow: 1 };
}

/**
 * Continues a debiased EMA over y[from..] into out[from..], from `state` (updated in place): the smoothed
 * value (`linear`) or its logarithm (`ln`, for the log-space EMA), NaN for a skipped sample. Because the filter
 * is causal, extending a series' smoothing by its new samples gives the same values as smoothing it whole.
 */
export function emaExtend(
  y: ArrayLike<number>,
  out: Float64Array,
  from: number,
  weight: number,
  mode: 'linear' | 'ln',
  state: EmaState,
): void {
  let { s, wPow } = state;
  const w = weight;
  if (mode === 'linear') {
    for (let i = from; i < y.length; i++) {
      const v = y[i];
      if (v - v !== 0) {
        out[i] = NaN;
        continue;
      }
      s = w * s + (1 - w) * v;
      wPow *= w;
      out[i] = s / (1 - wPow);
    }
  } else {
    for (let i = from; i < y.length; i++) {
      const v = y[i];
      if (!(v > 0 && v < Infinity)) {
        out[i] = NaN;
        continue;
      }
      s = w * s + (1 - w) * Math.log(v);
      wPow *= w;
      out[i] = s / (1 - wPow);
    }
  }
  state.s = s;
  state.wPow = wPow;
}

export function checkWeight(weight: number): void {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
}
