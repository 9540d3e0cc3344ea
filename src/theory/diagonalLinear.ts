import { CholeskyDecomposition, Matrix, pseudoInverse, SingularValueDecomposition } from 'ml-matrix';

/**
 * Implicit bias of a diagonal linear network between the kernel ("lazy") and rich regimes (THEORY.md entry 4;
 * Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry & Srebro, "Kernel and rich regimes in
 * overparametrized models", COLT 2020, arXiv:2002.09277).
 *
 * Model f(x) = w^T x with w = u+ ⊙ u+ - u- ⊙ u- (elementwise), initialised at u+ = u- = alpha (so w(0) = 0),
 * trained by gradient flow on a squared loss of n < d samples X w = y until it interpolates. Because
 * u+_i u-_i = alpha_i^2 is conserved and u+ / u- integrate the same gradient with opposite signs, the flow stays
 * on w = 2 alpha^2 ⊙ sinh(X^T nu) for a dual vector nu (for the loss c ||Xw - y||^2 / n,
 * nu = -(4 * 2c / n) * integral of the residual X w - y over tau = lr * step), and converges to
 *
 *     w_alpha = argmin_w Q_alpha(w)  subject to  X w = y,
 *     Q_alpha(w) = sum_i alpha_i^2 q(w_i / alpha_i^2),     q(z) = 2 - sqrt(4 + z^2) + z asinh(z / 2).
 *
 * q'(z) = asinh(z/2), so the optimality condition grad Q_alpha = X^T nu is exactly the flow's form of w.
 * alpha -> 0 makes Q_alpha proportional to ||w||_1 (sparse, "rich"), alpha -> infinity to ||w||_2^2 (the
 * minimum-norm interpolator, "kernel"). The selected w_alpha depends on neither the loss constant c nor the
 * step size, as long as the step is small (gradient-flow regime): a larger step drifts towards sparser
 * solutions (Even, Pesme, Gunasekar & Flammarion 2023), a boundary of this theory.
 *
 * `alpha` may be a number or one value per coordinate (the "shape" of the init); both enter only as alpha_i^2.
 */

/** One row x_j per sample (n rows of d numbers): number[][] or an array of Float64Array. */
export type DiagonalLinearRows = readonly ArrayLike<number>[];

/** The interpolator selected by the init scale, with its dual certificate. */
export interface DiagonalLinearSolution {
  /** w_alpha = 2 alpha^2 ⊙ sinh(X^T nu), the interpolator the gradient flow reaches. */
  w: number[];
  /** The dual variables nu (one per sample) at the optimum. */
  nu: number[];
  /** Q_alpha(w_alpha). */
  potential: number;
  /** ||X w_alpha - y|| / ||y||: how exactly the constraint holds (about 1e-14 when converged). */
  residual: number;
  /** Newton iterations used. */
  iterations: number;
}

/**
 * q(z) = 2 - sqrt(4 + z^2) + z asinh(z / 2), the per-coordinate potential of THEORY.md entry 4 (Woodworth et
 * al. 2020, Theorem 1). Even, convex, q(0) = 0, q'(z) = asinh(z / 2), q(z) ~ z^2 / 4 for small z and
 * ~ |z| (ln|z| - 1) for large z. Evaluated with 2 - sqrt(4 + z^2) = -z^2 / (2 + sqrt(4 + z^2)), which avoids
 * the cancellation at small z.
 *
 * @example
 * diagonalLinearQ(2); // => 0.93432 = 2 - 2 sqrt(2) + 2 asinh(1)
 */
export function diagonalLinearQ(z: number): number {
  if (!Number.isFinite(z)) throw new RangeError(`z must be finite, got ${z}`);
  return -(z * z) / (2 + Math.sqrt(4 + z * z)) + z * Math.asinh(z / 2);
}

/** Q_alpha(w) = sum_i alpha_i^2 q(w_i / alpha_i^2) (THEORY.md entry 4); `alpha` a number or one per coordinate. */
export function diagonalLinearPotential(w: ArrayLike<number>, alpha: number | readonly number[]): number {
  return potentialOf(w, squaredScales(alpha, w.length));
}

function potentialOf(w: ArrayLike<number>, a2: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += a2[i] * diagonalLinearQ(w[i] / a2[i]);
  return sum;
}

/**
 * Solves min Q_alpha(w) s.t. X w = y through its dual (THEORY.md entry 4): maximize the concave
 *
 *     D(nu) = nu . y - sum_i 2 alpha_i^2 cosh((X^T nu)_i),
 *
 * whose gradient is y - X w(nu) with w(nu) = 2 alpha^2 ⊙ sinh(X^T nu) and whose Hessian is
 * -X diag(2 alpha^2 cosh(X^T nu)) X^T (n x n, negative definite when X has full row rank). Damped Newton from
 * nu = 0: each step solves the n x n system by ml-matrix's Cholesky and backtracks (Armijo, factor 1/2) until
 * D increases enough, and no step moves any (X^T nu)_i by more than 10. It stops when
 * ||y - X w|| <= tolerance * ||y|| (or at ||y - X w|| <= 1e-8 ||y|| if rounding stalls the line search first).
 * Hand-written Newton rather than a library optimizer: the n x n Newton system is the whole cost, and ml-matrix's
 * Cholesky solves it. Typically 2 (alpha >= 3) to 20 (alpha = 1e-12) steps for n = 20, d = 50 (unit tests).
 * Needs n <= d and X of full row rank (else some y cannot be interpolated), and every |(X^T nu)_i| < 710 at the
 * optimum (cosh overflows beyond): tested for alpha from 1e-12 to 1e3 with O(1) weights.
 *
 * @example
 * diagonalLinearInterpolator({ x: [[1, 2]], y: [1], alpha: 100 }).w; // => [0.2, 0.4], the min-l2 interpolator
 * diagonalLinearInterpolator({ x: [[1, 2]], y: [1], alpha: 1e-4 }).w; // => [7e-5, 0.49996], near the min-l1 one [0, 0.5]
 */
export function diagonalLinearInterpolator(problem: {
  x: DiagonalLinearRows;
  y: ArrayLike<number>;
  alpha: number | readonly number[];
  /** Stop when ||X w - y|| <= tolerance * ||y||; default 1e-10. */
  tolerance?: number;
  /** Default 500. */
  maxIterations?: number;
}): DiagonalLinearSolution {
  const { x, y } = checkRows(problem.x, problem.y);
  const n = x.rows;
  const d = x.columns;
  const a2 = squaredScales(problem.alpha, d);
  const tolerance = problem.tolerance ?? 1e-10;
  const maxIterations = problem.maxIterations ?? 500;
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  const svd = new SingularValueDecomposition(x, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  if (n > d || svd.rank < n) {
    throw new RangeError(
      `diagonalLinearInterpolator: X (${n} x ${d}) needs full row rank n <= d to interpolate every y`,
    );
  }
  const yNorm = Math.hypot(...y);
  const xt = x.transpose();

  const scores = (nu: number[]) => xt.mmul(Matrix.columnVector(nu)).getColumn(0);
  // D(nu + step) - D(nu), with cosh(s') - cosh(s) = 2 sinh((s' + s)/2) sinh((s' - s)/2): no cancellation
  // against the large constant part of D, so the line search still sees increases of 1e-20 near the optimum.
  const increase = (s: number[], step: number[]) => {
    const ds = scores(step);
    let value = dot(step, y);
    for (let i = 0; i < d; i++) value -= 4 * a2[i] * Math.sinh(s[i] + ds[i] / 2) * Math.sinh(ds[i] / 2);
    return Number.isNaN(value) ? -Infinity : value;
  };
  const weightsOf = (s: number[]) => s.map((si, i) => 2 * a2[i] * Math.sinh(si));
  const gradientOf = (w: number[]) => {
    const xw = x.mmul(Matrix.columnVector(w)).getColumn(0);
    return y.map((yi, j) => yi - xw[j]);
  };

  const solution = (w: number[], nu: number[], gNorm: number, iterations: number) => ({
    w,
    nu,
    potential: potentialOf(w, a2),
    residual: gNorm / yNorm,
    iterations,
  });

  let nu = new Array<number>(n).fill(0);
  for (let iteration = 0; ; iteration++) {
    const s = scores(nu);
    const w = weightsOf(s);
    const g = gradientOf(w);
    const gNorm = Math.hypot(...g);
    if (gNorm <= tolerance * yNorm) {
      return solution(w, nu, gNorm, iteration);
    }
    if (iteration >= maxIterations) {
      throw new Error(
        `diagonalLinearInterpolator: no convergence in ${maxIterations} Newton steps (||Xw - y|| / ||y|| = ${gNorm / yNorm})`,
      );
    }
    // -Hessian = X diag(2 alpha^2 cosh(s)) X^T, filled symmetrically (ml-matrix's Cholesky checks symmetry).
    const c = s.map((si, i) => 2 * a2[i] * Math.cosh(si));
    const hessian = new Matrix(n, n);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k <= j; k++) {
        let sum = 0;
        for (let i = 0; i < d; i++) sum += x.get(j, i) * c[i] * x.get(k, i);
        hessian.set(j, k, sum);
        hessian.set(k, j, sum);
      }
    }
    // A relative ridge of 1e-13 keeps the system positive definite when the weights c span many decades
    // (tiny alpha: off-support c ~ alpha^2, on-support c ~ |w|); it only damps the flattest directions.
    let largest = 0;
    for (let j = 0; j < n; j++) largest = Math.max(largest, hessian.get(j, j));
    for (let j = 0; j < n; j++) hessian.set(j, j, hessian.get(j, j) + 1e-13 * largest);
    const cholesky = new CholeskyDecomposition(hessian);
    if (!cholesky.isPositiveDefinite())
      throw new Error('diagonalLinearInterpolator: Newton system not positive definite');
    const direction = cholesky.solve(Matrix.columnVector(g)).getColumn(0);
    const slope = dot(g, direction);
    // A step may move no score (X^T nu)_i by more than 10: cosh grows like e^s, so a longer Newton step from a
    // point far from the optimum (nu = 0 with a tiny alpha) only overflows and backtracks for nothing.
    const moves = scores(direction).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let t = Math.min(1, 10 / moves);
    const accepted = () => increase(s, scaled(direction, t)) >= 0.25 * t * slope;
    while (!accepted() && t > 1e-12) t /= 2;
    if (!accepted()) {
      if (gNorm <= 1e-8 * yNorm) return solution(w, nu, gNorm, iteration);
      throw new Error(
        `diagonalLinearInterpolator: line search failed at ||Xw - y|| / ||y|| = ${gNorm / yNorm}`,
      );
    }
    nu = nu.map((v, j) => v + t * direction[j]);
  }
}

/**
 * The alpha -> infinity limit of `diagonalLinearInterpolator` (the kernel regime): the minimum-l2-norm
 * interpolator X^+ y = X^T (X X^T)^-1 y, by ml-matrix's pseudo-inverse. (Q_alpha(w) -> ||w||^2 / (4 alpha^2)
 * for uniform alpha.) For w on the scale of alpha^2 or below, w_alpha differs from it by O(w^2 / alpha^4).
 */
export function diagonalLinearMinL2(x: DiagonalLinearRows, y: ArrayLike<number>): number[] {
  const rows = checkRows(x, y);
  return pseudoInverse(rows.x).mmul(Matrix.columnVector(rows.y)).getColumn(0);
}

function squaredScales(alpha: number | readonly number[], d: number): number[] {
  const values = typeof alpha === 'number' ? new Array<number>(d).fill(alpha) : [...alpha];
  if (values.length !== d) throw new RangeError(`alpha has ${values.length} entries for ${d} coordinates`);
  return values.map((a, i) => {
    if (!(Number.isFinite(a) && a > 0)) throw new RangeError(`alpha[${i}] must be finite and > 0, got ${a}`);
    return a * a;
  });
}

function checkRows(rows: DiagonalLinearRows, target: ArrayLike<number>): { x: Matrix; y: number[] } {
  if (rows.length === 0) throw new RangeError('x has no rows');
  if (rows.length !== target.length) {
    throw new RangeError(`x has ${rows.length} rows but y has ${target.length} entries`);
  }
  const d = rows[0].length;
  const x = new Matrix(rows.length, d);
  rows.forEach((row, j) => {
    if (row.length !== d) throw new RangeError(`row ${j} of x has ${row.length} entries, not ${d}`);
    for (let i = 0; i < d; i++) {
      if (!Number.isFinite(row[i])) throw new RangeError(`x[${j}][${i}] must be finite, got ${row[i]}`);
      x.set(j, i, row[i]);
    }
  });
  const y = Array.from(target, (v, j) => {
    if (!Number.isFinite(v)) throw new RangeError(`y[${j}] must be finite, got ${v}`);
    return v;
  });
  return { x, y };
}

function scaled(v: readonly number[], factor: number): number[] {
  return v.map((x) => x * factor);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
