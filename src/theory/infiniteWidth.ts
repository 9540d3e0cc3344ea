import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Infinite-width kernels of fully connected networks and the predictors they give (THEORY.md entry 8; Neal 1996;
 * Lee et al., "Deep neural networks as Gaussian processes", arXiv:1711.00165; Jacot, Gabriel & Hongler,
 * arXiv:1806.07572; Arora et al., arXiv:1904.11955; Novak et al., "Neural Tangents", arXiv:1912.02803).
 *
 * Network (NTK parameterization, as neural-tangents `stax.Dense(parameterization='ntk')`): with every weight and
 * bias drawn N(0, 1),
 *
 *     h^1 = sigma_w W^1 x / sqrt(d) + sigma_b b^1,   h^{l+1} = sigma_w W^{l+1} phi(h^l) / sqrt(width) + sigma_b b^{l+1},
 *
 * for `depth` hidden layers, and the readout f = h^{depth+1} (a last Dense layer, no activation). In standard
 * parameterization with W ~ N(0, sigma_w^2 / fan_in) the NNGP is the same; only the NTK (and the learning-rate
 * scale) differ.
 *
 * Recursion (exactly the one of neural-tangents' `stax.Dense`, `stax.Relu` = `ABRelu(0, 1)` and `stax.Erf`):
 *
 *     Sigma^0(x, x') = sigma_w^2 x.x'/d + sigma_b^2,        Theta^0 = Sigma^0,
 *     Sigma^l = sigma_w^2 E[phi(u) phi(v)] + sigma_b^2,    Theta^l = Sigma^l + sigma_w^2 E[phi'(u) phi'(v)] Theta^{l-1},
 *
 * with (u, v) ~ N(0, [[Sigma^{l-1}(x,x), Sigma^{l-1}(x,x')], [., Sigma^{l-1}(x',x')]]), l = 1..depth. The
 * readout's kernels are Sigma^depth (the NNGP: the covariance of f at init over random weights) and
 * Theta^depth (the NTK: the limit of sum_p df(x)/dtheta_p df(x')/dtheta_p over every weight and bias).
 */

/** A pointwise activation for numerical Gaussian expectations: phi and its derivative phi'. */
export interface NngpNumericActivation {
  phi: (x: number) => number;
  dphi: (x: number) => number;
  /** phi'', needed only for the length depth scale xi_q of signal propagation. */
  ddphi?: (x: number) => number;
}

/** ReLU and erf have closed forms; tanh (and any `NngpNumericActivation`) uses Gauss-Hermite quadrature. */
export type NngpActivation = 'relu' | 'erf' | 'tanh' | NngpNumericActivation;

/** E[phi(u) phi(v)] and E[phi'(u) phi'(v)] over (u, v) ~ N(0, [[q1, k], [k, q2]]). */
export interface NngpPairMoments {
  phiPhi: number;
  dphiDphi: number;
}

/**
 * ReLU moments in closed form (the arc-cosine kernels of Cho & Saul 2009, degrees 1 and 0): with
 * theta = arccos(k / sqrt(q1 q2)),
 *
 *     E[relu(u) relu(v)] = sqrt(q1 q2) / (2 pi) (sin theta + (pi - theta) cos theta),
 *     E[step(u) step(v)] = (pi - theta) / (2 pi).
 *
 * Written as neural-tangents' `ABRelu(0, 1)` does: sqrt(q1 q2 - k^2)/(2 pi) + (pi - theta)/(2 pi) k with
 * theta = atan2(sqrt(q1 q2 - k^2), k), which is accurate near c = 1. Special values: E[relu^2] = q/2 at c = 1,
 * sqrt(q1 q2)/(2 pi) at c = 0; E[step step] = 1/2 at c = 1, 1/4 at c = 0.
 */
export function reluArcCosineMoments(q1: number, q2: number, k: number): NngpPairMoments {
  checkCovariance(q1, q2, k);
  const root = Math.sqrt(Math.max(q1 * q2 - k * k, 0));
  const theta = root === 0 && k === 0 ? Math.PI / 2 : Math.atan2(root, k);
  const dphiDphi = (Math.PI - theta) / (2 * Math.PI);
  return { phiPhi: root / (2 * Math.PI) + dphiDphi * k, dphiDphi };
}

/**
 * erf moments in closed form (Williams 1997; neural-tangents `stax.Erf()` with a = b = 1, c = 0):
 *
 *     E[erf(u) erf(v)] = (2/pi) arcsin(2k / sqrt((1 + 2 q1)(1 + 2 q2))),
 *     E[erf'(u) erf'(v)] = (4/pi) / sqrt((1 + 2 q1)(1 + 2 q2) - 4 k^2),   erf'(x) = (2/sqrt(pi)) exp(-x^2).
 *
 * The arcsin is evaluated as atan2(2k, sqrt((1+2q1)(1+2q2) - 4k^2)), as neural-tangents does.
 */
export function erfArcSineMoments(q1: number, q2: number, k: number): NngpPairMoments {
  checkCovariance(q1, q2, k);
  const root = Math.sqrt((1 + 2 * q1) * (1 + 2 * q2) - 4 * k * k);
  return { phiPhi: (2 / Math.PI) * Math.atan2(2 * k, root), dphiDphi: 4 / Math.PI / root };
}

/** Nodes and weights of `order`-point Gauss-Hermite quadrature for the standard normal, cached per order. */
const hermiteCache = new Map<number, { nodes: number[]; weights: number[] }>();

/**
 * Gauss-Hermite rule for E[g(z)], z ~ N(0, 1) (the "probabilists'" weight exp(-z^2/2)/sqrt(2 pi)): sum_i w_i g(z_i)
 * is exact for polynomials of degree <= 2 order - 1. Nodes and weights by the Golub-Welsch method: the nodes are
 * the eigenvalues of the symmetric tridiagonal Jacobi matrix with off-diagonal sqrt(1), ..., sqrt(order - 1), the
 * weights the squared first components of its unit eigenvectors (ml-matrix's symmetric eigendecomposition).
 * Weights below 1e-300 (nodes beyond |z| ~ 37) are dropped. Accuracy (measured in the unit tests): order 64
 * reproduces E[z^2k] to 1e-12 for k <= 10; for a saturating phi(sqrt(q) z) it degrades as q grows, see
 * `nngpQuadratureOrder` (e.g. E[erf(sqrt(q) z)^2] at order 64: 1e-13 at q = 1, 1e-4 at q = 5, 4e-3 at q = 10).
 */
export function nngpGaussHermite(order: number): { nodes: number[]; weights: number[] } {
  if (!Number.isInteger(order) || order < 1 || order > 400)
    throw new RangeError(`order must be an integer in [1, 400], got ${order}`);
  const cached = hermiteCache.get(order);
  if (cached) return cached;
  const jacobi = Matrix.zeros(order, order);
  for (let i = 1; i < order; i++) {
    jacobi.set(i, i - 1, Math.sqrt(i));
    jacobi.set(i - 1, i, Math.sqrt(i));
  }
  const evd = new EigenvalueDecomposition(jacobi, { assumeSymmetric: true });
  const vectors = evd.eigenvectorMatrix;
  const rule = { nodes: [] as number[], weights: [] as number[] };
  evd.realEigenvalues.forEach((z, i) => {
    const v0 = vectors.get(0, i);
    const norm = vectors.getColumn(i).reduce((s, v) => s + v * v, 0);
    const w = (v0 * v0) / norm;
    if (w > 1e-300) {
      rule.nodes.push(z);
      rule.weights.push(w);
    }
  });
  hermiteCache.set(order, rule);
  return rule;
}

/**
 * The default Gauss-Hermite order of `nngpPairMoments` for activations without a closed form: 64 per axis when
 * both variances are <= 2, 128 up to 5, 256 beyond. A saturating activation varies on the scale 1/sqrt(q) in z,
 * so larger q needs more nodes; so does c -> 1 (the 2-D integrand concentrates near the diagonal). Measured
 * against the erf closed forms, relative error of both moments: <= 2e-8 at q <= 2 (order 64) and at q <= 5 (128)
 * for c <= 0.9, 1e-6 at q = 5, c = 0.99; at order 256, 1e-6 at q = 10, c = 0.99 and ~1e-3 at q = 30.
 */
export function nngpQuadratureOrder(q1: number, q2: number): number {
  const q = Math.max(q1, q2);
  return q <= 2 ? 64 : q <= 5 ? 128 : 256;
}

/**
 * E[phi(u) phi(v)] and E[phi'(u) phi'(v)] for (u, v) ~ N(0, [[q1, k], [k, q2]]): closed forms for 'relu' and
 * 'erf', otherwise a tensor-product Gauss-Hermite rule of `order`^2 points (default `nngpQuadratureOrder`;
 * THEORY.md entry 8 suggests ~30x30, which is accurate only for q <~ 1) on u = sqrt(q1) z1,
 * v = (k / sqrt(q1)) z1 + sqrt(q2 - k^2/q1) z2. Cost: 2 order^2 evaluations of phi and phi'. Not for
 * activations with kinks (ReLU-like): quadrature converges only algebraically there (errors ~1e-3 at order 64).
 */
export function nngpPairMoments(
  activation: NngpActivation,
  q1: number,
  q2: number,
  k: number,
  order?: number,
): NngpPairMoments {
  if (activation === 'relu') return reluArcCosineMoments(q1, q2, k);
  if (activation === 'erf') return erfArcSineMoments(q1, q2, k);
  checkCovariance(q1, q2, k);
  const { phi, dphi } = nngpNumericActivation(activation);
  const { nodes, weights } = nngpGaussHermite(order ?? nngpQuadratureOrder(q1, q2));
  const s1 = Math.sqrt(q1);
  const a = s1 > 0 ? k / s1 : 0;
  const b = Math.sqrt(Math.max(q2 - a * a, 0));
  let phiPhi = 0;
  let dphiDphi = 0;
  for (let i = 0; i < nodes.length; i++) {
    const u = s1 * nodes[i];
    const pu = phi(u);
    const du = dphi(u);
    let sp = 0;
    let sd = 0;
    for (let j = 0; j < nodes.length; j++) {
      const v = a * nodes[i] + b * nodes[j];
      sp += weights[j] * phi(v);
      sd += weights[j] * dphi(v);
    }
    phiPhi += weights[i] * pu * sp;
    dphiDphi += weights[i] * du * sd;
  }
  return { phiPhi, dphiDphi };
}

/** phi, phi', phi'' of an activation (tanh, relu, erf by name, or the object itself). */
export function nngpNumericActivation(activation: NngpActivation): NngpNumericActivation {
  if (typeof activation !== 'string') return activation;
  switch (activation) {
    case 'tanh':
      return {
        phi: Math.tanh,
        dphi: (x) => 1 - Math.tanh(x) ** 2,
        ddphi: (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
      };
    case 'relu':
      return { phi: (x) => Math.max(x, 0), dphi: (x) => (x > 0 ? 1 : 0), ddphi: () => 0 };
    case 'erf':
      return {
        phi: erfScalar,
        dphi: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x),
        ddphi: (x) => (-4 * x * Math.exp(-x * x)) / Math.sqrt(Math.PI),
      };
    default:
      throw new RangeError(`unknown activation ${String(activation)}`);
  }
}

/**
 * erf(x) to about 1e-15 relative: the Maclaurin series for |x| < 2.5 and the continued fraction of erfc beyond
 * (JavaScript has no Math.erf). Used only for quadrature of the 'erf' activation by name and in tests.
 */
function erfScalar(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated from the tail (Lentz-free).
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** Options of `infiniteWidthKernels`. */
export interface InfiniteWidthNetwork {
  /** Number of hidden layers (0 gives the linear kernel Sigma^0). */
  depth: number;
  activation: NngpActivation;
  /** Weight variance sigma_w^2 (neural-tangents W_std^2), the same for every layer, readout included. */
  sigmaW2: number;
  /** Bias variance sigma_b^2 (neural-tangents b_std^2). */
  sigmaB2: number;
  /** Quadrature order for activations without a closed form. */
  order?: number;
}

/**
 * The infinite-width NNGP and NTK of the readout between the rows of x1 (n1 x d) and of x2 (n2 x d, default
 * x1): nngp[i][j] = Sigma^depth(x1_i, x2_j), ntk[i][j] = Theta^depth(x1_i, x2_j), by the recursion in this file's
 * header (neural-tangents `stax.serial(Dense, act, ..., Dense)` with parameterization 'ntk'; THEORY.md entry 8).
 * Cost: O(n1 n2 (d + depth)) closed-form operations (times order^2 for quadrature activations).
 *
 * @example
 * infiniteWidthKernels([[1, 0]], [[0, 1]], { depth: 1, activation: 'relu', sigmaW2: 2, sigmaB2: 0 });
 * // => { nngp: [[1 / pi]], ntk: [[1 / pi]] }  (Sigma^0 = [[1, 0], [0, 1]]: Theta^0(x, x') = 0 adds nothing)
 */
export function infiniteWidthKernels(
  x1: readonly (readonly number[])[],
  x2: readonly (readonly number[])[] | undefined,
  net: InfiniteWidthNetwork,
): { nngp: number[][]; ntk: number[][] } {
  const { depth, activation, sigmaW2, sigmaB2 } = net;
  if (!Number.isInteger(depth) || depth < 0)
    throw new RangeError(`depth must be an integer >= 0, got ${depth}`);
  if (!(sigmaW2 >= 0 && sigmaB2 >= 0)) throw new RangeError('sigmaW2 and sigmaB2 must be >= 0');
  const other = x2 ?? x1;
  const d = x1[0]?.length ?? 0;
  if (d === 0 || other.some((row) => row.length !== d) || x1.some((row) => row.length !== d))
    throw new RangeError('x1 and x2 must be non-empty with rows of one common length');
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0) / d;
  // Per-layer variances of each point (the diagonal of Sigma^l), shared by every pair.
  const diagonals = (rows: readonly (readonly number[])[]) =>
    rows.map((row) => {
      const q = [sigmaW2 * dot(row, row) + sigmaB2];
      for (let l = 1; l <= depth; l++) {
        const m = nngpPairMoments(activation, q[l - 1], q[l - 1], q[l - 1], net.order);
        q.push(sigmaW2 * m.phiPhi + sigmaB2);
      }
      return q;
    });
  const q1 = diagonals(x1);
  const q2 = x2 === undefined ? q1 : diagonals(other);
  const nngp: number[][] = [];
  const ntk: number[][] = [];
  for (let i = 0; i < x1.length; i++) {
    const rowK: number[] = [];
    const rowT: number[] = [];
    for (let j = 0; j < other.length; j++) {
      let k = sigmaW2 * dot(x1[i], other[j]) + sigmaB2;
      let theta = k;
      for (let l = 1; l <= depth; l++) {
        const a = q1[i][l - 1];
        const b = q2[j][l - 1];
        const m = nngpPairMoments(activation, a, b, clampCovariance(k, a, b), net.order);
        k = sigmaW2 * m.phiPhi + sigmaB2;
        theta = k + sigmaW2 * m.dphiDphi * theta;
      }
      rowK.push(k);
      rowT.push(theta);
    }
    nngp.push(rowK);
    ntk.push(rowT);
  }
  return { nngp, ntk };
}

/**
 * Kernel regression / GP posterior mean  m(x) = K(x, X) (K(X, X) + noise I)^{-1} y  by a Cholesky solve
 * (ml-matrix). With K = the NNGP of `infiniteWidthKernels` this is the Bayesian posterior mean of the
 * infinitely wide network (and the t -> inf limit of training only the readout); with K = the NTK and noise = 0
 * it is the t -> inf limit of gradient-flow training of the whole infinitely wide network on MSE, started from
 * f_0 = 0 (or the centered network f - f_0; Lee et al. 2019, arXiv:1902.06720; THEORY.md entries 7-8). Pass
 * `kTestDiag` = K(x, x) to get the posterior variance K(x, x) - K(x, X)(K + noise I)^{-1} K(X, x) too.
 */
export function infiniteWidthPosterior(args: {
  kTrain: readonly (readonly number[])[];
  kTestTrain: readonly (readonly number[])[];
  yTrain: readonly number[];
  noise?: number;
  kTestDiag?: readonly number[];
}): { mean: number[]; variance?: number[] } {
  const { kTrain, kTestTrain, yTrain, noise = 0 } = args;
  const n = yTrain.length;
  if (kTrain.length !== n || kTestTrain.some((row) => row.length !== n))
    throw new RangeError(`kernel shapes do not match ${n} training targets`);
  const k = new Matrix(kTrain.map((row) => [...row]));
  if (noise > 0) for (let i = 0; i < n; i++) k.set(i, i, k.get(i, i) + noise);
  const chol = new CholeskyDecomposition(k);
  if (!chol.isPositiveDefinite()) throw new RangeError('kTrain (+ noise I) is not positive definite');
  const kStar = new Matrix(kTestTrain.map((row) => [...row]));
  const alpha = chol.solve(Matrix.columnVector([...yTrain]));
  const mean = kStar.mmul(alpha).getColumn(0);
  if (!args.kTestDiag) return { mean };
  const solved = chol.solve(kStar.transpose()); // n x nTest
  const variance = args.kTestDiag.map(
    (kxx, i) => kxx - kStar.getRow(i).reduce((s, v, j) => s + v * solved.get(j, i), 0),
  );
  return { mean, variance };
}

/**
 * Test (and train) predictions of an infinitely wide network trained by full-batch gradient descent with step
 * `lr` on the loss (1/2n) sum_i (f(x_i) - y_i)^2 (c = 1/2, neural-tangents' `gradient_descent_mse` normalization
 * for one output), from f_0 = 0 (the ensemble mean, or a centered network f - f_0): the linear model's exact
 * discrete-time solution with Theta the analytic NTK,
 *
 *     f_t(X)  = [I - (I - lr Theta/n)^t] y,
 *     f_t(x)  = Theta(x, X) Theta^{-1} [I - (I - lr Theta/n)^t] y      (t -> inf: Theta(x, X) Theta^{-1} y),
 *
 * through the eigendecomposition Theta = V diag(lambda) V^T (ml-matrix): Theta^{-1}[I - (I - lr Theta/n)^t] =
 * V diag((1 - (1 - lr lambda/n)^t) / lambda) V^T, whose entry tends to t lr/n for lambda -> 0. Gradient flow is
 * the limit lr -> 0 at fixed tau = lr t. Steps may include Infinity. Stable only for lr < 2n/lambda_max
 * (`maxStableLr`). THEORY.md entries 7-8.
 */
export function infiniteWidthGdPrediction(args: {
  ntkTrain: readonly (readonly number[])[];
  ntkTestTrain: readonly (readonly number[])[];
  yTrain: readonly number[];
  lr: number;
  steps: readonly number[];
}): { test: number[][]; train: number[][]; eigenvalues: number[]; maxStableLr: number } {
  const { ntkTrain, ntkTestTrain, yTrain, lr, steps } = args;
  const n = yTrain.length;
  if (ntkTrain.length !== n || ntkTestTrain.some((row) => row.length !== n))
    throw new RangeError(`kernel shapes do not match ${n} training targets`);
  if (!(lr > 0)) throw new RangeError(`lr must be > 0, got ${lr}`);
  const evd = new EigenvalueDecomposition(new Matrix(ntkTrain.map((row) => [...row])), {
    assumeSymmetric: true,
  });
  const lambdas = evd.realEigenvalues;
  const v = evd.eigenvectorMatrix;
  const lambdaMax = Math.max(...lambdas);
  const vty = v
    .transpose()
    .mmul(Matrix.columnVector([...yTrain]))
    .getColumn(0); // V^T y
  const kStarV = new Matrix(ntkTestTrain.map((row) => [...row])).mmul(v); // Theta(x, X) V
  const test: number[][] = [];
  const train: number[][] = [];
  for (const t of steps) {
    if (!(t >= 0)) throw new RangeError(`steps must be >= 0, got ${t}`);
    // g_j = (1 - (1 - lr lambda_j / n)^t) / lambda_j applied to V^T y; the train output needs lambda_j g_j.
    const g = lambdas.map((lambda, j) => {
      if (lambda <= 1e-12 * lambdaMax) return t === Infinity ? 0 : ((t * lr) / n) * vty[j];
      const decay = t === Infinity ? 0 : (1 - (lr * lambda) / n) ** t;
      return ((1 - decay) / lambda) * vty[j];
    });
    test.push(kStarV.mmul(Matrix.columnVector(g)).getColumn(0));
    const lg = Matrix.columnVector(g.map((gj, j) => gj * lambdas[j]));
    train.push(v.mmul(lg).getColumn(0));
  }
  return { test, train, eigenvalues: lambdas, maxStableLr: (2 * n) / lambdaMax };
}

function checkCovariance(q1: number, q2: number, k: number): void {
  if (!(q1 >= 0 && q2 >= 0) || !Number.isFinite(k))
    throw new RangeError(`need variances q1, q2 >= 0 and a finite covariance, got ${q1}, ${q2}, ${k}`);
  if (k * k > q1 * q2 * (1 + 1e-9) + 1e-300)
    throw new RangeError(`covariance ${k} exceeds sqrt(q1 q2) = ${Math.sqrt(q1 * q2)}`);
}

/** Rounding can push |k| a hair above sqrt(q1 q2) for identical inputs: clamp it back. */
function clampCovariance(k: number, q1: number, q2: number): number {
  const bound = Math.sqrt(q1 * q2);
  return Math.max(-bound, Math.min(bound, k));
}
