import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Exact train-loss dynamics of a linear model under full-batch GD (THEORY.md entry 2; classical, in the network
 * setting Lee et al. 2019, arXiv:1902.06720, and neural-tangents `predict.gradient_descent_mse`).
 *
 * Model f(x) = w^T psi(x) on fixed features, loss L(w) = (1/2n) ||Psi w - y||^2 (c = 1/2, mean over the n
 * samples), GD w <- w - lr * grad L(w) from w0. With Sigma = Psi^T Psi / n = sum_i lambda_i e_i e_i^T and w*
 * the minimum-norm least-squares solution, exactly, for every integer step t:
 *
 *     <w_t - w*, e_i> = (1 - lr lambda_i)^t <w0 - w*, e_i>
 *     L(t) = L_min + 1/2 sum_i lambda_i (1 - lr lambda_i)^(2t) <w0 - w*, e_i>^2,     L_min = L(w*).
 *
 * Eigenvalues below max(n, P) * eps * lambda_max are round-off of a rank-deficient Sigma (duplicate features,
 * P > n) and are set to 0: w* has no component there, and the matching residual never moves. GD converges iff
 * lr < 2 / lambda_max.
 */
export interface LinearRegressionDynamics {
  /** lambda_i, the eigenvalues of Sigma = Psi^T Psi / n, descending (the null space as exact zeros). */
  eigenvalues: number[];
  /** e_i, the matching unit eigenvectors: eigenvectors[i][p] is component p of e_i. */
  eigenvectors: number[][];
  /** The minimum-norm least-squares solution w* = Sigma^+ Psi^T y / n. */
  wStar: number[];
  /** L_min = (1/2n) ||Psi w* - y||^2. */
  lossMin: number;
  /** 2 / lambda_max: GD on this loss diverges for any larger lr. */
  maxStableLr: number;
  /** L(t), the train loss after `step` GD steps. */
  loss(step: number): number;
  /** <w_t - w*, e_i> for every i, after `step` GD steps. */
  modeResiduals(step: number): number[];
}

/** One row psi(x_j) per sample: number[][] or an array of Float64Array. */
export type FeatureRows = readonly ArrayLike<number>[];

/**
 * Eigendecomposes Sigma once (ml-matrix, symmetric QL) and returns the closed-form dynamics.
 *
 * @example
 * const gd = linearRegressionGd({ psi: [[1, 0], [0, 2]], y: [1, 1], lr: 0.1 });
 * gd.loss(0); // => 0.5 (w0 = 0)
 * gd.loss(100); // => 8.8e-6: 0.25 * 0.95^200, the slow mode (lambda = 0.5) still decaying
 */
export function linearRegressionGd(problem: {
  psi: FeatureRows;
  y: ArrayLike<number>;
  w0?: ArrayLike<number>;
  lr: number;
}): LinearRegressionDynamics {
  const { psi, y, w0, lr } = checkProblem(problem);
  const n = psi.rows;
  const { eigenvalues, eigenvectors } = symmetricEigen(psi.transpose().mmul(psi).div(n));
  const projectedTarget = eigenvectors.mmul(psi.transpose().mmul(y).div(n));
  const wStar = eigenvectors
    .transpose()
    .mmul(
      Matrix.columnVector(
        eigenvalues.map((lambda, i) => (lambda > 0 ? projectedTarget.get(i, 0) / lambda : 0)),
      ),
    );
  const lossMin = psi.mmul(wStar).sub(y).norm('frobenius') ** 2 / (2 * n);
  const initial = eigenvectors.mmul(Matrix.sub(w0, wStar)).getColumn(0);
  const decay = (step: number) => eigenvalues.map((lambda) => (1 - lr * lambda) ** checkStep(step));
  return {
    eigenvalues,
    eigenvectors: eigenvectors.to2DArray(),
    wStar: wStar.getColumn(0),
    lossMin,
    maxStableLr: 2 / eigenvalues[0],
    modeResiduals: (step) => decay(step).map((g, i) => g * initial[i]),
    loss: (step) =>
      lossMin + decay(step).reduce((sum, g, i) => sum + (eigenvalues[i] * (g * initial[i]) ** 2) / 2, 0),
  };
}

/** Eigenpairs of a symmetric matrix, descending, eigenvectors as the rows of the returned matrix. */
function symmetricEigen(sigma: Matrix): { eigenvalues: number[]; eigenvectors: Matrix } {
  const evd = new EigenvalueDecomposition(sigma, { assumeSymmetric: true });
  const order = evd.realEigenvalues
    .map((_, i) => i)
    .sort((i, j) => evd.realEigenvalues[j] - evd.realEigenvalues[i]);
  const top = Math.max(evd.realEigenvalues[order[0]], 0);
  const cutoff = Math.max(sigma.rows, sigma.columns) * Number.EPSILON * top;
  const eigenvalues = order.map((i) => (evd.realEigenvalues[i] > cutoff ? evd.realEigenvalues[i] : 0));
  const eigenvectors = new Matrix(order.map((i) => evd.eigenvectorMatrix.getColumn(i)));
  return { eigenvalues, eigenvectors };
}

function checkProblem(problem: {
  psi: FeatureRows;
  y: ArrayLike<number>;
  w0?: ArrayLike<number>;
  lr: number;
}) {
  const { psi, y, lr } = problem;
  if (psi.length === 0 || psi[0].length === 0)
    throw new RangeError('psi must have at least one row and column');
  const width = psi[0].length;
  psi.forEach((row, j) => {
    if (row.length !== width)
      throw new RangeError(`psi row ${j} has ${row.length} features, row 0 has ${width}`);
  });
  if (y.length !== psi.length) throw new RangeError(`y has ${y.length} entries for ${psi.length} samples`);
  const w0 = problem.w0 ?? new Float64Array(width);
  if (w0.length !== width) throw new RangeError(`w0 has ${w0.length} entries for ${width} features`);
  if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`lr must be finite and > 0, got ${lr}`);
  const matrices = {
    psi: new Matrix(psi.map((row) => Array.from(row))),
    y: Matrix.columnVector(Array.from(y)),
    w0: Matrix.columnVector(Array.from(w0)),
  };
  for (const [name, m] of Object.entries(matrices)) {
    const bad = m.to1DArray().findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new RangeError(`${name} has a non-finite entry ${m.to1DArray()[bad]} at flat index ${bad}`);
  }
  return { ...matrices, lr };
}

function checkStep(step: number): number {
  if (!(Number.isInteger(step) && step >= 0))
    throw new RangeError(`step must be an integer >= 0, got ${step}`);
  return step;
}
