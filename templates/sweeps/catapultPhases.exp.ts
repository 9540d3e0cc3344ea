/**
 * Catapult phase diagram: across learning rates, lazy below 2/lambda0, catapult below 4/lambda0, then divergent
 *
 * The uv model f(x) = v^T (u x) / sqrt(n) (width n = 1024, u and v N(0, 1)) learns one sample (|x| = 1, target
 * y = 0) by full-batch GD on the 1/2-MSE loss. Its NTK eigenvalue at init, lambda0 = (|v|^2 + |u x|^2) / n (about
 * 2), is measured in every run; the phase of the run is then predicted from lr * lambda0 alone (THEORY.md entry
 * 5): lazy (the loss falls monotonically) below 2, catapult (the loss spikes to O(n), lambda falls until
 * lr * lambda < 2, then the loss converges) below 4, divergent beyond. The sweep runs 9 learning rates x 2 seeds;
 * the `catapultPhases` law compares the predicted phase of every run with the one its loss curve shows (or
 * 'divergent' for a run whose loss overflowed) and scores the fraction right; the panel draws the observed phase
 * against lr with the edges 2/lambda0 and 4/lambda0.
 *
 * Conventions: loss (1/2)(f - y)^2; lambda = |grad_theta f|^2 by autodiff; the observed phase comes from
 * `catapultObservedPhase` on the loss of every step (spike: any loss above the initial one; converged: last loss
 * below half the initial one and lr * lambda < 2 at the end), coded 1 lazy, 2 catapult, 3 divergent.
 *
 * Reference: Lewkowycz, Bahri, Dyer, Sohl-Dickstein & Gur-Ari, "The large learning rate phase of deep learning:
 * the catapult mechanism", arXiv:2003.02218 (2020); THEORY.md entry 5.
 *
 * To see it break: cut the steps (`--steps 20`): catapult runs near the lower edge have not settled yet and read
 * as divergent (measured accuracy 0.89, fails). Narrowing the model (`--grid width=8`) does not break it here
 * (measured accuracy 1): lambda0 then varies from run to run (1 to 3), but the prediction uses each run's own.
 * For deep ReLU networks the upper edge moves to about 12/lambda0 (`upperEdge: 12` in the law).
 *
 * Open question (learningmechanics.pub): curvature, and scaling rules for learning rates: why training at a
 * learning rate "too large" for the initial curvature works, and ends flatter.
 *
 * Strand: (d) theories of hyperparameters
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, sweep } from 'learning-mechanics';
import { catapultObservedPhase, type CatapultPhase } from 'learning-mechanics/theory';

const PHASE_CODE: Record<CatapultPhase, number> = { lazy: 1, catapult: 2, divergent: 3 };

@sweep('phases', {
  grid: { lr: [0.5, 0.8, 0.95, 1.1, 1.4, 1.7, 1.9, 2.3, 2.6] },
  seeds: 2,
  summarize: { lambda0: 'final', phase: 'final', loss: 'max' },
  laws: [{ law: 'catapultPhases', lr: 'lr', lambda0: 'lambda0', phase: 'phase' }],
})
@experiment({ title: 'Catapult phases across learning rates (uv model)', steps: 200 })
export class CatapultPhases {
  /** GD step. */
  @param lr = 1.5;
  /** Hidden width n. */
  @param width = 1024;
  /** Input dimension d (x is a random unit vector). */
  @param inputDim = 8;
  @param seed = 0;

  x = tf.tidy(() => {
    const x = tf.randomNormal([this.inputDim, 1]);
    return x.div(x.norm()) as tf.Tensor2D;
  });
  u = tf.variable(tf.randomNormal([this.width, this.inputDim]));
  v = tf.variable(tf.randomNormal([this.width, 1]));
  optimizer = tf.train.sgd(this.lr);
  /** The loss of every step, step 0 first: the observed phase is read from it. */
  history: number[] = [];
  initialNtk = 0;

  output(u: tf.Tensor, v: tf.Tensor): tf.Scalar {
    return v.transpose().matMul(u.matMul(this.x)).div(Math.sqrt(this.width)).reshape([]);
  }

  lossValue(): number {
    return tf.tidy(() => this.output(this.u, this.v).square().div(2).dataSync()[0]);
  }

  /** lambda = |grad_theta f|^2. */
  ntk(): number {
    return tf.tidy(() => {
      const grads = tf.grads((u: tf.Tensor, v: tf.Tensor) => this.output(u, v))([this.u, this.v]);
      return grads.reduce((sum, g) => sum + g.square().sum().dataSync()[0], 0);
    });
  }

  setup() {
    this.initialNtk = this.ntk();
    this.history = [this.lossValue()];
  }

  step() {
    this.optimizer.minimize(() => this.output(this.u, this.v).square().div(2) as tf.Scalar);
    this.history.push(this.lossValue());
  }

  @observable loss(): number {
    return this.history[this.history.length - 1];
  }

  /** The NTK eigenvalue at initialization (recorded at step 0, so a run that later diverges keeps it). */
  @observable({ every: 1_000_000 }) lambda0(): number {
    return this.initialNtk;
  }

  /** The phase the loss curve shows: 1 lazy, 2 catapult, 3 divergent. */
  @observable({ atEnd: true }) phase(): number {
    return PHASE_CODE[catapultObservedPhase(this.history, { lrTimesSharpness: this.lr * this.ntk() })];
  }
}
