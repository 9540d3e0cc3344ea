/**
 * Silent alignment: the NTK aligns with the task before the loss moves
 *
 * A two-layer linear network f(x) = w2^T W1 x, started from small weights (scale `init`), learns a linear target
 * y = beta^T x on whitened, zero-mean inputs by full-batch GD. Its empirical NTK on the train set is measured
 * directly (per-example gradients) and its centered kernel-target alignment A(Theta_t, y y^T) tracked. Theory
 * (Atanasov, Bordelon & Pehlevan 2022) predicts two phases: while the loss is still on its plateau, the kernel
 * rotates to the task (A rises from its init value to 2 / sqrt(d + 3)) within a time ~ 1/(4 c |beta|) that
 * does not depend on the init scale; only later, at tau ~ ln(|beta| / init^2) / (4 c |beta|), does the
 * kernel's scale grow and the loss drop. So t_A / t_L -> 0 as init -> 0: the alignment is "silent".
 *
 * The prediction (`twoLayerLinearSilentAlignment`) is the exact reduced dynamics of this network, neglecting
 * only terms O(init^2 width / |beta|): from the initial weights it gives the whole alignment curve, the loss,
 * the kernel scale tr(Theta) / n and hence the lag t_A / t_L (half-rise of A over half-drop of the loss). In a
 * numpy check (init 1e-2 to 1e-4) the alignment curve matched with R^2 = 0.99999 and the half-times within one
 * 10-step sample. Conventions: loss = c * sum_i (f(x_i) - y_i)^2 / n with c = 1/2, tau = lr * step.
 *
 * What to vary to see the theory break: `init` up to 0.1-0.3 (the lazy regime for this width: init^2 width ~
 * |beta|): the neglected terms become O(1), the kernel no longer rotates before the loss falls (t_A / t_L >~ 1)
 * and the predicted curves drift off (init = 0.2: t_A / t_L = 2.2, alignment R^2 0.59). Smaller `init` (1e-5)
 * makes the plateau longer and the lag ratio smaller (0.076), still on the prediction. Reference: Atanasov,
 * Bordelon & Pehlevan, ICLR 2022, arXiv:2111.00034; kernel alignment: Cristianini et al. 2001, Cortes et al.
 * 2012; THEORY.md entry 23. Open question probed (learningmechanics.pub): representational similarity /
 * "defining features" (when is a trained network a kernel machine with its final kernel?).
 *
 * Strand: (e) universal behaviours
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import { empiricalNtk, ntkTargetAlignment, type NtkModelFn } from 'learning-mechanics/observables';
import {
  silentAlignmentLag,
  twoLayerLinearSilentAlignment,
  type SilentAlignmentCurves,
} from 'learning-mechanics/theory';

/** The loss constant: loss = C * sum_i (f(x_i) - y_i)^2 / n. */
const C = 0.5;

@experiment({ title: 'Silent alignment: the NTK aligns with the task before the loss drops', steps: 2000 })
export class SilentAlignment {
  /** Input dimension d. */
  @param inputDim = 8;
  /** Hidden width m. */
  @param width = 64;
  /** Training examples n (>= d + 1, so the inputs can be whitened and centered). */
  @param n = 32;
  /** |beta|, the target's strength. */
  @param targetNorm = 3;
  /** Standard deviation of every initial weight. */
  @param init = 1e-3;
  @param lr = 0.002;
  @param seed = 0;

  /** Whitened zero-mean inputs: X = sqrt(n) Q, Q's columns orthonormal and orthogonal to the ones vector. */
  x = tf.tidy(() => {
    const z = tf.concat([tf.ones([this.n, 1]), tf.randomNormal([this.n, this.inputDim])], 1);
    const [q] = tf.linalg.qr(z);
    return q.slice([0, 1], [this.n, this.inputDim]).mul(Math.sqrt(this.n)) as tf.Tensor2D;
  });
  beta = tf.tidy(() => {
    const b = tf.randomNormal([this.inputDim]);
    return b.mul(this.targetNorm).div(b.norm()) as tf.Tensor1D;
  });
  y = tf.tidy(() => this.x.matMul(this.beta.reshape([-1, 1])).reshape([-1]) as tf.Tensor1D);
  /** [W1 (m x d), w2 (m)]. */
  params = [
    tf.variable(tf.randomNormal([this.width, this.inputDim], 0, this.init)),
    tf.variable(tf.randomNormal([this.width], 0, this.init)),
  ];
  optimizer = tf.train.sgd(this.lr);
  model: NtkModelFn = ([w1, w2], x) =>
    x
      .matMul(w1, false, true)
      .matMul(w2.reshape([-1, 1]))
      .reshape([-1]);
  /** Theory inputs: the initial weights and beta as numbers. */
  initial!: { w1: number[][]; w2: number[]; beta: number[] };
  stepCount = 0;
  /** The measured alignment and loss at each sampled step, for the lag. */
  history: { step: number[]; alignment: number[]; loss: number[] } = { step: [], alignment: [], loss: [] };
  kernelCache?: { step: number; alignment: number; scale: number };

  setup() {
    this.initial = {
      w1: this.params[0].arraySync() as number[][],
      w2: this.params[1].arraySync() as number[],
      beta: this.beta.arraySync(),
    };
  }

  step() {
    this.stepCount++;
    this.optimizer.minimize(() => this.loss());
  }

  @observable({ every: 20 }) loss(): tf.Scalar {
    return this.model(this.params, this.x).sub(this.y).square().mean().mul(C);
  }

  /** Centered kernel-target alignment of the empirical NTK on the train set (n per-example gradients). */
  @observable({ every: 20 }) alignment(): number {
    return this.kernel().alignment;
  }

  /** tr(Theta(X, X)) / n: the kernel's scale, which grows only when the loss drops. */
  @observable({ every: 20 }) kernelScale(): number {
    return this.kernel().scale;
  }

  /** t_A / t_L measured: alignment half-rise time over loss half-drop time (NaN if either never happened). */
  @observable({ atEnd: true }) alignmentLag(): number {
    const { step, alignment, loss } = this.history;
    return silentAlignmentLag(step, alignment, loss).ratio;
  }

  @prediction('alignment', { score: 'r2', tolerance: 0.999, curve: true }) alignmentTheory(steps: number[]) {
    return this.theory(steps).alignment;
  }

  @prediction('loss', { score: 'r2', tolerance: 0.999, curve: true }) lossTheory(steps: number[]) {
    return this.theory(steps).loss;
  }

  @prediction('kernelScale', { score: 'r2log', tolerance: 0.999, curve: true }) kernelScaleTheory(
    steps: number[],
  ) {
    return this.theory(steps).kernelScale;
  }

  /** The predicted lag, from the predicted curves sampled at the same steps as the measured ones. */
  @prediction('alignmentLag', { score: 'ratio', tolerance: 0.05 }) lagTheory(): number {
    const steps = this.history.step;
    const curves = this.theory(steps);
    return silentAlignmentLag(steps, curves.alignment, curves.loss).ratio;
  }

  theory(steps: number[]): SilentAlignmentCurves {
    return twoLayerLinearSilentAlignment({ ...this.initial, c: C, lr: this.lr, steps });
  }

  /** The eNTK's alignment and scale at the current step, computed once per step and recorded for the lag. */
  kernel(): { alignment: number; scale: number } {
    if (this.kernelCache?.step !== this.stepCount) {
      const { alignment, scale } = tf.tidy(() => {
        const k = empiricalNtk(this.model, this.params, this.x);
        return {
          alignment: ntkTargetAlignment(k, this.y),
          scale: k.mul(tf.eye(this.n)).sum().dataSync()[0] / this.n,
        };
      });
      const loss = tf.tidy(() => this.loss().dataSync()[0]);
      this.kernelCache = { step: this.stepCount, alignment, scale };
      this.history.step.push(this.stepCount);
      this.history.alignment.push(alignment);
      this.history.loss.push(loss);
    }
    return this.kernelCache;
  }
}
