/**
 * Deep linear network dynamics (Saxe, McClelland & Ganguli 2014; THEORY.md entry 1).
 *
 * A network f(x) = W_L ... W_1 x with no nonlinearity learns a linear map T from whitened inputs by full-batch
 * gradient descent. From small initial weights it learns T's singular modes one at a time, in order of
 * strength: each mode's strength s(t) follows a sigmoid whose timing theory predicts exactly.
 *
 * Conventions: loss = C * sum_i ||f(x_i) - y_i||^2 / n with C = 1, which on whitened inputs equals
 * C * ||W_tot - T||_F^2 (the learningmechanics.pub widget's convention); time tau = lr * step.
 *
 * What the predictions assume, and which initialisation meets it:
 * - `balanced = true`: every layer starts as init * I, aligned with T's singular vectors and balanced
 *   (W_{l+1}^T W_{l+1} = W_l W_l^T). Each mode then obeys ds/dtau = 2 C L s^(2-2/L) (lambda - s) exactly
 *   (closed-form logistic for depth 2, integrated ODE for deeper nets), for any depth.
 * - `balanced = false` (default): i.i.d. Gaussian weights of scale init. For depth 2 the early dynamics align
 *   the weights with T by themselves; the prediction starts each mode from its effective strength
 *   |a0 + b0|^2 / 4 (see depth2SequentialS0). For deeper nets random init has no exact theory: use balanced.
 * Both need small init (init << lambda) and small steps (lr * lambda_max << 1). A deeper net escapes a small
 * init far more slowly (escape time ~ s0^-(1-2/L)): with depth 3, use init around 0.1 or more steps.
 *
 * Strand: (a) solvable settings. Reference: THEORY.md entry 1.
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import { depth2SequentialS0, integrateModes, predictedLoss, saxeMode } from 'learning-mechanics/theory';

/** The loss constant: loss = C * ||W_tot - T||_F^2. */
const C = 1;

@experiment({ title: 'Deep linear network learns its modes one by one', steps: 4000 })
export class DeepLinear {
  @param depth = 2;
  @param lr = 0.002;
  @param init = 1e-4;
  @param targets = [6, 4, 3, 2, 1, 0.5];
  @param balanced = false;
  @param seed = 0;

  /** Width of every layer, and number of training items. */
  d = this.targets.length;
  /** Whitened inputs: item i is sqrt(d) e_i (a column), so E[x x^T] = I. */
  x = tf.eye(this.d).mul(Math.sqrt(this.d));
  /** Targets y_i = T x_i with T = diag(targets): input-output correlation E[y x^T] = T. */
  y = tf.diag(tf.tensor1d(this.targets)).matMul(this.x);
  weights = Array.from({ length: this.depth }, () =>
    tf.variable(
      this.balanced ? tf.eye(this.d).mul(this.init) : tf.randomNormal([this.d, this.d], 0, this.init),
    ),
  );
  optimizer = tf.train.sgd(this.lr);
  /** Each mode's starting strength, as the prediction sees it. */
  s0: number[] = [];

  setup() {
    if (this.depth > 2 && !this.balanced) {
      console.warn(
        'depth > 2 with random init: the mode ODE is exact only for balanced init (--set balanced=true)',
      );
    }
    this.s0 = this.initialStrengths();
  }

  /** Balanced init: init^L per mode. Random depth 2: the effective strengths left after early alignment. */
  initialStrengths(): number[] {
    if (this.balanced) return this.targets.map(() => this.init ** this.depth);
    if (this.depth === 2) {
      const [w1, w2] = this.weights.map((w) => w.arraySync() as number[][]);
      const a0 = this.targets.map((_, mu) => w1.map((row) => row[mu])); // W1 v_mu: column mu of W1
      const b0 = this.targets.map((_, mu) => w2[mu]); // W2^T u_mu: row mu of W2
      return depth2SequentialS0(a0, b0, this.targets);
    }
    return (this.modes().arraySync() as number[]).map(Math.abs);
  }

  identity = tf.eye(this.d);

  endToEnd(): tf.Tensor {
    return this.weights.reduce<tf.Tensor>((product, w) => w.matMul(product), this.identity);
  }

  step() {
    this.optimizer.minimize(() => this.loss());
  }

  @observable({ every: 10 }) loss(): tf.Scalar {
    const f = this.endToEnd().matMul(this.x);
    return f
      .sub(this.y)
      .square()
      .sum()
      .mul(C / this.d);
  }

  /**
   * s_mu = u_mu^T W_tot v_mu, the end-to-end map's strength on each of T's singular modes (T is diagonal): the
   * diagonal of W_tot. Returned as a tensor, not read back here, so the runner can replay this observable with
   * the step instead of running it through tfjs each time (src/runner/replay/).
   */
  @observable({ every: 10 }) modes(): tf.Tensor1D {
    return this.endToEnd().mul(this.identity).sum(1);
  }

  /** Every mode at every sampled step: the logistic for depth 2, the integrated mode ODE otherwise. */
  @prediction('modes', { score: 'r2', tolerance: 0.99, curve: true }) saxe(steps: number[]): number[][] {
    const { targets: lambdas, s0, depth, lr } = this;
    if (depth !== 2) return integrateModes({ lambdas, s0, depth, c: C, lr, steps });
    return steps.map((t) => lambdas.map((lambda, mu) => saxeMode(lr * t, lambda, s0[mu], C)));
  }

  /** The loss the modes imply: C * sum_mu (lambda_mu - s_mu)^2. */
  @prediction('loss', { score: 'r2', tolerance: 0.99, curve: true }) modeLoss(steps: number[]): number[] {
    return this.saxe(steps).map((s) => predictedLoss(s, this.targets, C));
  }
}
