import { CholeskyDecomposition, EigenvalueDecomposition, LuDecomposition, Matrix } from 'ml-matrix';
import { checkArray, checkNonNegative } from './checks';

/**
 * Kernel-regression learning curves from the kernel's eigensystem: the eigenlearning framework (THEORY.md
 * entry 12; Bordelon, Canatar & Pehlevan, ICML 2020, arXiv:2002.02561; Canatar, Bordelon & Pehlevan, Nat.
 * Commun. 2021, arXiv:2006.13198; Simon, Dickens, Karkada & DeWeese, TMLR 2023, arXiv:2110.03922). Zero free
 * parameters: everything follows from the eigenvalues, the target's power per eigenmode, n, the ridge and the
 * label-noise variance.
 *
 * Normalization (THEORY.md "Global conventions"): lambda_i are eigenvalues of the kernel *operator* with respect
 * to the input distribution (eig(K_MM)/M on a pool of M i.i.d. points), eigenfunctions are normalized to
 * E_x[phi_i^2] = 1, the target is f = sum_i v_i phi_i, and the ridge delta enters as
 * f_hat(x) = k(x, X) (K_XX + delta I)^-1 y (a sum, not a mean, over the n training points). Then
 *
 *     kappa > 0 solves   sum_i m_i lambda_i / (lambda_i + kappa) + delta / kappa = n
 *     L_i = lambda_i / (lambda_i + kappa)                      (learnability of mode i)
 *     E0  = n / (n - sum_i m_i L_i^2)                          (overfitting coefficient)
 *     test MSE  = E0 (sum_i (1 - L_i)^2 v_i^2 + eps^2)         (eps^2: label-noise variance)
 *     error against the noiseless target = test MSE - eps^2
 *     train MSE = (delta / (n kappa))^2 test MSE
 *
 * with m_i the multiplicity of eigenvalue i (modes sharing an eigenvalue share L_i). The test MSE is measured
 * on noisy test labels (train and test labels carry the same noise), hence its floor eps^2; a brute-force check
 * against the noiseless target differs from it by exactly eps^2 (Canatar et al.'s E_g carries the noise as
 * eps^2 gamma/(1 - gamma) = (E0 - 1) eps^2, gamma = sum_i m_i L_i^2 / n). This is line by line the
 * reference `theoretical_predictions` of james-simon/eigenlearning (`theory.py`), except that kappa is found
 * by bisection in log kappa (monotone, so it cannot fail) instead of `fsolve`.
 *
 * The theory is exact as n and the number of relevant modes grow together (and for Gaussian features); on
 * high-dimensional inputs (hypercube, sphere, d >= 8) it matched brute-force KRR within ~15% already at n = 10
 * (THEORY.md entry 12, V-num); in 1-D (the circle) it is poor at small n.
 */

/** An eigensystem as the learning curve needs it: one entry per distinct eigenvalue. */
export interface EigenlearningProblem {
  /** lambda_i >= 0, the kernel operator's eigenvalues (any order). */
  eigenvalues: readonly number[];
  /** m_i, how many eigenfunctions share lambda_i (default 1 each). */
  multiplicities?: readonly number[];
  /**
   * The target's power on eigenvalue i: v_i^2 = E_x[f phi_i]^2, summed over the m_i eigenfunctions sharing
   * lambda_i. The test MSE at n = 0 is the sum of these plus the noise variance.
   */
  targetPower: readonly number[];
  /** delta >= 0 in f_hat = k(x, X)(K_XX + delta I)^-1 y (default 0, ridgeless). */
  ridge?: number;
  /** eps^2, the variance of the label noise added to the training targets (default 0). */
  noiseVariance?: number;
}

/** The eigenlearning prediction at one training-set size n. */
export interface EigenlearningPrediction {
  n: number;
  /** The effective regularization kappa (Infinity at n = 0; 0 in the ridgeless interpolation limit n >= rank). */
  kappa: number;
  /** L_i = lambda_i / (lambda_i + kappa) per eigenvalue entry. */
  learnabilities: number[];
  /** E0 = n / (n - sum_i m_i L_i^2) (1 at n = 0; Infinity when n equals the rank, ridgeless). */
  overfittingCoefficient: number;
  /**
   * E0 (sum_i (1 - L_i)^2 v_i^2 + eps^2): the expected test MSE on fresh *noisy* labels y = f(x) + noise, as in
   * the reference (it includes the irreducible eps^2).
   */
  testMse: number;
  /** testMse - eps^2 = E0 sum_i (1 - L_i)^2 v_i^2 + (E0 - 1) eps^2: the error against the noiseless target f. */
  targetMse: number;
  /** (delta / (n kappa))^2 testMse: expected squared error on the (noisy) training labels. */
  trainMse: number;
  /** Overall learnability sum_i L_i v_i^2 / sum_i v_i^2 (0 for a zero target). */
  learnability: number;
}

/**
 * Solves sum_i m_i lambda_i / (lambda_i + kappa) + delta / kappa = n for kappa > 0 by bisection in log kappa.
 * The left side decreases strictly in kappa, so the root is unique: the bracket starts at
 * [1e-15, 1e10] * max(lambda_max, delta) (THEORY.md implementation notes) and is widened until it brackets,
 * then halved (in log kappa) until its ends agree to 1e-14 relative.
 *
 * Limits: n = 0 gives Infinity (nothing is learned). Ridgeless (delta = 0) with n >= R = sum of m_i over
 * lambda_i > 0 has no root (the sum is < R <= n for every kappa > 0): the limit delta -> 0+ is kappa = 0, every
 * mode with lambda_i > 0 fully learned, which is what is returned.
 *
 * @example
 * eigenlearningKappa([1, 1], 1); // => 1: 2 * 1/(1 + kappa) = 1
 * eigenlearningKappa([0], 4, { ridge: 2 }); // => 0.5 = delta / n
 */
export function eigenlearningKappa(
  eigenvalues: readonly number[],
  n: number,
  options: { ridge?: number; multiplicities?: readonly number[] } = {},
): number {
  const ridge = options.ridge ?? 0;
  const mult = checkSpectrum(eigenvalues, options.multiplicities);
  checkNonNegative({ n, ridge });
  if (n === 0) return Infinity;
  const rank = eigenvalues.reduce((sum, lambda, i) => sum + (lambda > 0 ? mult[i] : 0), 0);
  if (ridge === 0 && n >= rank) return 0;
  // g(log kappa) = sum - n, strictly decreasing.
  const g = (logKappa: number) => {
    const kappa = Math.exp(logKappa);
    let sum = ridge / kappa;
    for (let i = 0; i < eigenvalues.length; i++) sum += (mult[i] * eigenvalues[i]) / (eigenvalues[i] + kappa);
    return sum - n;
  };
  const scale = eigenvalues.reduce((m, lambda) => Math.max(m, lambda), ridge);
  let lo = Math.log(1e-15 * scale);
  let hi = Math.log(1e10 * scale);
  while (g(lo) <= 0) lo -= 10;
  while (g(hi) >= 0) hi += 10;
  for (let iter = 0; iter < 400 && hi - lo > 1e-14; iter++) {
    const mid = (lo + hi) / 2;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** L_i = lambda_i / (lambda_i + kappa): 0 for kappa = Infinity, 1 for kappa = 0 and lambda_i > 0. */
export function eigenlearningLearnabilities(eigenvalues: readonly number[], kappa: number): number[] {
  if (!(kappa >= 0)) throw new RangeError(`kappa must be >= 0, got ${kappa}`);
  return eigenvalues.map((lambda) => {
    if (kappa === Infinity) return 0;
    if (lambda === 0) return 0;
    return lambda / (lambda + kappa);
  });
}

/**
 * The overfitting coefficient E0 = n / (n - sum_i m_i L_i^2) (the factor by which label noise and unlearned
 * target power are amplified; the reference's `noise_fitting_factor`). 1 at n = 0.
 */
export function eigenlearningOverfittingCoefficient(
  learnabilities: readonly number[],
  n: number,
  multiplicities?: readonly number[],
): number {
  const mult = multiplicities ?? learnabilities.map(() => 1);
  if (n === 0) return 1;
  const sumL2 = learnabilities.reduce((sum, l, i) => sum + mult[i] * l * l, 0);
  const gap = n - sumL2;
  return gap <= 0 ? Infinity : n / gap;
}

/**
 * The full eigenlearning prediction at training-set size n (see the module comment for the formulas).
 *
 * @example
 * // Two equal modes, target on the first, n = 1, ridgeless: kappa = 1, L = 1/2, E0 = 1/(1 - 1/2) = 2,
 * // test MSE = 2 * (1/2)^2 * 1 = 0.5
 * eigenlearningPrediction({ eigenvalues: [1, 1], targetPower: [1, 0] }, 1).testMse; // => 0.5
 */
export function eigenlearningPrediction(problem: EigenlearningProblem, n: number): EigenlearningPrediction {
  const { eigenvalues, targetPower } = problem;
  const ridge = problem.ridge ?? 0;
  const noiseVariance = problem.noiseVariance ?? 0;
  const mult = checkSpectrum(eigenvalues, problem.multiplicities);
  if (targetPower.length !== eigenvalues.length) {
    throw new RangeError(
      `targetPower has ${targetPower.length} entries for ${eigenvalues.length} eigenvalues`,
    );
  }
  checkArray(targetPower, 'targetPower', true);
  checkNonNegative({ noiseVariance });
  const kappa = eigenlearningKappa(eigenvalues, n, { ridge, multiplicities: mult });
  const learnabilities = eigenlearningLearnabilities(eigenvalues, kappa);
  const e0 = eigenlearningOverfittingCoefficient(learnabilities, n, mult);
  const unlearned = targetPower.reduce((sum, p, i) => sum + (1 - learnabilities[i]) ** 2 * p, 0);
  const bias = unlearned + noiseVariance;
  const testMse = bias === 0 ? 0 : e0 * bias;
  const targetMse =
    (unlearned === 0 ? 0 : e0 * unlearned) + (noiseVariance === 0 ? 0 : (e0 - 1) * noiseVariance);
  const trainFactor = n === 0 ? 1 : ridge === 0 ? 0 : (ridge / (n * kappa)) ** 2;
  const total = targetPower.reduce((sum, p) => sum + p, 0);
  const learned = targetPower.reduce((sum, p, i) => sum + learnabilities[i] * p, 0);
  return {
    n,
    kappa,
    learnabilities,
    overfittingCoefficient: e0,
    testMse,
    targetMse,
    trainMse: n === 0 ? total + noiseVariance : trainFactor * testMse,
    learnability: total === 0 ? 0 : learned / total,
  };
}

/**
 * The predicted learning curve at each training-set size: `testMse` (noisy test labels, the default) or
 * `targetMse` (against the noiseless target).
 */
export function eigenlearningCurve(
  problem: EigenlearningProblem,
  ns: readonly number[],
  against: 'noisyLabels' | 'target' = 'noisyLabels',
): number[] {
  return ns.map((n) => {
    const p = eigenlearningPrediction(problem, n);
    return against === 'target' ? p.targetMse : p.testMse;
  });
}

/**
 * The exact eigensystem of a kernel on the boolean hypercube {-1, 1}^d under the uniform distribution, for any
 * kernel that depends only on the Hamming distance h between x and x' (every dot-product or distance kernel:
 * x.x' = d - 2h, ||x - x'||^2 = 4h). The eigenfunctions are the parities chi_S(x) = prod_{i in S} x_i
 * (E[chi_S^2] = 1) and the eigenvalue depends only on k = |S|:
 *
 *     lambda_k = 2^-d sum_{h=0..d} g(h) sum_j (-1)^j C(k, j) C(d - k, h - j),     multiplicity C(d, k)
 *
 * (the inner sum counts the x' at distance h from x with j flips inside S). This is the reference
 * `hypercube_eigenvalues` of james-simon/eigenlearning (`hypercube.py`) without its normalization. The
 * alternating sum loses about 1e-16 * C(d, d/2) * max g in absolute precision, so eigenvalues of very smooth
 * kernels below that floor come out as round-off; they are clamped at 0 (a PSD kernel has none < 0).
 *
 * @param kernelOfHamming g(h), the kernel between two points at Hamming distance h = 0..d.
 * @example
 * // Product kernel exp(s x.x'): lambda_k = cosh(s)^(d-k) sinh(s)^k
 * eigenlearningHypercubeSpectrum((h) => Math.exp(0.5 * (3 - 2 * h)), 3).eigenvalues[1]; // => cosh(0.5)^2 sinh(0.5)
 */
export function eigenlearningHypercubeSpectrum(
  kernelOfHamming: (h: number) => number,
  d: number,
): { eigenvalues: number[]; multiplicities: number[] } {
  if (!Number.isInteger(d) || d < 1 || d > 60)
    throw new RangeError(`d must be an integer in 1..60, got ${d}`);
  const g = Array.from({ length: d + 1 }, (_, h) => kernelOfHamming(h));
  checkArray(g, 'kernel');
  const eigenvalues: number[] = [];
  const multiplicities: number[] = [];
  for (let k = 0; k <= d; k++) {
    let sum = 0;
    for (let h = 0; h <= d; h++) {
      let krawtchouk = 0;
      for (let j = Math.max(0, h - (d - k)); j <= Math.min(k, h); j++) {
        krawtchouk += (j % 2 === 0 ? 1 : -1) * binomial(k, j) * binomial(d - k, h - j);
      }
      sum += g[h] * krawtchouk;
    }
    eigenvalues.push(Math.max(0, sum / 2 ** d));
    multiplicities.push(binomial(d, k));
  }
  return { eigenvalues, multiplicities };
}

/**
 * The eigensystem estimated on a pool of M i.i.d. inputs (THEORY.md entry 12): lambda_i = eig(K_MM)/M and,
 * with u_i the unit eigenvectors, phi_i(x_j) = sqrt(M) u_ij and v_i = u_i^T f / sqrt(M), so targetPower
 * v_i^2 = (u_i^T f)^2 / M. Eigenvalues are returned descending, clamped at 0 (round-off of a PSD kernel).
 * One symmetric eigendecomposition (ml-matrix, tridiagonal QL): O(M^3), seconds for M ~ 1000 in JS.
 *
 * @param kernelPool the M x M kernel matrix K(x_j, x_k) on the pool.
 * @param targetPool the target f(x_j) on the pool (noiseless).
 */
export function eigenlearningPoolEigensystem(
  kernelPool: readonly (readonly number[])[] | Matrix,
  targetPool: ArrayLike<number>,
): { eigenvalues: number[]; targetPower: number[] } {
  const k = kernelPool instanceof Matrix ? kernelPool : new Matrix(kernelPool.map((row) => Array.from(row)));
  const m = k.rows;
  if (k.columns !== m) throw new RangeError(`the pool kernel must be square, got ${m} x ${k.columns}`);
  if (targetPool.length !== m)
    throw new RangeError(`targetPool has ${targetPool.length} entries for M = ${m}`);
  const evd = new EigenvalueDecomposition(k, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
  const f = Array.from(targetPool);
  return {
    eigenvalues: order.map((i) => Math.max(0, values[i]) / m),
    targetPower: order.map((i) => {
      let dot = 0;
      for (let r = 0; r < m; r++) dot += vectors.get(r, i) * f[r];
      return (dot * dot) / m;
    }),
  };
}

/**
 * The measurement the learning curve predicts: kernel (ridge) regression fitted on n points and evaluated on
 * held-out points, in float64. Solves (K_XX + delta I) a = y by Cholesky (ml-matrix), falling back to LU when
 * round-off makes a ridgeless K_XX numerically indefinite, then f_hat(x_test) = K_test,X a.
 * Cost: n^3/3 flops for the solve plus n * (test points) for the prediction.
 *
 * @param kernelTrain K_XX, n x n.
 * @param kernelTestTrain K(x_test, X), (test points) x n.
 * @param yTrain the (possibly noisy) training labels.
 * @param yTest what the predictions are scored against, testMse = mean (f_hat - yTest)^2: the noiseless target
 *   (compare with `targetMse` of the prediction) or noisy labels (compare with `testMse`).
 */
export function eigenlearningKrrFit(fit: {
  kernelTrain: readonly (readonly number[])[] | Matrix;
  kernelTestTrain: readonly (readonly number[])[] | Matrix;
  yTrain: ArrayLike<number>;
  yTest: ArrayLike<number>;
  ridge?: number;
}): { testMse: number; predictions: number[]; coefficients: number[] } {
  const toMatrix = (a: readonly (readonly number[])[] | Matrix) =>
    a instanceof Matrix ? a.clone() : new Matrix(a.map((row) => Array.from(row)));
  const kTrain = toMatrix(fit.kernelTrain);
  const kTest = fit.kernelTestTrain instanceof Matrix ? fit.kernelTestTrain : toMatrix(fit.kernelTestTrain);
  const n = kTrain.rows;
  const ridge = fit.ridge ?? 0;
  checkNonNegative({ ridge });
  if (kTrain.columns !== n) throw new RangeError(`kernelTrain must be square, got ${n} x ${kTrain.columns}`);
  if (kTest.columns !== n) throw new RangeError(`kernelTestTrain has ${kTest.columns} columns for n = ${n}`);
  if (fit.yTrain.length !== n) throw new RangeError(`yTrain has ${fit.yTrain.length} entries for n = ${n}`);
  if (fit.yTest.length !== kTest.rows) {
    throw new RangeError(`yTest has ${fit.yTest.length} entries for ${kTest.rows} test points`);
  }
  for (let i = 0; i < n; i++) kTrain.set(i, i, kTrain.get(i, i) + ridge);
  const y = Matrix.columnVector(Array.from(fit.yTrain));
  const cholesky = new CholeskyDecomposition(kTrain);
  const a = cholesky.isPositiveDefinite() ? cholesky.solve(y) : new LuDecomposition(kTrain).solve(y);
  const predictions = kTest.mmul(a).getColumn(0);
  const yTest = fit.yTest;
  const testMse = predictions.reduce((sum, p, i) => sum + (p - yTest[i]) ** 2, 0) / predictions.length;
  return { testMse, predictions, coefficients: a.getColumn(0) };
}

function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) c = (c * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(c);
}

function checkSpectrum(
  eigenvalues: readonly number[],
  multiplicities?: readonly number[],
): readonly number[] {
  if (eigenvalues.length === 0) throw new RangeError('need at least one eigenvalue');
  checkArray(eigenvalues, 'eigenvalues', true);
  const mult = multiplicities ?? eigenvalues.map(() => 1);
  if (mult.length !== eigenvalues.length) {
    throw new RangeError(`${mult.length} multiplicities for ${eigenvalues.length} eigenvalues`);
  }
  checkArray(mult, 'multiplicities', true);
  return mult;
}
