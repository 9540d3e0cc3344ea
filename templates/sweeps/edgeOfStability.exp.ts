/**
 * Edge of stability across learning rates: under full-batch GD the sharpness settles at 2/lr, whatever lr is
 *
 * Full-batch GD on a small tanh MLP (30-100-100-5) with 1/2-MSE on a synthetic 5-class task (500 points), at
 * three learning rates x 2 seeds. In each run the sharpness S(t), the top eigenvalue of the Hessian of the
 * training loss, rises (progressive sharpening) until it reaches GD's linear-stability threshold 2/lr, then
 * hovers there while the loss keeps falling, non-monotonically (THEORY.md entry 19). Across the sweep the
 * hovering sharpness therefore moves as 1/lr: the `edgeOfStability` law takes, per learning rate, the mean of
 * the last 20 sharpness samples (the last 500 steps, means over seeds) and scores the worst |S lr / 2 - 1|
 * against 5%; the panel draws the threshold 2/lr through the measured points on log-log axes.
 *
 * Conventions: loss = (1/2) sum_i ||f(x_i) - y_i||^2 / n, one-hot targets, LeCun-normal weights and zero
 * biases; the sharpness is measured every 25 steps by warm-started power iteration on finite-difference
 * Hessian-vector products (SharpnessTracker), of exactly the loss GD minimises.
 *
 * Reference: Cohen, Kaur, Li, Kolter & Talwalkar, "Gradient descent on neural networks typically occurs at the
 * edge of stability", arXiv:2103.00065 (2021); THEORY.md entry 19.
 *
 * To see it break: a small learning rate (`--grid lr=0.02,0.05`): 2/lr is above any sharpness this net reaches
 * in 2000 steps, so S stays below the edge and the law fails (no edge of stability); too few steps
 * (`--steps 300`): the sharpness has not reached the edge at the smaller learning rates; the wrong threshold
 * (`optimizer: 'momentum'` in the law while training with plain GD).
 *
 * Open question (learningmechanics.pub): curvature: why training sits at the edge of stability, and what the
 * optimizer's threshold says about which optimizers work.
 *
 * Strand: (d) theories of hyperparameters
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, sweep } from 'learning-mechanics';
import { SharpnessTracker } from 'learning-mechanics/observables';

@sweep('learningRates', {
  grid: { lr: [0.25, 0.35, 0.5] },
  seeds: 2,
  summarize: { sharpness: { meanLast: 20 }, loss: 'final' },
  laws: [{ law: 'edgeOfStability', lr: 'lr', sharpness: 'sharpness', optimizer: 'gd', tolerance: 0.05 }],
})
@experiment({ title: 'Edge of stability across learning rates: the sharpness settles at 2/lr', steps: 2000 })
export class EdgeOfStabilitySweep {
  @param lr = 0.3;
  /** Training points (the full batch). */
  @param n = 500;
  @param dim = 30;
  @param width = 100;
  @param classes = 5;
  @param seed = 0;

  x = tf.randomNormal([this.n, this.dim]);
  /** Labels of a random linear teacher, one-hot. */
  y = tf.tidy(() =>
    tf.oneHot(this.x.matMul(tf.randomNormal([this.dim, this.classes])).argMax(1), this.classes).toFloat(),
  );
  params = [this.width, this.width, this.classes].flatMap((fanOut, i, outs) => {
    const fanIn = i === 0 ? this.dim : outs[i - 1];
    return [
      tf.variable(tf.randomNormal([fanIn, fanOut], 0, 1 / Math.sqrt(fanIn))),
      tf.variable(tf.zeros([fanOut])),
    ];
  });
  tracker = new SharpnessTracker((p) => this.lossAt(p), { maxIterations: 20, seed: this.seed });

  /** (1/2) sum_i ||f(x_i) - y_i||^2 / n: the loss GD minimises, and the one whose Hessian is measured. */
  lossAt(params: tf.Tensor[]): tf.Scalar {
    const [w1, b1, w2, b2, w3, b3] = params;
    const h1 = tf.tanh(this.x.matMul(w1).add(b1));
    const h2 = tf.tanh(h1.matMul(w2).add(b2));
    return h2
      .matMul(w3)
      .add(b3)
      .sub(this.y)
      .square()
      .sum()
      .mul(0.5 / this.n);
  }

  step() {
    tf.tidy(() => {
      const grads = tf.grads((...p: tf.Tensor[]) => this.lossAt(p))(this.params);
      this.params.forEach((p, i) => p.assign(p.sub(grads[i].mul(this.lr))));
    });
  }

  @observable({ every: 10 }) loss(): tf.Scalar {
    return this.lossAt(this.params);
  }

  /** lambda_max of the Hessian of the training loss, by warm-started power iteration. */
  @observable({ every: 25 }) sharpness(): number {
    return this.tracker.estimate(this.params);
  }
}
