import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * The lazy-regime (linearized network) prediction of the whole training trajectory (THEORY.md entry 7; Jacot,
 * Gabriel & Hongler, arXiv:1806.07572; Lee et al., "Wide neural networks of any depth evolve as linear models
 * under gradient descent", arXiv:1902.06720; reference implementation google/neural-tangents
 * `predict.gradient_descent_mse`).
 *
 * Conventions (THEORY.md "Global conventions"): the loss is L = c * sum_i ||f(x_i) - y_i||^2 / n over the n
 * training examples (c = 1/2 is "1/2-MSE", neural-tangents' convention when n counts every output), full-batch
 * GD with step lr, gradient-flow time tau = lr * step. Outputs are flattened example-major (f[i*k + a]) and the
 * kernel is the matching n k x n k eNTK Theta_0 = J J^T at init (see `empiricalNtk`).
 *
 * The linearized model f_lin(theta) = f_0 + J (theta - theta_0) under GD moves as
 * f_{t+1} - f_t = -(2 c lr / n) Theta_0 (f_t - y), so with Theta_0 = V Lambda V^T and a = 2 c lr / n, exactly:
 *
 *     f_t(X) = y + V (I - a Lambda)^t V^T (f_0(X) - y)
 *     f_t(x) = f_0(x) + Theta_0(x, X) V Lambda^-1 [I - (I - a Lambda)^t] V^T (y - f_0(X))
 *     L_t    = (c / n) sum_j (1 - a lambda_j)^(2t) (v_j^T (f_0 - y))^2
 *
 * (c = 1/2 gives THEORY.md's (I - lr Lambda / n)^t). Gradient flow replaces (1 - a lambda)^t by
 * exp(-a lambda t) = exp(-2 c lambda tau / n). Eigenvalues below 1e-10 lambda_max in magnitude are dropped
 * (treated as 0: such directions of f_0 - y never move, and they add nothing to test predictions), as THEORY.md
 * says. GD on the linearized model converges iff lr < n / (c lambda_max) (= 2n / lambda_max for c = 1/2,
 * neural-tangents `max_learning_rate`).
 */
export interface LinearizedNtkProblem {
  /** Theta_0(X, X), the N x N train eNTK at init (N = n k). */
  kernel: readonly (readonly number[])[];
  /** f_0(X), the network's outputs at init on the train set (length N, example-major). */
  f0: ArrayLike<number>;
  /** Targets on the train set (length N, example-major). */
  y: ArrayLike<number>;
  lr: number;
  /** The loss constant c in L = c sum_i ||f(x_i) - y_i||^2 / n; default 1/2. */
  c?: number;
  /** n, the number of training examples the loss averages over; default N (one output per example). */
  examples?: number;
  /** `gd` (default): exact discrete GD; `flow`: gradient flow at tau = lr * step. */
  dynamics?: 'gd' | 'flow';
  /** Theta_0(X*, X), the M x N cross kernel between test and train points, for test predictions. */
  crossKernel?: readonly (readonly number[])[];
  /** f_0(X*), the outputs at init on the test points (length M). */
  f0Test?: ArrayLike<number>;
}

export interface LinearizedNtkDynamics {
  /** Eigenvalues of Theta_0, descending (dropped ones as exact zeros). */
  eigenvalues: number[];
  /** n / (c lambda_max): GD diverges (in the linearized model) for any larger lr. */
  maxStableLr: number;
  /** f_t(X) on the train set after `step` GD steps (any real step >= 0 for `flow`). */
  train(step: number): number[];
  /** f_t(X*) on the test points (needs `crossKernel` and `f0Test`). */
  test(step: number): number[];
  /** The train loss c ||f_t(X) - y||^2 / n. */
  trainLoss(step: number): number;
}

/**
 * Eigendecomposes Theta_0 once (ml-matrix, symmetric) and returns the closed-form trajectory.
 *
 * @example
 * const lin = linearizedNtkGd({ kernel: [[2, 0], [0, 1]], f0: [0, 0], y: [1, 1], lr: 0.5 });
 * lin.train(1); // => [0.5, 0.25]: f_1 = y - (1 - lr lambda / n) y with n = 2, c = 1/2
 */
export function linearizedNtkGd(problem: LinearizedNtkProblem): LinearizedNtkDynamics {
  const { kernel, f0, y, lr } = problem;
  const c = problem.c ?? 0.5;
  const size = kernel.length;
  const n = problem.examples ?? size;
  const dynamics = problem.dynamics ?? 'gd';
  checkInputs(problem, c, n);
  const theta = new Matrix(kernel.map((row) => [...row]));
  const evd = new EigenvalueDecomposition(theta.add(theta.transpose()).div(2), { assumeSymmetric: true });
  const order = evd.realEigenvalues
    .map((_, i) => i)
    .sort((i, j) => evd.realEigenvalues[j] - evd.realEigenvalues[i]);
  const top = Math.max(evd.realEigenvalues[order[0]], 0);
  const eigenvalues = order.map((i) => {
    const lambda = evd.realEigenvalues[i];
    return Math.abs(lambda) > 1e-10 * top ? lambda : 0;
  });
  const vectors = new Matrix(order.map((i) => evd.eigenvectorMatrix.getColumn(i))); // row j = v_j
  const residual0 = vectors.mmul(Matrix.columnVector(Array.from(f0, (f, i) => f - y[i]))).getColumn(0);
  const a = (2 * c * lr) / n;

  /** (1 - a lambda)^t, or exp(-a lambda t) for gradient flow. */
  const decay = (lambda: number, t: number) =>
    dynamics === 'flow' ? Math.exp(-a * lambda * t) : (1 - a * lambda) ** t;
  /** [1 - decay] / lambda, accurate for small a lambda; 0 for a dropped eigenvalue. */
  const gain = (lambda: number, t: number) => {
    if (lambda === 0) return 0;
    if (dynamics === 'flow') return -Math.expm1(-a * lambda * t) / lambda;
    return a * lambda < 1
      ? -Math.expm1(t * Math.log1p(-a * lambda)) / lambda
      : (1 - (1 - a * lambda) ** t) / lambda;
  };
  const checkStep = (t: number) => {
    const ok = dynamics === 'flow' ? Number.isFinite(t) && t >= 0 : Number.isInteger(t) && t >= 0;
    if (!ok)
      throw new RangeError(
        `step must be ${dynamics === 'flow' ? 'a finite number' : 'an integer'} >= 0, got ${t}`,
      );
    return t;
  };
  const cross = problem.crossKernel && new Matrix(problem.crossKernel.map((row) => [...row]));
  const crossV = cross && cross.mmul(vectors.transpose()); // Theta_0(x, X) V, M x N

  return {
    eigenvalues,
    maxStableLr: n / (c * top),
    train(step) {
      const t = checkStep(step);
      const r = Matrix.columnVector(eigenvalues.map((lambda, j) => decay(lambda, t) * residual0[j]));
      const f = vectors.transpose().mmul(r).getColumn(0);
      return f.map((v, i) => v + y[i]);
    },
    test(step) {
      const t = checkStep(step);
      if (!crossV || !problem.f0Test) throw new RangeError('test predictions need crossKernel and f0Test');
      const coefficients = Matrix.columnVector(
        eigenvalues.map((lambda, j) => -gain(lambda, t) * residual0[j]),
      );
      const f0Test = problem.f0Test;
      return crossV
        .mmul(coefficients)
        .getColumn(0)
        .map((v, i) => v + f0Test[i]);
    },
    trainLoss(step) {
      const t = checkStep(step);
      return (
        (c / n) * eigenvalues.reduce((sum, lambda, j) => sum + (decay(lambda, t) * residual0[j]) ** 2, 0)
      );
    },
  };
}

function checkInputs(problem: LinearizedNtkProblem, c: number, n: number): void {
  const { kernel, f0, y, lr, crossKernel, f0Test } = problem;
  const size = kernel.length;
  if (size === 0) throw new RangeError('the kernel is empty');
  kernel.forEach((row, i) => {
    if (row.length !== size)
      throw new RangeError(`kernel row ${i} has ${row.length} entries, expected ${size}`);
  });
  if (f0.length !== size || y.length !== size)
    throw new RangeError(`f0 (${f0.length}) and y (${y.length}) must have the kernel's size ${size}`);
  if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`lr must be finite and > 0, got ${lr}`);
  if (!(Number.isFinite(c) && c > 0)) throw new RangeError(`c must be finite and > 0, got ${c}`);
  if (!(Number.isInteger(n) && n > 0 && size % n === 0))
    throw new RangeError(`examples must be a positive divisor of the kernel size ${size}, got ${n}`);
  if (crossKernel) {
    crossKernel.forEach((row, i) => {
      if (row.length !== size)
        throw new RangeError(`crossKernel row ${i} has ${row.length} entries, expected ${size}`);
    });
    if (!f0Test || f0Test.length !== crossKernel.length)
      throw new RangeError(`f0Test must have one entry per crossKernel row (${crossKernel.length})`);
  }
  const values = [...kernel.flat(), ...Array.from(f0), ...Array.from(y)];
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('kernel, f0 and y must be finite');
}
