import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { hessianVectorProduct, type HessianLossFn } from './sharpness';

/**
 * The gradient noise scale B_simple = tr(Sigma) / |G|^2 (THEORY.md entry 18; McCandlish, Kaplan, Amodei et al.,
 * "An empirical model of large-batch training", arXiv:1812.06162, sec. 2.2 and appendix A.1).
 *
 * Normalization: the training loss is L = (1/n) sum_i l_i (or an expectation over the data), G = grad L, g_i =
 * grad l_i, and Sigma = Cov(g_i) = E[g_i g_i^T] - G G^T is the covariance of a single example's gradient (the
 * population covariance, 1/n, over a finite training set). A batch gradient G_B = (1/B) sum_{b} g_{i_b} of B
 * examples drawn independently (with replacement) has
 *
 *     E |G_B|^2 = |G|^2 + tr(Sigma) / B,
 *
 * and B_simple is the batch size at which the noise term equals the signal |G|^2. It is dimensionless and does
 * not depend on the loss constant c (both numerator and denominator scale by c^2). Without replacement from n
 * examples the noise term is multiplied by (n - B)/(n - 1): sample with replacement to use these estimators as is.
 */

/** Unbiased estimates of |G|^2 and tr(Sigma) from one pair of batch gradients. */
export interface NoiseScaleEstimate {
  /** Estimate of |G|^2 (can be negative when the signal is small next to the noise). */
  gradSq: number;
  /** Estimate of tr(Sigma) (can be negative likewise). */
  traceSigma: number;
}

/**
 * McCandlish et al.'s appendix A.1 estimators from squared norms of two batch gradients taken at the same
 * parameters, |G_small|^2 with B_small examples and |G_big|^2 with B_big > B_small (independent batches or not:
 * the estimators are unbiased as long as each batch is an i.i.d. sample):
 *
 *     |G|^2  ~ (B_big |G_big|^2 - B_small |G_small|^2) / (B_big - B_small)
 *     tr(S)  ~ (|G_small|^2 - |G_big|^2) / (1/B_small - 1/B_big)
 *
 * (solve E|G_B|^2 = |G|^2 + tr(Sigma)/B at the two batch sizes). Each is unbiased; their ratio is not, which is
 * why `GradientNoiseScale` averages them separately before dividing. Free: two numbers in, two out.
 */
export function noiseScaleTwoBatch(
  small: { batch: number; gradSq: number },
  big: { batch: number; gradSq: number },
): NoiseScaleEstimate {
  if (!(small.batch > 0 && big.batch > small.batch))
    throw new RangeError(`need 0 < B_small < B_big, got ${small.batch} and ${big.batch}`);
  return {
    gradSq: (big.batch * big.gradSq - small.batch * small.gradSq) / (big.batch - small.batch),
    traceSigma: (small.gradSq - big.gradSq) / (1 / small.batch - 1 / big.batch),
  };
}

/**
 * B_simple along a training run, as McCandlish et al. recommend (appendix A.1): exponential moving averages of
 * the two unbiased estimates (`noiseScaleTwoBatch`), kept separately, and B_simple = EMA[tr Sigma] / EMA[|G|^2].
 * The EMAs are bias-corrected (weighted sums divided by the sum of weights, i.e. by (1 - decay^k)/(1 - decay)
 * after k updates, as Adam does), which does not change the ratio but makes `gradSq` and `traceSigma` usable from
 * the first update. The window is ~1/(1 - decay) updates. `decay = 1` gives equal weights (a plain mean), the
 * right choice for many pairs of batches at the same parameters.
 *
 * Along SGD the EMA averages over the parameters visited in its window, not the current ones: with a noisy
 * optimizer |G(theta_t)|^2 fluctuates from step to step and the EMA is an average of it (which is what the
 * noise scale is used for, choosing a batch size), not the value at the last step.
 *
 * @example
 * const scale = new GradientNoiseScale({ decay: 0.95 });
 * scale.update({ batch: 32, gradSq: g32 }, { batch: 512, gradSq: g512 }); // every step
 * scale.bSimple; // tr(Sigma) / |G|^2
 */
export class GradientNoiseScale {
  readonly decay: number;
  /** Updates so far. */
  count = 0;
  private weight = 0;
  private gradSqSum = 0;
  private traceSum = 0;

  constructor(options: { decay?: number } = {}) {
    const { decay = 0.95 } = options;
    if (!(decay >= 0 && decay <= 1)) throw new RangeError(`decay must be in [0, 1], got ${decay}`);
    this.decay = decay;
  }

  /** Adds one pair of batch-gradient squared norms (see `noiseScaleTwoBatch`); returns the new B_simple. */
  update(small: { batch: number; gradSq: number }, big: { batch: number; gradSq: number }): number {
    return this.add(noiseScaleTwoBatch(small, big));
  }

  /** Adds one pair of estimates directly. */
  add(estimate: NoiseScaleEstimate): number {
    this.weight = this.decay * this.weight + 1;
    this.gradSqSum = this.decay * this.gradSqSum + estimate.gradSq;
    this.traceSum = this.decay * this.traceSum + estimate.traceSigma;
    this.count++;
    return this.bSimple;
  }

  /** Forgets every update. */
  reset(): void {
    this.count = this.weight = this.gradSqSum = this.traceSum = 0;
  }

  /** Bias-corrected EMA of |G|^2 (NaN before the first update). */
  get gradSq(): number {
    return this.count ? this.gradSqSum / this.weight : Number.NaN;
  }

  /** Bias-corrected EMA of tr(Sigma) (NaN before the first update). */
  get traceSigma(): number {
    return this.count ? this.traceSum / this.weight : Number.NaN;
  }

  /** EMA[tr Sigma] / EMA[|G|^2]; NaN before the first update or while the |G|^2 average is <= 0. */
  get bSimple(): number {
    return this.count && this.gradSqSum > 0 ? this.traceSum / this.gradSqSum : Number.NaN;
  }
}

/**
 * |grad L|^2 of `loss` at `params` (e.g. a batch loss for `GradientNoiseScale`), read back as a number.
 * Cost: one gradient evaluation.
 */
export function noiseScaleGradSq(
  loss: (params: tf.Tensor[]) => tf.Scalar,
  params: readonly tf.Tensor[],
): number {
  return tf.tidy(() => {
    const grads = tf.grads((...p: tf.Tensor[]) => loss(p))(params as tf.Tensor[]);
    return tf.addN(grads.map((g) => g.square().sum())).dataSync()[0];
  });
}

/** The exact gradient statistics of a finite training set, from its per-example gradients. */
export interface PerExampleNoiseScale {
  /** |G|^2 with G = (1/n) sum_i g_i. */
  gradSq: number;
  /** tr(Sigma) = (1/n) sum_i |g_i|^2 - |G|^2 (population covariance). */
  traceSigma: number;
  /** tr(Sigma) / |G|^2. */
  bSimple: number;
}

/**
 * Brute-force B_simple on a training set of `count` examples: every per-example gradient g_i = grad l_i by
 * `tf.grads` (one example at a time), then G = mean g_i, tr(Sigma) = mean |g_i|^2 - |G|^2 (accumulated in
 * float64). This is the quantity the two-batch estimators of `GradientNoiseScale` estimate when the batches are
 * drawn from the same set with replacement, so it is their exact target. `exampleLoss(params, i)` is the loss of
 * example i alone, in the same normalization as the training loss's terms (L = mean_i l_i).
 * Cost: `count` gradient evaluations of a single example.
 */
export function perExampleNoiseScale(
  exampleLoss: (params: tf.Tensor[], index: number) => tf.Scalar,
  params: readonly tf.Tensor[],
  count: number,
): PerExampleNoiseScale {
  if (!(Number.isInteger(count) && count >= 1))
    throw new RangeError(`count must be an integer >= 1, got ${count}`);
  const size = params.reduce((s, p) => s + p.size, 0);
  const mean = new Float64Array(size);
  let meanSq = 0;
  for (let i = 0; i < count; i++) {
    tf.tidy(() => {
      const grads = tf.grads((...p: tf.Tensor[]) => exampleLoss(p, i))(params as tf.Tensor[]);
      let offset = 0;
      for (const g of grads) {
        const data = g.dataSync();
        for (let k = 0; k < data.length; k++) {
          mean[offset + k] += data[k] / count;
          meanSq += (data[k] * data[k]) / count;
        }
        offset += data.length;
      }
    });
  }
  const gradSq = mean.reduce((s, x) => s + x * x, 0);
  const traceSigma = meanSq - gradSq;
  return { gradSq, traceSigma, bSimple: traceSigma / gradSq };
}

/** The Hessian-aware noise scale and its parts. */
export interface PerExampleBNoise {
  /** tr(H Sigma) = mean_i (g_i - G)^T H (g_i - G) (over `samples` examples when subsampled: unbiased). */
  traceHSigma: number;
  /** G^T H G, the curvature along the full gradient. */
  curvature: number;
  /** B_noise = tr(H Sigma) / (G^T H G). */
  bNoise: number;
  /** B_simple = tr(Sigma) / |G|^2 on the same per-example gradients, for comparison. */
  bSimple: number;
}

/**
 * B_noise = tr(H Sigma) / (G^T H G) (THEORY.md entry 18; McCandlish et al. eq. 2.7), the noise scale that sets the
 * optimal step of SGD on the local quadratic model (see `criticalBatchOptimalStep` in theory/criticalBatch). It
 * equals B_simple when H is a multiple of the identity; B_simple overestimates it when the gradient noise lies in
 * flatter directions than the gradient. H is the Hessian of the full training loss `loss` (= mean_i l_i), applied
 * by the finite-difference HVP of observables/sharpness: tr(H Sigma) = mean_i (g_i - G)^T H (g_i - G) over every
 * example, or over `samples` examples drawn without replacement (seeded shuffle; an unbiased estimate).
 * Cost: `count` single-example gradients + 2 (1 + samples) full-loss gradients.
 */
export function perExampleBNoise(
  exampleLoss: (params: tf.Tensor[], index: number) => tf.Scalar,
  loss: HessianLossFn,
  params: readonly tf.Tensor[],
  count: number,
  options: { samples?: number; seed?: number } = {},
): PerExampleBNoise {
  if (!(Number.isInteger(count) && count >= 1))
    throw new RangeError(`count must be an integer >= 1, got ${count}`);
  const samples = Math.min(options.samples ?? count, count);
  const shapes = params.map((p) => p.shape);
  const grads: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    tf.tidy(() => {
      const g = tf.grads((...p: tf.Tensor[]) => exampleLoss(p, i))(params as tf.Tensor[]);
      grads.push(Float64Array.from(g.flatMap((t) => Array.from(t.dataSync()))));
    });
  }
  const size = grads[0].length;
  const mean = new Float64Array(size);
  for (const g of grads) for (let k = 0; k < size; k++) mean[k] += g[k] / count;
  const quadratic = (v: Float64Array): number => {
    let value = 0;
    tf.tidy(() => {
      let offset = 0;
      const direction = shapes.map((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const t = tf.tensor(Float32Array.from(v.subarray(offset, offset + n)), shape);
        offset += n;
        return t;
      });
      const hv = hessianVectorProduct(loss, params, direction);
      offset = 0;
      for (const t of hv) {
        const data = t.dataSync();
        for (let k = 0; k < data.length; k++) value += v[offset + k] * data[k];
        offset += data.length;
      }
    });
    return value;
  };
  const uniform = seedrandom(`perExampleBNoise:${options.seed ?? 0}`);
  const order = grads.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let traceHSigma = 0;
  for (const i of order.slice(0, samples))
    traceHSigma += quadratic(grads[i].map((x, k) => x - mean[k])) / samples;
  const curvature = quadratic(mean);
  const gradSq = mean.reduce((s, x) => s + x * x, 0);
  const traceSigma = grads.reduce((s, g) => s + g.reduce((a, x) => a + x * x, 0), 0) / count - gradSq;
  return { traceHSigma, curvature, bNoise: traceHSigma / curvature, bSimple: traceSigma / gradSq };
}
