/**
 * Saddle-to-saddle learning: plateau lengths grow like ln(1/init)
 *
 * A deep linear network started from a small init scale sigma sits on a plateau near the saddle at the origin,
 * then learns its target's singular modes one at a time, strongest first: a loss staircase. Entry 3's
 * prediction is how the jump times scale: at depth 2 each mode k jumps at tau_k = ln(lambda_k/s0_k - 1) /
 * (4 C lambda_k) with s0_k ~ sigma^2, so every decade of smaller init adds the same plateau length,
 * d tau_k / d ln(1/sigma) = L / (4 C lambda_k), and weaker modes wait proportionally longer (lambda_1/lambda_k).
 * The run trains one network per init scale in `sigmas` side by side (same random init direction, scaled), so the
 * slope is measured inside one run.
 *
 * Overlays: the mode strengths s_k(t) of every network against entry 1's logistic (the staircase); the measured
 * jump times (where s_k crosses lambda_k/2) against the exact gradient-flow times; the slope of the jump times
 * against ln(1/sigma) per mode against L / (4 C lambda_k) (depth 2) or the slope of ln tau_k (depth > 2, whose
 * asymptote is L - 2; the prediction is the same regression over the exact times, since at these sigma the
 * asymptote is not reached). Tolerances: the formulas are gradient flow; GD at step lr shifts the times by about
 * C lambda lr relatively (1% for the strongest mode here), hence 3%. A second slope prediction corrects for the
 * GD step (near the saddle GD grows a mode by (1 + 2 C lambda lr)^2 per step, so the slope is
 * lr / ln(1 + 2 C lambda lr)); it leaves O((C lambda lr)^2) and the effective-s0 approximation, hence 0.5%
 * (measured 0.1-0.25% over seeds 0-3, and still 0.25% at lr = 0.02 where the flow slope is 8% off).
 *
 * Conventions: loss = C * sum_i ||f(x_i) - y_i||^2 / n = C ||W_tot - T||_F^2 on whitened inputs with C = 1 (the
 * learningmechanics widget); tau = lr * step. Depth 2 uses i.i.d. Gaussian init (each mode's effective start
 * from `depth2SequentialS0`); depth > 2 uses balanced init sigma * I (s0 = sigma^L), the only one with an exact
 * theory (give it larger sigmas, e.g. [0.3, 0.2, 0.1], and more steps: its plateaus grow like sigma^-(L-2)).
 *
 * Reference: Jacot et al., arXiv:2106.15933; Pesme & Flammarion, arXiv:2304.00488; Saxe et al.,
 * arXiv:1312.6120; THEORY.md entries 3 and 1. To see the theory break: raise lr (lr * 4 C lambda_1 near 1:
 * the times shift, then GD oscillates), raise sigma towards 1 (lazy regime: no plateau, modes learned together,
 * the ln(1/sigma) law bends), or set commonInit = false (independent init per sigma: the slope then carries
 * O(1)/ln-range noise from each draw's effective s0, although each jump time is still predicted).
 * Open question probed: od-12, stepwise low-rank learning (and oq-4-1: do nonlinear nets follow this null model?).
 *
 * Strand: (a) solvable settings
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import {
  depth2SequentialS0,
  integrateModes,
  predictedLoss,
  saddleCrossingTime,
  saddleEscapeTime,
  saddlePlateauLaw,
  saddleSlopeFit,
  type SaddlePlateauLaw,
} from 'learning-mechanics/theory';

/** The loss constant: loss = C * ||W_tot - T||_F^2. */
const C = 1;

const slopeOf = (law: SaddlePlateauLaw) => (law.kind === 'log' ? law.slope : NaN);

@experiment({ title: 'Saddle-to-saddle: plateaus grow like ln(1/init)', steps: 3000 })
export class SaddleToSaddle {
  @param depth = 2;
  @param lr = 0.0025;
  @param sigmas = [1e-2, 1e-3, 1e-4, 1e-5];
  @param targets = [4, 2, 1];
  /** Scale one random init direction by each sigma (true) or draw each network independently (false). */
  @param commonInit = true;
  @param seed = 0;

  /** Width of every layer, and number of training items. */
  d = this.targets.length;
  nets = this.sigmas.length;
  /** Whitened inputs sqrt(d) e_i (columns), so E[x x^T] = I; targets y_i = T x_i with T = diag(targets). */
  x = tf.eye(this.d).mul(Math.sqrt(this.d));
  y = tf.diag(tf.tensor1d(this.targets)).matMul(this.x);
  /** weights[l] holds layer l of every network: shape [nets, d, d]. */
  weights = Array.from({ length: this.depth }, () => tf.variable(this.initLayer()));
  optimizer = tf.train.sgd(this.lr);
  /** s0[n][k]: mode k's starting strength in network n, as the prediction sees it. */
  s0: number[][] = [];
  /** The mode strengths of every network after every step, for the crossing times. */
  history: number[][][] = [];
  historySteps: number[] = [];

  initLayer(): tf.Tensor3D {
    const scales = tf.tensor1d(this.sigmas).reshape([this.nets, 1, 1]);
    if (this.depth > 2) return tf.eye(this.d).expandDims(0).mul(scales) as tf.Tensor3D;
    const shape: [number, number, number] = [this.commonInit ? 1 : this.nets, this.d, this.d];
    return tf.randomNormal(shape).mul(scales) as tf.Tensor3D;
  }

  setup() {
    if (this.depth > 2) {
      this.s0 = this.sigmas.map((sigma) => this.targets.map(() => sigma ** this.depth));
    } else if (this.depth === 2) {
      const [w1, w2] = this.weights.map((w) => w.arraySync() as number[][][]);
      this.s0 = this.sigmas.map((_, n) => {
        const a0 = this.targets.map((_, mu) => w1[n].map((row) => row[mu])); // W1 v_mu
        const b0 = this.targets.map((_, mu) => w2[n][mu]); // W2^T u_mu
        return depth2SequentialS0(a0, b0, this.targets);
      });
    } else {
      throw new RangeError('depth 1 has no plateaus: use depth >= 2');
    }
    this.record(0);
  }

  endToEnd(): tf.Tensor3D {
    return this.weights.reduce<tf.Tensor3D>(
      (product, w) => tf.matMul(w, product),
      tf.eye(this.d).expandDims(0).tile([this.nets, 1, 1]) as tf.Tensor3D,
    );
  }

  /** s[n][k] = (W_tot)_kk of network n (T is diagonal, so its singular vectors are the basis vectors). */
  modeStrengths(): number[][] {
    const w = tf.tidy(() => this.endToEnd().arraySync());
    return w.map((m) => this.targets.map((_, k) => m[k][k]));
  }

  record(step: number) {
    this.history.push(this.modeStrengths());
    this.historySteps.push(step);
  }

  step(t: number) {
    this.optimizer.minimize(() => {
      const f = tf.matMul(this.endToEnd(), this.x.expandDims(0).tile([this.nets, 1, 1]) as tf.Tensor3D);
      return f
        .sub(this.y)
        .square()
        .sum()
        .mul(C / this.d);
    });
    this.record(t + 1);
  }

  /** Loss of each network, C ||W_tot - T||^2. */
  @observable({ every: 20 }) loss(): tf.Tensor1D {
    return tf.tidy(() =>
      this.endToEnd()
        .sub(tf.diag(tf.tensor1d(this.targets)))
        .square()
        .sum([1, 2])
        .mul(C),
    );
  }

  /** Every network's mode strengths, flattened [net][mode]. */
  @observable({ every: 20 }) modes(): number[] {
    return this.history[this.history.length - 1].flat();
  }

  /** Entry 1's mode dynamics from each network's s0: the logistic (depth 2) or the integrated ODE. */
  @prediction('modes', { score: 'r2', tolerance: 0.99, curve: true }) modeCurves(
    steps: number[],
  ): number[][] {
    const perNet = this.predictedModes(steps);
    return steps.map((_, i) => perNet.flatMap((net) => net[i]));
  }

  @prediction('loss', { score: 'r2', tolerance: 0.99, curve: true }) modeLoss(steps: number[]): number[][] {
    const perNet = this.predictedModes(steps);
    return steps.map((_, i) => perNet.map((net) => predictedLoss(net[i], this.targets, C)));
  }

  /** The jump time tau_k (in tau = lr * step) of every network and mode: where s_k crosses lambda_k / 2. */
  @observable({ atEnd: true }) jumpTimes(): number[] {
    return this.sigmas.flatMap((_, n) =>
      this.targets.map(
        (lambda, k) =>
          this.lr *
          saddleCrossingTime(
            this.historySteps,
            this.history.map((s) => s[n][k]),
            lambda / 2,
          ),
      ),
    );
  }

  @prediction('jumpTimes', { score: 'maxRelError', tolerance: 0.03 }) escapeTimes(): number[] {
    return this.predictedJumpTimes().flat();
  }

  /**
   * Per mode, the slope of the jump times against ln(1/sigma) across the networks: of tau_k at depth 2, of
   * ln tau_k at depth > 2.
   */
  @observable({ atEnd: true }) plateauSlopes(): number[] {
    const times = this.jumpTimes();
    return this.slopes((n, k) => times[n * this.targets.length + k]);
  }

  /** L / (4 C lambda_k) at depth 2; at depth > 2 the same regression over the exact times (-> L - 2). */
  @prediction('plateauSlopes', { score: 'maxRelError', tolerance: 0.03 }) plateauLaw(): number[] {
    if (this.depth === 2) return this.targets.map((lambda) => slopeOf(saddlePlateauLaw(lambda, 2, C)));
    const times = this.predictedJumpTimes();
    return this.slopes((n, k) => times[n][k]);
  }

  /**
   * Depth 2, corrected for the GD step: lr / ln(1 + 2 C lambda_k lr), the escape rate of GD near the saddle.
   * What is left is O((C lambda lr)^2) and the effective-s0 approximation, hence 0.5%. Depth > 2: as plateauLaw.
   */
  @prediction('plateauSlopes', { score: 'maxRelError', tolerance: 0.005 }) plateauLawGd(): number[] {
    if (this.depth !== 2) return this.plateauLaw();
    return this.targets.map((lambda) => slopeOf(saddlePlateauLaw(lambda, 2, C, this.lr)));
  }

  slopes(time: (net: number, mode: number) => number): number[] {
    const x = this.sigmas.map((sigma) => Math.log(1 / sigma));
    return this.targets.map((_, k) => {
      const y = this.sigmas.map((_, n) => (this.depth === 2 ? time(n, k) : Math.log(time(n, k))));
      return saddleSlopeFit(x, y);
    });
  }

  predictedJumpTimes(): number[][] {
    return this.s0.map((s0) =>
      this.targets.map((lambda, k) =>
        // A mode that starts past lambda/2 has no plateau (large init: the lazy side): no prediction.
        s0[k] > 0 && s0[k] < lambda / 2
          ? saddleEscapeTime({ lambda, s0: s0[k], depth: this.depth, c: C })
          : NaN,
      ),
    );
  }

  /** result[net][i][k]: mode k of each network at steps[i] (entry 1's `integrateModes`). */
  predictedModes(steps: number[]): number[][][] {
    const { targets: lambdas, depth, lr } = this;
    return this.s0.map((s0) => integrateModes({ lambdas, s0, depth, c: C, lr, steps }));
  }
}
