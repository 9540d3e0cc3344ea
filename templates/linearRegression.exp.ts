/**
 * Linear regression under full-batch gradient descent, eigenmode by eigenmode (THEORY.md entry 2).
 *
 * A linear model f(x) = w^T psi(x) on fixed Gaussian features with a power-law spectrum, trained on
 * L(w) = (1/2n) ||Psi w - y||^2 (the loss constant c = 1/2). Writing Sigma = Psi^T Psi / n = sum_i lambda_i e_i e_i^T,
 * GD moves each eigen-coordinate of w - w* independently:
 *     <w_t - w*, e_i> = (1 - lr lambda_i)^t <w_0 - w*, e_i>,
 *     L(t) = L_min + 1/2 sum_i lambda_i (1 - lr lambda_i)^(2t) <w_0 - w*, e_i>^2.
 * The prediction is exact for every step, so the measured loss agrees with it to float32 precision: this is the
 * unit test of the whole pipeline (data, training, sampling, scoring). It holds for any lr below 2 / lambda_max;
 * above it, GD diverges and so does the prediction.
 *
 * Strand: (a) solvable settings. Reference: THEORY.md entry 2.
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import { linearRegressionGd, type LinearRegressionDynamics } from 'learning-mechanics/theory';

@experiment({ title: 'Linear regression: the exact loss curve of gradient descent', steps: 500 })
export class LinearRegression {
  /** Training samples. */
  @param n = 256;
  /** Features per sample. */
  @param features = 32;
  /** Feature variances k^-decay, k = 1..features: a power-law spectrum. */
  @param decay = 1.5;
  /** Standard deviation of the label noise; with noise the minimum loss L_min is above 0. */
  @param noise = 0.1;
  @param lr = 0.5;
  @param seed = 0;

  scales = tf.tensor1d(Array.from({ length: this.features }, (_, k) => (k + 1) ** (-this.decay / 2)));
  psi = tf.randomNormal([this.n, this.features]).mul(this.scales) as tf.Tensor2D;
  wTrue = tf.randomNormal([this.features, 1]);
  y = this.psi.matMul(this.wTrue).add(tf.randomNormal([this.n, 1], 0, this.noise)) as tf.Tensor2D;
  w = tf.variable(tf.zeros([this.features, 1]));
  theory!: LinearRegressionDynamics;

  /** The prediction is computed from exactly the float32 data the model trains on. */
  setup() {
    this.theory = linearRegressionGd({
      psi: this.psi.arraySync(),
      y: this.y.dataSync(),
      w0: this.w.dataSync(),
      lr: this.lr,
    });
    const rank = this.theory.eigenvalues.filter((lambda) => lambda > 0).length;
    this.tracked = [0, 1, 2, 3, 4].map((k) => Math.round((k * (rank - 1)) / 4));
    if (this.lr >= this.theory.maxStableLr) {
      console.warn(
        `lr = ${this.lr} >= 2 / lambda_max = ${this.theory.maxStableLr}: gradient descent will diverge`,
      );
    }
  }

  /** One GD step with the gradient written out: grad L = Psi^T (Psi w - y) / n. */
  step() {
    tf.tidy(() => {
      const residual = this.psi.matMul(this.w).sub(this.y);
      this.w.assign(this.w.sub(this.psi.matMul(residual, true).mul(this.lr / this.n)));
    });
  }

  @observable({ every: 1 }) loss(): tf.Scalar {
    return this.psi
      .matMul(this.w)
      .sub(this.y)
      .square()
      .sum()
      .div(2 * this.n);
  }

  /** Five eigendirections spread over the non-null spectrum, strongest first: fast, then ever slower. */
  tracked: number[] = [];

  /** <w_t - w*, e_i> along the tracked eigendirections. */
  @observable({ every: 5 }) residuals(): number[] {
    const w = this.w.dataSync();
    const { eigenvectors, wStar } = this.theory;
    return this.tracked.map((i) => eigenvectors[i].reduce((sum, e, p) => sum + e * (w[p] - wStar[p]), 0));
  }

  @prediction('loss', { score: 'maxRelError', tolerance: 1e-5 }) exact(t: number): number {
    return this.theory.loss(t);
  }

  @prediction('residuals', { score: 'r2', tolerance: 0.9999 }) eigenmodes(t: number): number[] {
    const all = this.theory.modeResiduals(t);
    return this.tracked.map((i) => all[i]);
  }
}
