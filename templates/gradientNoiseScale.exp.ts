/**
 * Gradient noise scale: B_simple from two batch sizes matches the per-example brute force
 *
 * A small tanh MLP learns a noisy teacher by SGD (batch 8, with replacement). At checkpoints during training the
 * gradient's squared norm is taken at two batch sizes, B_small and B_big, many times at the same parameters, and
 * turned into unbiased estimates of |G|^2 and tr(Sigma) (McCandlish et al. 2018, appendix A.1), averaged
 * separately; B_simple = tr(Sigma)/|G|^2 is the ratio of the averages. The prediction is the exact value on the
 * training set, from every per-example gradient at the same parameters: the estimators' target, so the two must
 * agree up to the estimators' statistical noise. B_simple grows early in training as the signal |G|^2 falls while
 * the noise tr(Sigma) (label noise) stays: the batch size worth using grows as the loss goes down.
 *
 * Conventions: per-example loss l_i = (1/2)(f(x_i) - y_i)^2, training loss L = mean_i l_i (B_simple does not
 * depend on the 1/2); Sigma is the population covariance of g_i = grad l_i over the n training points.
 *
 * Measurement: every 100 steps, at the current (frozen) parameters, `pairs` pairs of batches (B_small = 8,
 * B_big = 256, drawn with replacement) are averaged with equal weights; the same estimator run as an EMA along
 * training (`bSimpleRunning`, McCandlish's practice) is shown without a prediction, because it averages over the
 * parameters SGD visits in its window while the brute force is at one point, and SGD at B = 8 moves |G|^2 by a
 * factor of several between steps.
 *
 * Scores: `bSimple` against the brute force by R^2 of log10 (>= 0.9; it spans about a decade) and by the largest
 * relative error over the 11 checkpoints (<= 0.25). The estimators are unbiased for |G|^2 and tr(Sigma), so the
 * only disagreement is their noise: one pair has a relative error of order sqrt(2 tr(Sigma^2))/tr(Sigma), about
 * 0.6 here, so 512 pairs give ~3% on tr(Sigma) and B_simple, and the worst of 11 checkpoints stays well under
 * 0.25 (measured 0.10-0.20 with 256 pairs over 4 seeds). `gradSq` (the signal alone) is scored likewise.
 *
 * What breaks it: batches without replacement (`replace = false`): the noise of a batch of B shrinks by
 * (n - B)/(n - 1), about 1/2 for the big batch here, which the estimator reads as a smaller |G|^2, so B_simple
 * comes out too large (measured: worst error 0.62, |G|^2 off by 0.38). Fewer pairs (pairs = 16) leave the
 * estimate unbiased but too noisy for the 25% bound. The noise scale says nothing yet about the critical
 * batch size: that is a sweep over batch sizes (THEORY.md entry 18, criticalBatch.ts).
 *
 * Reference: McCandlish, Kaplan, Amodei et al., "An empirical model of large-batch training", arXiv:1812.06162;
 * THEORY.md entry 18. Open question probed (learningmechanics.pub): why McCandlish's critical batch size works.
 *
 * Strand: (d) theories of hyperparameters
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import {
  GradientNoiseScale,
  perExampleNoiseScale,
  type PerExampleNoiseScale,
} from 'learning-mechanics/observables';

@experiment({ title: 'Gradient noise scale: two batch sizes vs per-example brute force', steps: 1000 })
export class GradientNoiseScaleTemplate {
  /** Training points. */
  @param n = 512;
  @param dim = 8;
  @param width = 32;
  /** Standard deviation of the label noise: it keeps tr(Sigma) > 0 at the end of training. */
  @param noise = 0.3;
  @param lr = 0.1;
  /** The training batch, and the small batch of the estimator. */
  @param batchSmall = 8;
  /** The big batch of the estimator. */
  @param batchBig = 256;
  /** Pairs of batches averaged at each checkpoint (frozen parameters). */
  @param pairs = 512;
  /** EMA decay of the running estimate along training. */
  @param decay = 0.95;
  /** Draw batches with replacement (what the estimators assume). */
  @param replace = true;
  @param seed = 0;

  x = tf.randomNormal([this.n, this.dim]);
  /** A random tanh teacher plus label noise. */
  y = tf.tidy(() => {
    const teacher = tf.randomNormal([this.dim, 4], 0, 1 / Math.sqrt(this.dim));
    const clean = tf.tanh(this.x.matMul(teacher)).sum(1, true);
    return clean.add(tf.randomNormal([this.n, 1], 0, this.noise));
  });
  params = [
    tf.variable(tf.randomNormal([this.dim, this.width], 0, 1 / Math.sqrt(this.dim))),
    tf.variable(tf.zeros([this.width])),
    tf.variable(tf.randomNormal([this.width, 1], 0, 1 / Math.sqrt(this.width))),
    tf.variable(tf.zeros([1])),
  ];
  /** McCandlish's running estimate: one pair per training step, EMA-averaged. */
  running = new GradientNoiseScale({ decay: this.decay });
  /** The checkpoint estimate: `pairs` pairs at the current parameters, equally weighted. */
  checkpoint = new GradientNoiseScale({ decay: 1 });
  checkpointStep = -1;
  exact: PerExampleNoiseScale = { gradSq: Number.NaN, traceSigma: Number.NaN, bSimple: Number.NaN };
  exactStep = -1;
  t = 0;

  /** Mean of (1/2)(f(x_i) - y_i)^2 over the rows `x`, `y`. */
  lossOn(params: tf.Tensor[], x: tf.Tensor, y: tf.Tensor): tf.Scalar {
    const [w1, b1, w2, b2] = params;
    return tf.tanh(x.matMul(w1).add(b1)).matMul(w2).add(b2).sub(y).square().mean().mul(0.5);
  }

  /** Indices of a batch: uniform with replacement, or a random subset without. */
  batch(size: number): tf.Tensor1D {
    if (this.replace) return tf.randomUniform([size], 0, this.n, 'int32') as tf.Tensor1D;
    return tf.tensor1d(Array.from(tf.util.createShuffledIndices(this.n).slice(0, size)), 'int32');
  }

  /** The gradient of the loss on a fresh batch, and its squared norm. */
  batchGradient(size: number): { grads: tf.Tensor[]; gradSq: number } {
    const idx = this.batch(size);
    const x = this.x.gather(idx);
    const y = this.y.gather(idx);
    const grads = tf.grads((...p: tf.Tensor[]) => this.lossOn(p, x, y))(this.params);
    const gradSq = tf.addN(grads.map((g) => g.square().sum())).dataSync()[0];
    return { grads, gradSq };
  }

  /** One pair of squared norms at the current parameters, as `GradientNoiseScale.update` takes them. */
  pair(small = tf.tidy(() => this.batchGradient(this.batchSmall).gradSq)) {
    const big = tf.tidy(() => this.batchGradient(this.batchBig).gradSq);
    return [
      { batch: this.batchSmall, gradSq: small },
      { batch: this.batchBig, gradSq: big },
    ] as const;
  }

  /** One SGD step on a B_small batch; its gradient is also the small batch of the running estimate. */
  step() {
    this.t++;
    tf.tidy(() => {
      const small = this.batchGradient(this.batchSmall);
      this.running.update(...this.pair(small.gradSq));
      this.params.forEach((p, i) => p.assign(p.sub(small.grads[i].mul(this.lr))));
    });
  }

  @observable({ every: 10 }) loss(): tf.Scalar {
    return this.lossOn(this.params, this.x, this.y);
  }

  /** The checkpoint estimate at the current parameters (computed once per step). */
  measure(): GradientNoiseScale {
    if (this.checkpointStep !== this.t) {
      this.checkpoint.reset();
      for (let k = 0; k < this.pairs; k++) this.checkpoint.update(...this.pair());
      this.checkpointStep = this.t;
    }
    return this.checkpoint;
  }

  /** tr(Sigma) / |G|^2 from the two batch sizes, `pairs` pairs averaged at the current parameters. */
  @observable({ every: 100 }) bSimple(): number {
    return this.measure().bSimple;
  }

  /** The estimate of the signal |G|^2 alone. */
  @observable({ every: 100 }) gradSq(): number {
    return this.measure().gradSq;
  }

  /** McCandlish's running EMA along training: an average over the parameters SGD visits (no prediction). */
  @observable({ every: 50 }) bSimpleRunning(): number {
    return this.running.bSimple;
  }

  /** The exact statistics from all n per-example gradients at the current parameters (once per step). */
  bruteForce(step: number): PerExampleNoiseScale {
    if (this.exactStep !== step) {
      this.exact = perExampleNoiseScale(
        (p, i) => this.lossOn(p, this.x.slice([i, 0], [1, -1]), this.y.slice([i, 0], [1, -1])),
        this.params,
        this.n,
      );
      this.exactStep = step;
    }
    return this.exact;
  }

  @prediction('bSimple', { score: 'r2log', tolerance: 0.9 }) exactNoiseScale(t: number): number {
    return this.bruteForce(t).bSimple;
  }

  @prediction('bSimple', { score: 'maxRelError', tolerance: 0.25 }) exactNoiseScaleMax(t: number): number {
    return this.bruteForce(t).bSimple;
  }

  @prediction('gradSq', { score: 'maxRelError', tolerance: 0.25 }) exactGradSq(t: number): number {
    return this.bruteForce(t).gradSq;
  }
}
