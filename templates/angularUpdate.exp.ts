/**
 * Weight decay on a normalized layer: the angular update settles at sqrt(2 lr wd)
 *
 * A layer W followed by LayerNorm (no epsilon that matters, no affine) is scale-invariant: the loss does not
 * change when W is multiplied by a constant, so the gradient is orthogonal to W and shrinks like 1/||W||. Under
 * SGD with coupled L2 weight decay, w <- (1 - lr wd) w - lr g, decay shrinks the norm while the orthogonal
 * gradient steps grow it, until the two balance. At that equilibrium the angle W turns by per step is
 * arccos(1 - lr wd) ~ sqrt(2 lr wd), whatever the gradient's size or the task, and the norm sits at the fixed point
 * ||W||^4 = lr^2 G / (lr wd (2 - lr wd)) of its recursion (G = ||gradient||^2 at unit norm), reached after a few
 * times 1 / (4 lr wd) steps. Two layers with the same lr * wd turn alike and have norms in the ratio
 * (lr / wd)^(1/4), i.e. sqrt(lr): only lr * wd matters in equilibrium.
 *
 * The run trains three copies of the same layer side by side on the same online batches (a noisy teacher of the
 * same architecture), with (lr, wd) = configs: the first two share lr * wd and so should rotate at the same rate
 * with norms in the ratio sqrt(lr), the third has a larger lr * wd. The readout is a fixed random vector, so only
 * the scale-invariant layer learns. Observables: the root-mean-square angle per step over each sampling window
 * (the quantity the norm recursion fixes; the mean angle is slightly lower), the weight norms, and the squared
 * gradient norm at unit weight norm, G.
 *
 * To see the theory break: give the LayerNorm a non-negligible epsilon (`eps = 1`: scale invariance is lost and
 * the angle falls to ~0.16 of the prediction), stop before equilibrium (`--steps 200`: ~0.5 of it, the norm has
 * not relaxed yet), or set a config's wd to 0 (no equilibrium: the norm grows like t^(1/4) and the angle decays like 1/sqrt(t)).
 * Reference: van Laarhoven, arXiv:1706.05350; Kosson, Messmer & Jaggi, arXiv:2305.17212; THEORY.md entry 20.
 * Open question probed (learningmechanics.pub): norm layers / eliminating hyperparameters (only lr * wd matters
 * for a scale-invariant layer in equilibrium).
 *
 * Strand: (d) theories of hyperparameters.
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import {
  gradientNormsPerLayer,
  parameterNormsPerLayer,
  ParameterUpdateTracker,
} from 'learning-mechanics/observables';
import { angularUpdateEquilibriumNorm, angularUpdateEquilibriumSgd } from 'learning-mechanics/theory';

@experiment({ title: 'Weight decay on a normalized layer: angular update sqrt(2 lr wd)', steps: 1500 })
export class AngularUpdate {
  /** Input dimension. */
  @param inputs = 16;
  /** Units of the normalized layer. */
  @param width = 32;
  /** Fresh samples per SGD step. */
  @param batch = 32;
  /** (lr, wd) pairs, flattened: [lr0, wd0, lr1, wd1, ...]. */
  @param configs = [0.2, 0.01, 0.05, 0.04, 0.5, 0.01];
  /** Standard deviation of the initial weights (sets how far from equilibrium the norm starts). */
  @param initStd = 0.1;
  /** Standard deviation of the label noise. */
  @param noise = 0.5;
  /** LayerNorm epsilon, added to the variance; 0 keeps the layer exactly scale-invariant. */
  @param eps = 0;
  @param seed = 0;

  pairs = Array.from({ length: this.configs.length / 2 }, (_, i) => ({
    lr: this.configs[2 * i],
    wd: this.configs[2 * i + 1],
  }));
  /** The fixed readout a / sqrt(width). */
  readout = tf.randomNormal([this.width, 1]).div(Math.sqrt(this.width));
  teacher = tf.randomNormal([this.inputs, this.width]);
  /** The same initial weights for every config. */
  init = tf.randomNormal([this.inputs, this.width], 0, this.initStd);
  weights = this.pairs.map(() => tf.variable(this.init.clone()));
  optimizers = this.pairs.map(({ lr }) => tf.train.sgd(lr));
  tracker = new ParameterUpdateTracker();
  /** Sums over the current window of the squared angle and of G = ||g||^2 ||w||^2, per config. */
  sumSqAngle = this.pairs.map(() => 0);
  sumG = this.pairs.map(() => 0);
  windowSteps = 0;
  /** The last completed window's RMS angle and mean G. */
  rmsAngle = this.pairs.map(() => NaN);
  meanG = this.pairs.map(() => NaN);

  setup() {
    if (this.configs.length % 2 !== 0) throw new RangeError('configs must hold (lr, wd) pairs');
  }

  /** f(x) = relu(LN(x W)) a / sqrt(width), LN without affine parameters. */
  forward(w: tf.Tensor, x: tf.Tensor): tf.Tensor {
    const z = x.matMul(w);
    const { mean, variance } = tf.moments(z, 1, true);
    return z.sub(mean).div(variance.add(this.eps).sqrt()).relu().matMul(this.readout);
  }

  /** ½-MSE on the batch, without the decay term. */
  dataLoss(w: tf.Tensor, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
    return this.forward(w, x).sub(y).square().mean().mul(0.5) as tf.Scalar;
  }

  step() {
    const x = tf.randomNormal([this.batch, this.inputs]);
    const y = tf.tidy(() =>
      this.forward(this.teacher, x).add(tf.randomNormal([this.batch, 1], 0, this.noise)),
    );
    // G_t = ||g_t||^2 ||w_t||^2 (g ⟂ w makes it the squared gradient at unit norm), before the step. The
    // gradient of the summed losses with respect to w_i is config i's own gradient: one backward pass for all.
    const grads = gradientNormsPerLayer(
      (ws) => tf.addN(ws.map((w) => this.dataLoss(w, x, y))) as tf.Scalar,
      this.weights,
    );
    const norms = parameterNormsPerLayer(this.weights);
    const gs = grads.perLayer.map((g, i) => (g * norms.perLayer[i]) ** 2);
    this.tracker.snapshot(this.weights);
    this.weights.forEach((w, i) => {
      const { wd } = this.pairs[i];
      // Coupled L2: the gradient of (wd / 2) ||w||^2 is wd * w, so w <- w - lr (g + wd w).
      this.optimizers[i].minimize(
        () =>
          this.dataLoss(w, x, y).add(
            w
              .square()
              .sum()
              .mul(wd / 2),
          ) as tf.Scalar,
        false,
        [w],
      );
    });
    const { angles } = this.tracker.measure(this.weights);
    angles.forEach((a, i) => {
      this.sumSqAngle[i] += a * a;
      this.sumG[i] += gs[i];
    });
    x.dispose();
    y.dispose();
    this.windowSteps++;
  }

  /** Ends the window at a sample step (the angle and G observables share it: both are sampled every 100). */
  closeWindow() {
    this.rmsAngle = this.sumSqAngle.map((s) => Math.sqrt(s / this.windowSteps));
    this.meanG = this.sumG.map((s) => s / this.windowSteps);
    this.sumSqAngle = this.pairs.map(() => 0);
    this.sumG = this.pairs.map(() => 0);
    this.windowSteps = 0;
  }

  /** RMS angle per step between W_t and W_{t+1} over the last window, one series per config. */
  @observable({ every: 100 }) angularUpdate(): number[] {
    if (this.windowSteps > 0) this.closeWindow();
    return this.rmsAngle;
  }

  /** ||W|| per config. */
  @observable({ every: 10 }) weightNorm(): tf.Tensor {
    return tf.stack(this.weights.map((w) => tf.norm(w)));
  }

  /** Mean over the last window of G = ||g||^2 ||w||^2, the squared gradient at unit weight norm. */
  @observable({ every: 100 }) gradSqAtUnitNorm(): number[] {
    if (this.windowSteps > 0) this.closeWindow();
    return this.meanG;
  }

  /** ||W|| of the first config over ||W|| of the second. */
  @observable({ every: 10 }) normRatio(): tf.Scalar {
    return tf.norm(this.weights[0]).div(tf.norm(this.weights[1]));
  }

  @observable({ every: 10 }) loss(): tf.Scalar {
    const x = tf.randomNormal([256, this.inputs]);
    const y = this.forward(this.teacher, x);
    return tf.stack(this.weights.map((w) => this.dataLoss(w, x, y))).mean() as tf.Scalar;
  }

  /** arccos(1 - lr wd) ~ sqrt(2 lr wd): the late-window RMS angle, scored as a ratio (THEORY.md: 1 ± 0.1). */
  @prediction('angularUpdate', { score: 'ratio', tolerance: 0.1 }) equilibriumAngle(): number[] {
    return this.pairs.map((pair) => angularUpdateEquilibriumSgd(pair));
  }

  /**
   * The (lr / wd)^(1/4) law: two configs with the same lr * wd have the same direction dynamics (in law), hence
   * the same G, and equilibrium norms in the ratio ((lr0 / wd0) / (lr1 / wd1))^(1/4) = sqrt(lr0 / lr1). Only
   * meaningful when the first two configs share lr * wd (the default: 0.2 x 0.01 = 0.05 x 0.04).
   */
  @prediction('normRatio', { score: 'ratio', tolerance: 0.1 }) collapsedNormRatio(): number {
    const [a, b] = this.pairs;
    return (a.lr / a.wd / (b.lr / b.wd)) ** 0.25;
  }

  /**
   * The fixed point of the norm recursion, (lr^2 G / (lr wd (2 - lr wd)))^(1/4), with G the measured mean over
   * the last window: the norm has relaxed to the equilibrium its gradient scale sets.
   */
  @prediction('weightNorm', { score: 'ratio', tolerance: 0.1 }) equilibriumNorm(): number[] {
    return this.pairs.map((pair, i) =>
      Number.isFinite(this.meanG[i])
        ? angularUpdateEquilibriumNorm({ ...pair, gradSqAtUnitNorm: this.meanG[i] })
        : NaN,
    );
  }
}
