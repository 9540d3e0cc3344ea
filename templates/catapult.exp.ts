/**
 * Catapult: a too-large learning rate spikes the loss, flattens the model, then converges
 *
 * The uv model f(x) = v^T (u x) / sqrt(n) learns one sample (|x| = 1, target y) by full-batch GD on the 1/2-MSE
 * loss, at several hidden widths n side by side, with one learning rate lr. Its NTK eigenvalue
 * lambda = |grad f|^2 (= the loss's sharpness wherever f = y) decides the phase: for lr < 2 / lambda0 the loss
 * decays monotonically ("lazy"); for 2 / lambda0 < lr < 4 / lambda0 the loss first grows exponentially to a peak
 * of order n, lambda drops until lr * lambda < 2, and only then does the loss converge, in a flatter region
 * ("catapult"); beyond 4 / lambda0 it diverges. The default lr = 1.5 (lambda0 is about 2 at N(0, 1) init) sits in
 * the catapult window. GD on this model maps (f, lambda) exactly to the next step, so the predictions are the
 * whole loss and lr * lambda / 2 curves of each width, computed from each net's own f0 and lambda0; the phase is
 * predicted from lr * lambda0 alone and compared with the one the loss curve shows; the peak loss of the
 * catapult grows in proportion to n (compare the widths).
 *
 * Conventions: loss (1/2)(f - y)^2 on the single sample; lambda = |grad_theta f|^2 measured by autodiff;
 * phases coded 1 = lazy, 2 = catapult, 3 = divergent. The loss prediction is left out of the score (not drawn)
 * where the exact map's loss falls below 1e-9 of its peak: float32 training cannot resolve a loss that small
 * (f is a sum of n products rounded to ~1e-7 relative).
 *
 * Reference: Lewkowycz, Bahri, Dyer, Sohl-Dickstein & Gur-Ari, "The large learning rate phase of deep learning:
 * the catapult mechanism", arXiv:2003.02218 (2020); THEORY.md entry 5.
 *
 * To see the theory break, or its edges: --set lr=0.9 (lazy: no spike, lambda stays put); --set lr=2.1
 * (lr * lambda0 > 4: divergent); narrow widths (--set widths=[4,16]): the map stays exact but the phase edges
 * blur, since a width-4 net's f0^2 / n is not small. The large-width phase edges are what carries over to real
 * networks (for deep ReLU nets the upper edge moves to about 12 / lambda0).
 *
 * Open question (learningmechanics.pub): curvature, and scaling rules for learning rates: why training at a
 * learning rate "too large" for the initial curvature works, and ends flatter.
 *
 * Strand: (a) solvable settings (the exactly solvable uv model; the phase boundary is also a (d) hyperparameter theory)
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import {
  catapultObservedPhase,
  catapultPhase,
  catapultUvTrajectory,
  type CatapultPhase,
  type CatapultUvTrajectory,
} from 'learning-mechanics/theory';
import { SharpnessTracker } from 'learning-mechanics/observables';

const PHASE_CODE: Record<CatapultPhase, number> = { lazy: 1, catapult: 2, divergent: 3 };

@experiment({ title: 'Catapult: a large learning rate spikes the loss, then flattens the model', steps: 60 })
export class Catapult {
  /** Hidden widths n, one uv model each. */
  @param widths = [256, 1024, 4096];
  /** Input dimension d (x is a random unit vector). */
  @param inputDim = 8;
  /** GD step, shared by all widths: 2/lambda0 < lr < 4/lambda0 is the catapult window (lambda0 ~ 2). */
  @param lr = 1.5;
  /** The sample's target y. */
  @param target = 0;
  @param seed = 0;

  x = this.unitInput();
  /** [u, v] per width: u is [n, d], v is [n, 1], both N(0, 1). */
  nets = this.widths.map((n) => [
    tf.variable(tf.randomNormal([n, this.inputDim])),
    tf.variable(tf.randomNormal([n, 1])),
  ]);
  optimizer = tf.train.sgd(this.lr);
  /** Every step's loss per width (step 0 first), read back for the peak and the phase. */
  history: number[][] = [];
  /** Each net's output and NTK eigenvalue at init, where the exact map starts. */
  f0: number[] = [];
  lambda0: number[] = [];

  unitInput(): tf.Tensor2D {
    const x = tf.randomNormal([this.inputDim, 1]);
    return x.div(x.norm()) as tf.Tensor2D;
  }

  /** f = v^T u x / sqrt(n) for one net. */
  output([u, v]: tf.Tensor[], k: number): tf.Scalar {
    return v.transpose().matMul(u.matMul(this.x)).div(Math.sqrt(this.widths[k])).reshape([]);
  }

  /** Net k's 1/2-MSE loss as a function of its parameters [u, v]: exactly the loss GD minimizes. */
  lossOf(params: tf.Tensor[], k: number): tf.Scalar {
    return this.output(params, k).sub(this.target).square().div(2);
  }

  losses(): tf.Scalar[] {
    return this.nets.map((net, k) => this.lossOf(net, k));
  }

  /** Power iteration on finite-difference Hessian-vector products, warm-started, one per width. */
  trackers = this.widths.map((_, k) => new SharpnessTracker((params) => this.lossOf(params, k), { seed: k }));

  /** lambda = |grad_theta f|^2 for each net, by autodiff. */
  ntk(): number[] {
    return this.nets.map((net, k) =>
      tf.tidy(() => {
        const grads = tf.grads((u: tf.Tensor, v: tf.Tensor) => this.output([u, v], k))(net);
        return grads.reduce((sum, g) => sum + g.square().sum().dataSync()[0], 0);
      }),
    );
  }

  setup() {
    this.f0 = tf.tidy(() => this.nets.map((net, k) => this.output(net, k).dataSync()[0]));
    this.lambda0 = this.ntk();
    this.history = [tf.tidy(() => this.losses().map((l) => l.dataSync()[0]))];
  }

  /** The exact map of each net from its own (f0, lambda0), sampled at `steps`. */
  mapped(steps: number[]): CatapultUvTrajectory[] {
    const { lr, target } = this;
    return this.widths.map((width, k) =>
      catapultUvTrajectory({ f0: this.f0[k], lambda0: this.lambda0[k], lr, width, target, steps }),
    );
  }

  step() {
    this.optimizer.minimize(() => tf.addN(this.losses()) as tf.Scalar);
    this.history.push(tf.tidy(() => this.losses().map((l) => l.dataSync()[0])));
  }

  @observable({ every: 1 }) loss(): number[] {
    return this.history[this.history.length - 1];
  }

  /** lr * lambda / 2: 1 is the edge of stability (2 / lr), 2 the divergence edge (4 / lr). */
  @observable({ every: 1 }) ntkOverEdge(): number[] {
    return this.ntk().map((lambda) => (this.lr * lambda) / 2);
  }

  /**
   * lr * S / 2 with S the top eigenvalue of the loss Hessian (measured, not the NTK): 1 is the edge of
   * stability. During the spike S differs from lambda (the Hessian has the extra term (f - y) grad^2 f); once the
   * loss has converged S = lambda, and the catapult leaves it below 1.
   */
  @observable({ every: 10 }) sharpnessOverEdge(): number[] {
    return this.nets.map((net, k) => (this.lr * this.trackers[k].estimate(net)) / 2);
  }

  /** The largest loss so far. */
  @observable({ atEnd: true }) peakLoss(): number[] {
    return this.widths.map((_, k) => Math.max(...this.history.map((losses) => losses[k])));
  }

  /** The phase the run shows: 1 lazy, 2 catapult (spike, then convergence with lr * lambda < 2), 3 divergent. */
  @observable({ atEnd: true }) phase(): number[] {
    const lrTimesNtk = this.ntk().map((lambda) => this.lr * lambda);
    return this.widths.map(
      (_, k) =>
        PHASE_CODE[
          catapultObservedPhase(
            this.history.map((losses) => losses[k]),
            { lrTimesSharpness: lrTimesNtk[k] },
          )
        ],
    );
  }

  @prediction('loss', { score: 'r2log', tolerance: 0.999, curve: true }) exactLoss(
    steps: number[],
  ): number[][] {
    const theory = this.mapped(steps);
    return steps.map((_, i) => theory.map((t) => (t.loss[i] >= 1e-9 * t.peakLoss ? t.loss[i] : NaN)));
  }

  @prediction('ntkOverEdge', { score: 'maxRelError', tolerance: 1e-3, curve: true }) exactNtk(
    steps: number[],
  ): number[][] {
    const theory = this.mapped(steps);
    return steps.map((_, i) => theory.map((t) => (this.lr * t.lambda[i]) / 2));
  }

  /** lr * lambda / 2 from the map: the sharpness at the end, where the loss has converged (scored there only). */
  @prediction('sharpnessOverEdge', { score: 'ratio', tolerance: 0.01 }) convergedSharpness(
    t: number,
  ): number[] {
    return this.mapped([t]).map((trajectory) => (this.lr * trajectory.lambda[0]) / 2);
  }

  /** The map's largest loss over steps 0..t. */
  @prediction('peakLoss', { score: 'ratio', tolerance: 0.01 }) exactPeak(t: number): number[] {
    return this.mapped([t]).map((trajectory) => trajectory.peakLoss);
  }

  @prediction('phase', { score: 'ratio', tolerance: 0 }) predictedPhase(): number[] {
    return this.lambda0.map((lambda0) => PHASE_CODE[catapultPhase(this.lr, lambda0)]);
  }
}
