/**
 * Wide networks train like their linearization (NTK / lazy regime)
 *
 * One-hidden-layer tanh networks of several widths, in NTK parameterization, fit the same small regression set
 * by full-batch gradient descent. Each is compared with its own linearization around init, whose whole
 * trajectory is known in closed form from the empirical NTK at init Theta_0 = J J^T:
 *     f_t(X) = y + V (I - lr Lambda / n)^t V^T (f_0(X) - y)                        (train, exact for GD)
 *     f_t(x) = f_0(x) + Theta_0(x, X) V Lambda^-1 [I - (I - lr Lambda / n)^t] V^T (y - f_0(X))   (test).
 * The gap between network and linear model shrinks as the width grows. Lee et al. bound it by O(1/sqrt(width));
 * the sharper statement is that in NTK parameterization the kernel itself moves by O(1/width) during training
 * (Dyer & Gur-Ari, arXiv:1909.11304; Huang & Yau, arXiv:1909.08156), so the gap to the linearization around
 * the *empirical* Theta_0 is O(1/width), log-log slope -1 (the 1/sqrt(width) rate is that of the fluctuations
 * of Theta_0 around the infinite-width kernel, entry 8, which this comparison does not include). THEORY.md entry
 * 7 expects "about -1/2 to -1" (its numpy check: about -0.8 at widths 64-4096). The width exponents of the
 * train gap, the test gap and the kernel change are scored against -1 with the band [-1.5, -0.5]: no slower
 * than Lee et al.'s -1/2, and at most the -1.5 that a 1/width^2 correction can add at these finite widths.
 * The train loss curve of every width is scored against its own linearization (r2 >= 0.99; measured >= 0.995
 * at width 64 over seeds 0-3, 1.0000 at 4096). On a log scale the late tail of the narrowest nets departs (the
 * final loss of width 64 was 0.73-0.96 of the linearized one): that drift is the gap whose width trend is scored.
 * The widest network's test outputs are scored against the linearized test predictions (r2 >= 0.995).
 *
 * Vector observables have one series per width, in the order of `widths` (series [0] is the narrowest).
 * Conventions: loss = (1/2n) sum_i (f(x_i) - y_i)^2 (c = 1/2), full-batch GD with step lr; NTK parameterization
 * h = sigmaW W x / sqrt(d) + sigmaB b, f = sigmaW v^T tanh(h) / sqrt(width) + sigmaB b2, all weights N(0, 1).
 *
 * What to vary to see the theory break: a large lr near or above 2n / lambda_max(Theta_0) (the catapult
 * regime, THEORY.md entry 5: the linear model diverges while the network need not); narrow widths (8, 16) where
 * the kernel moves by O(1) and the gap stops following the power law; many more steps at a small target scale,
 * where the slow kernel drift accumulates. Reference: Jacot, Gabriel & Hongler 2018 (arXiv:1806.07572); Lee et
 * al. 2019 (arXiv:1902.06720, Fig. 2); THEORY.md entry 7. Open question probed (learningmechanics.pub):
 * "finite nets as discretizations of limits" (how fast a finite network approaches its infinite-width limit).
 *
 * Strand: (b) tractable limits
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import { empiricalNtk, NtkDrift, type NtkModelFn } from 'learning-mechanics/observables';
import { linearizedNtkGd, muPWidthSlope, type LinearizedNtkDynamics } from 'learning-mechanics/theory';

/** The loss constant: loss = C * sum_i (f(x_i) - y_i)^2 / n. */
const C = 0.5;

@experiment({ title: 'Wide networks train like their linearization (NTK)', steps: 1000 })
export class NtkLinearized {
  /** Hidden widths, one network each. */
  @param widths = [64, 256, 1024, 4096];
  /** Input dimension d. */
  @param inputDim = 5;
  /** Training examples n. */
  @param n = 40;
  /** Test points. */
  @param testPoints = 40;
  @param lr = 1;
  @param sigmaW = 1;
  @param sigmaB = 0.1;
  @param seed = 0;

  x = tf.randomNormal([this.n, this.inputDim]) as tf.Tensor2D;
  xTest = tf.randomNormal([this.testPoints, this.inputDim]) as tf.Tensor2D;
  /** A smooth target: y = sin(x . u) + 0.5 cos(x . u'), u, u' random unit-scale directions. */
  directions = tf.randomNormal([this.inputDim, 2]).div(Math.sqrt(this.inputDim));
  y = this.target(this.x);
  yTest = this.target(this.xTest);
  /** Per width: [W (d x m), b (m), v (m x 1), b2 (1)], all N(0, 1). */
  nets = this.widths.map((m) =>
    [[this.inputDim, m], [m], [m, 1], [1]].map((shape) => tf.variable(tf.randomNormal(shape))),
  );
  optimizer = tf.train.sgd(this.lr);
  model: NtkModelFn = ([w, b, v, b2], x) => {
    const d = x.shape[1]!;
    const m = w.shape[1]!;
    const h = x
      .matMul(w)
      .mul(this.sigmaW / Math.sqrt(d))
      .add(b.mul(this.sigmaB));
    return h
      .tanh()
      .matMul(v)
      .mul(this.sigmaW / Math.sqrt(m))
      .add(b2.mul(this.sigmaB))
      .reshape([-1]);
  };
  theory: LinearizedNtkDynamics[] = [];
  drift: NtkDrift[] = [];
  /** Test points whose outputs are plotted for the widest network. */
  shownTestPoints = [0, 1, 2, 3];

  target(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const z = x.matMul(this.directions);
      const [a, b] = tf.split(z, 2, 1);
      return a.sin().add(b.cos().mul(0.5)).reshape([-1]) as tf.Tensor1D;
    });
  }

  /** Theta_0, Theta_0(x*, X) and f_0 of every width: the linearized predictions. */
  setup() {
    const y = Array.from(this.y.dataSync());
    this.theory = this.nets.map((params) => {
      const init = tf.tidy(() => ({
        kernel: empiricalNtk(this.model, params, this.x).arraySync(),
        crossKernel: empiricalNtk(this.model, params, this.xTest, this.x).arraySync(),
        f0: Array.from(this.model(params, this.x).dataSync()),
        f0Test: Array.from(this.model(params, this.xTest).dataSync()),
      }));
      return linearizedNtkGd({ ...init, y, lr: this.lr, c: C });
    });
    this.drift = this.nets.map((params) => new NtkDrift(this.model, params, this.x));
    this.theory.forEach((lin, i) => {
      if (this.lr >= lin.maxStableLr)
        console.warn(
          `width ${this.widths[i]}: lr = ${this.lr} >= 2n / lambda_max = ${lin.maxStableLr.toFixed(3)}: the linearized model diverges`,
        );
    });
  }

  step() {
    this.stepCount++;
    this.optimizer.minimize(() =>
      this.nets.map((params) => this.lossOf(params, this.x, this.y)).reduce((a, b) => a.add(b)),
    );
  }

  lossOf(params: tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
    return this.model(params, x).sub(y).square().mean().mul(C);
  }

  /** Train loss (1/2n) sum (f - y)^2 of each width. */
  @observable({ every: 20 }) trainLoss(): number[] {
    return this.nets.map((params) => tf.tidy(() => this.lossOf(params, this.x, this.y).dataSync()[0]));
  }

  /** ||f_t - f_t^lin|| / ||f_t^lin|| on the train set, per width. */
  @observable({ every: 50 }) trainError(): number[] {
    return this.relativeErrors(this.x, (lin, t) => lin.train(t));
  }

  /** The same on the test points. */
  @observable({ every: 50 }) testError(): number[] {
    return this.relativeErrors(this.xTest, (lin, t) => lin.test(t));
  }

  /**
   * Least-squares slope of log(relative gap) against log(width), on train and on test: the width exponent of the
   * network-linearization gap at this step. NaN at step 0, where the gap is 0 up to round-off.
   */
  @observable({ every: 50 }) widthExponent(): number[] {
    if (this.stepCount === 0) return [NaN, NaN];
    return [this.trainError(), this.testError()].map((errors) => muPWidthSlope(this.widths, errors).slope);
  }

  /** The widest network's outputs on a few test points. */
  @observable({ every: 20 }) testOutputs(): number[] {
    const widest = this.nets[this.nets.length - 1];
    const f = tf.tidy(() => this.model(widest, this.xTest).dataSync());
    return this.shownTestPoints.map((i) => f[i]);
  }

  /** ||Theta_t - Theta_0||_F / ||Theta_0||_F on the train set, per width (n backward passes each: sampled rarely). */
  @observable({ every: 250 }) kernelChange(): number[] {
    if (this.kernelChangeCache?.step !== this.stepCount)
      this.kernelChangeCache = {
        step: this.stepCount,
        values: this.nets.map((params, i) => this.drift[i].relativeChange(params)),
      };
    return this.kernelChangeCache.values;
  }

  /** The width exponent of the relative kernel change (NaN at step 0, where the change is 0). */
  @observable({ every: 250 }) kernelExponent(): number {
    if (this.stepCount === 0) return NaN;
    return muPWidthSlope(this.widths, this.kernelChange()).slope;
  }

  /** The linearized train loss of each width, from its own Theta_0 and f_0. */
  @prediction('trainLoss', { score: 'r2', tolerance: 0.99, curve: true }) linearizedLoss(
    steps: number[],
  ): number[][] {
    return steps.map((t) => this.theory.map((lin) => lin.trainLoss(t)));
  }

  /** The linearized test outputs of the widest network. */
  @prediction('testOutputs', { score: 'r2', tolerance: 0.995, curve: true }) linearizedTest(
    steps: number[],
  ): number[][] {
    const widest = this.theory[this.theory.length - 1];
    return steps.map((t) => {
      const f = widest.test(t);
      return this.shownTestPoints.map((i) => f[i]);
    });
  }

  /** Slope -1 (kernel drift O(1/width)) with the band [-1.5, -0.5]: a relative error <= 1/2 from -1 is the band. */
  @prediction('widthExponent', { score: 'maxRelError', tolerance: 0.5, curve: true }) gapScaling(
    steps: number[],
  ) {
    return {
      y: steps.map(() => [-1, -1]),
      lo: steps.map(() => [-1.5, -1.5]),
      hi: steps.map(() => [-0.5, -0.5]),
    };
  }

  /** The same law for the kernel: ||Theta_t - Theta_0|| / ||Theta_0|| ~ 1/width. */
  @prediction('kernelExponent', { score: 'maxRelError', tolerance: 0.5, curve: true }) kernelScaling(
    steps: number[],
  ) {
    return { y: steps.map(() => -1), lo: steps.map(() => -1.5), hi: steps.map(() => -0.5) };
  }

  relativeErrors(x: tf.Tensor2D, linear: (lin: LinearizedNtkDynamics, t: number) => number[]): number[] {
    return this.nets.map((params, i) => {
      const f = tf.tidy(() => this.model(params, x).dataSync());
      const lin = linear(this.theory[i], this.stepCount);
      const diff = Math.hypot(...lin.map((v, k) => f[k] - v));
      return diff / Math.hypot(...lin);
    });
  }

  /** GD steps taken so far (the observables compare with the linearized model at this step). */
  stepCount = 0;
  kernelChangeCache?: { step: number; values: number[] };
}
