/**
 * Heavy-tailed self-regularization: the weight spectrum starts Marchenko-Pastur, then leaves the bulk
 *
 * A 3-layer ReLU MLP (64 -> N -> M -> 10) is trained with small-batch SGD and cross-entropy on a noisy 10-class
 * Gaussian mixture it has to memorize. We follow the eigenvalue spectrum (ESD) of the middle layer W2 (N x M).
 * At init its entries are i.i.d. Gaussian, so random-matrix theory predicts the ESD exactly: the eigenvalues of
 * W2^T W2 / N follow the Marchenko-Pastur law with the init variance sigma^2 and Q = N/M, and the largest one
 * sits at the Tracy-Widom position below the edge lambda_+ (Johnstone 2001). Training pushes eigenvalues out
 * of the bulk, and the power-law exponent alpha that WeightWatcher fits to the tail ends in Martin &
 * Mahoney's "well-trained" range 2 <= alpha <= 6.
 *
 * Scored, following THEORY.md entry 22 ("the init MP prediction is exact; the trained-alpha ranges are an
 * empirical regularity with wide variance"):
 * - at init, sigma^2 of the KS-best MP fit (Q = N/M given) over the init variance: ratio 1 within 0.03, about
 *   3 standard errors of a variance estimate from N M = 32768 entries (sqrt(2/(NM)) = 0.8%, doubled for the
 *   KS criterion);
 * - at init, lambda_max in units of the realized bulk scale (mean eigenvalue) against Johnstone's finite-size
 *   mean: ratio within 0.08, about 3 Tracy-Widom standard deviations for 256 x 128 (sd/mean = 2.5%);
 * - at the end, alpha in [2, 6], the band scored with `band`;
 * - at the end, at least one eigenvalue above the init's Tracy-Widom edge (mean + 3 sd), where MP predicts none
 *   at init: the tail has left the bulk.
 * What a half-minute run honestly shows: spikes and a moderate tail (about 10 outliers, lambda_max from 2.95 to
 * 3.6 sigma^2, the bulk's fitted sigma^2 up 27%), not the alpha ~ 2 of large production models. At M = 128 the
 * power-law fit is itself noisy: alpha_0 of a pure MP spectrum is usually > 6 ("random-like": 7.6, 6.4, 7.3 for
 * seeds 0, 1, 3) but 4.5 and 3.5 for seeds 2 and 4, and with `noise = 1` (the task is learnt in a few hundred
 * steps and the ESD stays MP: no outlier, lambda_max unchanged) the fitted alpha still wanders from 7.6 to 4.1.
 * So THEORY.md's "alpha decreases during training" is not reliably visible at this size and is not scored
 * (alpha_T < alpha_0 fails for seed 4), and the alpha-range score is weak evidence (it passes with `noise = 1`
 * too); the outlier count is what separates a layer that learnt from one that did not (it fails with
 * `noise = 1`).
 *
 * To see the theory break: `noise = 1` (see above: no outlier) or `batch = 256` (THEORY.md: larger batches give
 * lighter tails; here alpha stays at 8.4, random-like, and the alpha-range score fails).
 * Open question probed: what training writes into the weights, beyond the random init (learningmechanics.pub:
 * "theory of natural data", "sparsity").
 *
 * Reference: Martin & Mahoney, JMLR 2021, arXiv:1810.01075; Martin, Peng & Mahoney, Nat. Commun. 2021,
 * arXiv:2002.06716; Clauset, Shalizi & Newman, SIAM Rev. 2009; Johnstone, Ann. Stat. 2001; THEORY.md entry 22.
 *
 * Strand: (e) universal behaviours
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import {
  fitMarchenkoPastur,
  fitPowerLawTail,
  weightSpectrum,
  type WeightSpectrum,
} from 'learning-mechanics/observables';
import { HEAVY_TAIL_ALPHA_RANGES, marchenkoPasturTopEigenvalue } from 'learning-mechanics/theory';

@experiment({
  title:
    'Heavy-tailed self-regularization: the weight spectrum starts Marchenko-Pastur, then leaves the bulk',
  steps: 2000,
})
export class HeavyTails {
  @param inputDim = 64;
  /** N: rows of the studied layer W2 (N x M), the first hidden width. */
  @param n = 256;
  /** M: columns of W2, the second hidden width. */
  @param m = 128;
  @param classes = 10;
  /** Training samples. */
  @param samples = 2000;
  @param batch = 16;
  @param lr = 0.1;
  /** Standard deviation of the points around their class centre (centres have unit-variance entries). */
  @param noise = 3;
  @param seed = 0;

  /** Variance of W2's i.i.d. Gaussian entries at init (He: 2 / fan_in). */
  sigma2 = 2 / this.n;
  labels = Array.from({ length: this.samples }, (_, i) => i % this.classes);
  x = tf.tidy(() => {
    const centres = tf.randomNormal([this.classes, this.inputDim]);
    return tf
      .gather(centres, tf.tensor1d(this.labels, 'int32'))
      .add(tf.randomNormal([this.samples, this.inputDim], 0, this.noise)) as tf.Tensor2D;
  });
  y = tf.oneHot(tf.tensor1d(this.labels, 'int32'), this.classes) as tf.Tensor2D;
  w1 = tf.variable(tf.randomNormal([this.inputDim, this.n], 0, Math.sqrt(2 / this.inputDim)));
  w2 = tf.variable(tf.randomNormal([this.n, this.m], 0, Math.sqrt(this.sigma2)));
  w3 = tf.variable(tf.randomNormal([this.m, this.classes], 0, Math.sqrt(1 / this.m)));
  optimizer = tf.train.sgd(this.lr);
  batches = 0;
  /** W2's spectrum at the last sampled step, shared by the observables of that step. */
  cache: { step: number; spectrum: WeightSpectrum; alpha: number } | null = null;
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return x.matMul(this.w1).relu().matMul(this.w2).relu().matMul(this.w3) as tf.Tensor2D;
  }

  /** One SGD step on the next `batch` samples (cycling through the data in order). */
  step() {
    const start = (this.batches * this.batch) % this.samples;
    this.batches++;
    tf.tidy(() => {
      const idx = tf.tensor1d(
        Array.from({ length: this.batch }, (_, i) => (start + i) % this.samples),
        'int32',
      );
      const xb = tf.gather(this.x, idx) as tf.Tensor2D;
      const yb = tf.gather(this.y, idx) as tf.Tensor2D;
      this.optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, this.logits(xb)) as tf.Scalar);
    });
  }

  current(): { spectrum: WeightSpectrum; alpha: number } {
    if (this.cache?.step !== this.batches) {
      const spectrum = weightSpectrum(this.w2);
      this.cache = { step: this.batches, spectrum, alpha: fitPowerLawTail(spectrum.eigenvalues).alpha };
    }
    return this.cache;
  }

  @observable({ every: 50 }) loss(): tf.Scalar {
    return tf.losses.softmaxCrossEntropy(this.y, this.logits(this.x)) as tf.Scalar;
  }

  /** Power-law exponent alpha of W2's ESD tail (WeightWatcher's WWFit on the eigenvalues of W2^T W2). */
  @observable({ every: 50 }) alpha(): number {
    return this.current().alpha;
  }

  /** sigma^2 of the KS-best MP fit to the ESD of W2^T W2 / N (Q = N/M), over the init variance. */
  @observable({ every: 50 }) mpSigma2(): number {
    const { correlationEigenvalues, q } = this.current().spectrum;
    return fitMarchenkoPastur(correlationEigenvalues, { q }).sigma2 / this.sigma2;
  }

  /** lambda_max of W2^T W2 / N in units of the bulk scale sigma-hat^2 = mean eigenvalue. */
  @observable({ every: 50 }) lambdaMax(): number {
    const x = this.current().spectrum.correlationEigenvalues;
    return x[x.length - 1] / (x.reduce((s, v) => s + v, 0) / x.length);
  }

  /**
   * Outliers: eigenvalues of W2^T W2 / N above the init's Tracy-Widom edge, Johnstone's mean of lambda_max plus
   * 3 standard deviations at the init variance. MP + Tracy-Widom predict none at init (P < 1e-3).
   */
  @observable({ every: 50 }) outliers(): number {
    const top = marchenkoPasturTopEigenvalue(this.n, this.m, this.sigma2);
    const edge = top.mean + 3 * top.sd;
    return this.current().spectrum.correlationEigenvalues.filter((v) => v > edge).length;
  }

  /** At init only: the MP fit finds the init variance. */
  @prediction('mpSigma2', { score: 'ratio', tolerance: 0.03, curve: true }) mpAtInit(steps: number[]) {
    return steps.map((t) => (t === 0 ? 1 : NaN));
  }

  /** At init only: Johnstone's mean of lambda_max (Tracy-Widom centring), in units of sigma^2, +-1 sd. */
  @prediction('lambdaMax', { score: 'ratio', tolerance: 0.08, curve: true }) tracyWidomEdge(steps: number[]) {
    const top = marchenkoPasturTopEigenvalue(this.n, this.m, 1);
    const at0 = (v: number) => steps.map((t) => (t === 0 ? v : NaN));
    return { y: at0(top.mean), lo: at0(top.mean - top.sd), hi: at0(top.mean + top.sd) };
  }

  /** At the end: 2 <= alpha <= 6 (Martin & Mahoney's well-trained range). */
  @prediction('alpha', { score: 'band', curve: true }) wellTrainedRange(steps: number[]) {
    const { lo, hi } = HEAVY_TAIL_ALPHA_RANGES.wellTrained;
    return this.atEnd(steps, lo, hi);
  }

  /**
   * At the end: eigenvalues have left the bulk, 1 <= outliers <= M.
   */
  @prediction('outliers', { score: 'band', curve: true }) tailLeavesBulk(steps: number[]) {
    return this.atEnd(steps, 1, this.m);
  }

  /** The band [lo, hi] at the last step (NaN elsewhere), drawn around its middle. */
  atEnd(steps: number[], lo: number, hi: number) {
    const last = Math.max(...steps);
    const at = (v: number) => steps.map((t) => (t === last ? v : NaN));
    return { y: at((lo + hi) / 2), lo: at(lo), hi: at(hi) };
  }
}
