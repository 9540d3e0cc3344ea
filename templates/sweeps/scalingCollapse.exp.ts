/**
 * Scaling collapse: loss curves of models trained for compute-optimal horizons fall on one curve once normalised
 *
 * Students of size N (the first N of d = 512 features with variances k^-1.5, a teacher with weights N(0, k^-1))
 * learn by gradient descent on the population loss (infinite data, no noise), each for its compute-optimal
 * horizon T(N) = horizonScale * N^1.5 steps: the step count at which GD has learned the student's last feature,
 * since feature k is learned at a rate lr k^-1.5. The sweep runs N = 16, 32, 64, 128 x 2 seeds. The `collapse`
 * law reads every run's whole risk curve, normalises time by the run's horizon (t/T, the compute fraction, as
 * compute per step is proportional to N) and the risk by its final value, and scores the spread across sizes of
 * the normalised curves (std of their log over t/T in [0.2, 1]) over the spread of the raw curves at the same
 * fractions: pass below 0.2 (THEORY.md entry 16). The panel draws the normalised curves, one per size.
 * Measured: 0.050 (spread of log risk 1.41 before, 0.070 after), in 6 seconds. Against the seed-to-seed spread
 * (entry 16's ratio, `against: 'seeds'`) it reads 2.6: the seeds are different teachers, and without a
 * learning-rate decay the collapse is not below the seed noise (no "supercollapse").
 *
 * Why: at a fraction x of its horizon, a student has learned the features k below about x^(2/3) N; what is left
 * is the teacher's weight beyond that, about (x^(2/3) N)^-1.5 = x^-1 N^-1.5, and its final risk (the weight
 * beyond N) is about N^-1.5, so their ratio depends on x alone. With one horizon for every size (mis-scaled),
 * small students finish early and flatten while large ones are still learning: no collapse.
 *
 * Conventions: risk = (1/2) sum_k variance_k (w_k - w*_k)^2 over all d features (w_k = 0 beyond N), recorded every
 * step up to the run's horizon and NaN after it (the law keeps the finite samples: the curve ends at T(N)).
 *
 * Reference: Qiu, Xiao, Wilson, Pennington & Agarwala, "Scaling collapse reveals universal dynamics in
 * compute-optimally trained neural networks", arXiv:2507.02119 (2025); THEORY.md entry 16.
 *
 * To see it break: one horizon for every size (`--grid fixedHorizon=300`): the curves no longer collapse
 * (measured 0.36, fails).
 *
 * Open question (learningmechanics.pub): universal behaviours: why loss curves of well-scaled models share one
 * shape, and what that shape is.
 *
 * Strand: (c) simple mathematical laws
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, sweep } from 'learning-mechanics';

@sweep('sizes', {
  grid: { N: [16, 32, 64, 128] },
  seeds: 2,
  summarize: { risk: 'min' },
  laws: [{ law: 'collapse', y: 'risk', size: 'N', tolerance: 0.2 }],
})
@experiment({ title: 'Scaling collapse: normalised loss curves of compute-optimal runs', steps: 1500 })
export class ScalingCollapse {
  /** Model size: the student has the first N features. */
  @param N = 32;
  @param d = 512;
  /** Feature k has variance k^-spectrum. */
  @param spectrum = 1.5;
  /** Teacher weight k is N(0, k^-source). */
  @param source = 1;
  /** Horizon T(N) = horizonScale * N^1.5 steps. */
  @param horizonScale = 1;
  /** When > 0, the same horizon for every size (the mis-scaled sweep). */
  @param fixedHorizon = 0;
  @param seed = 0;

  variances = tf.tidy(() => tf.range(1, this.d + 1).pow(-this.spectrum));
  teacher = tf.tidy(() => tf.randomNormal([this.d]).mul(tf.range(1, this.d + 1).pow(-this.source / 2)));
  /** The student's weights, zero beyond N. */
  w = tf.variable(tf.zeros([this.d]));
  mask = tf.tidy(() => tf.range(0, this.d).less(this.N).toFloat());
  horizon = this.fixedHorizon > 0 ? this.fixedHorizon : Math.ceil(this.horizonScale * this.N ** 1.5);
  t = 0;

  /** GD on the population risk with lr = 1 (the largest variance is 1): w <- w - variance (w - w*) on the first N. */
  step() {
    if (this.t >= this.horizon) return;
    this.t++;
    tf.tidy(() => {
      const grad = this.w.sub(this.teacher).mul(this.variances).mul(this.mask);
      this.w.assign(this.w.sub(grad));
    });
  }

  /** Samples taken so far: the sample at step s is the observable's (s + 1)-th call (it is read every step). */
  samples = 0;

  /** (1/2) sum_k variance_k (w_k - w*_k)^2, until the horizon; NaN after it. */
  @observable risk(): number {
    if (this.samples++ > this.horizon) return NaN;
    return tf.tidy(() => this.w.sub(this.teacher).square().mul(this.variances).sum().div(2).dataSync()[0]);
  }
}
