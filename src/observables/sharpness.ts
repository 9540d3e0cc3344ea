import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import seedrandom from 'seedrandom';

/**
 * Curvature of the loss landscape (THEORY.md entry 19, "Implementation notes: Hessian tools"): Hessian-vector
 * products by central finite differences of `tf.grads`, the top eigenvalue ("sharpness") by warm-started power
 * iteration, the top-k by Lanczos, the trace by Hutchinson's estimator, and Adam's preconditioned sharpness.
 *
 * Conventions. The loss is a function of the parameter list, `(params) => tf.Scalar`, and it must be **exactly
 * the loss being optimised** (same constant c and same 1/n: THEORY.md "Global conventions"), otherwise the
 * sharpness is off by the same factor as the loss and its comparison with 2/lr is meaningless. Parameters are
 * treated as one flat vector theta of P = sum of sizes entries (in list order, each tensor row-major).
 *
 * Numerics. tfjs computes in float32, so the HVP is the central difference of gradients,
 *
 *     H v ~ [g(theta + eps u) - g(theta - eps u)] / (2 eps) * ||v||,   u = v / ||v||,
 *     eps = 1e-3 * max(1, ||theta|| / sqrt(P))                           (THEORY.md global conventions),
 *
 * exact for a quadratic loss and otherwise accurate to O(eps^2) truncation plus ~1e-7 |g| / eps rounding, i.e.
 * ~1e-4 relative. The algorithms around it (orthogonalisation, Rayleigh quotients, the tridiagonal eigenproblem)
 * run in float64 on plain arrays: each HVP is read back once (P numbers), which is negligible next to the two
 * gradient evaluations it costs.
 *
 * References: Cohen et al., arXiv:2103.00065 (sharpness = lambda_max of the training-loss Hessian; locuslab/
 * edge-of-stability computes it by Lanczos on HVPs); Cohen et al., arXiv:2207.14484 (Adam's preconditioned
 * sharpness); Yao et al., PyHessian, arXiv:1912.07145 (power iteration with relative tolerance 1e-3, Hutchinson
 * trace with Rademacher probes).
 */

/** The loss whose Hessian is measured: a scalar function of the parameter list. */
export type HessianLossFn = (params: tf.Tensor[]) => tf.Scalar;

/**
 * The finite-difference step of the HVP, eps = 1e-3 * max(1, ||theta|| / sqrt(P)) (THEORY.md global
 * conventions): 1e-3 of the root-mean-square parameter, and never below 1e-3. One reduction per tensor.
 */
export function hessianFiniteDifferenceStep(params: readonly tf.Tensor[]): number {
  const count = params.reduce((sum, p) => sum + p.size, 0);
  if (count === 0) throw new RangeError('no parameters');
  const normSq = tf.tidy(() => tf.addN(params.map((p) => p.square().sum())).dataSync()[0]);
  return 1e-3 * Math.max(1, Math.sqrt(normSq / count));
}

/**
 * The Hessian-vector product H v of `loss` at `params`, by central differences of gradients (see the module
 * comment): [g(theta + eps u) - g(theta - eps u)] / (2 eps) * ||v|| with u = v/||v||. `direction` has the
 * shapes of `params`; `eps` defaults to `hessianFiniteDifferenceStep(params)`. Returns new tensors the caller
 * owns (all intermediates are disposed). A zero direction gives zeros. Cost: 2 gradient evaluations.
 */
export function hessianVectorProduct(
  loss: HessianLossFn,
  params: readonly tf.Tensor[],
  direction: readonly tf.Tensor[],
  eps: number = hessianFiniteDifferenceStep(params),
): tf.Tensor[] {
  checkShapes(params, direction);
  if (!(eps > 0)) throw new RangeError(`eps must be > 0, got ${eps}`);
  return tf.tidy(() => {
    const norm = Math.sqrt(tf.addN(direction.map((d) => d.square().sum())).dataSync()[0]);
    if (norm === 0) return direction.map((d) => tf.zerosLike(d));
    const gradient = tf.grads((...p: tf.Tensor[]) => loss(p));
    const plus = gradient(params.map((p, i) => p.add(direction[i].mul(eps / norm))));
    const minus = gradient(params.map((p, i) => p.sub(direction[i].mul(eps / norm))));
    return plus.map((g, i) => g.sub(minus[i]).mul(norm / (2 * eps)));
  });
}

/**
 * Adam's preconditioner as Cohen et al. (arXiv:2207.14484, sec. 2) write Adam, THEORY.md entry 19:
 *
 *     P_t = (1 - beta1^t) * (sqrt(v_t / (1 - beta2^t)) + epsilon)        (elementwise, diagonal)
 *
 * so that the Adam step is theta <- theta - lr P_t^-1 m_t with m_t the raw (not bias-corrected) EMA of
 * gradients, m_t = beta1 m_{t-1} + (1 - beta1) g_t: P^-1 m = m_hat / (sqrt(v_hat) + epsilon), the usual Adam.
 * Both bias corrections are included; the (1 - beta1^t) factor tends to 1 after ~1/(1 - beta1) steps. `v` are
 * the raw second-moment EMAs v_t = beta2 v_{t-1} + (1 - beta2) g_t^2 after `step` = t >= 1 updates. (tf.train.adam
 * adds epsilon to sqrt(v) before the beta2 correction and keeps its moments private: to measure this quantity
 * write the Adam step out, as templates/edgeOfStability.exp.ts does.) Returns new tensors the caller owns.
 */
export function adamPreconditioner(
  secondMoment: readonly tf.Tensor[],
  options: { step: number; beta1?: number; beta2?: number; epsilon?: number },
): tf.Tensor[] {
  const { step, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options;
  if (!(Number.isInteger(step) && step >= 1))
    throw new RangeError(`step must be an integer >= 1, got ${step}`);
  for (const [name, beta] of [
    ['beta1', beta1],
    ['beta2', beta2],
  ] as const) {
    if (!(beta >= 0 && beta < 1)) throw new RangeError(`${name} must be in [0, 1), got ${beta}`);
  }
  const bias1 = 1 - beta1 ** step;
  const bias2 = 1 - beta2 ** step;
  return tf.tidy(() => secondMoment.map((v) => v.div(bias2).sqrt().add(epsilon).mul(bias1)));
}

/** Options of the iterative eigen-solvers. */
export interface SharpnessOptions {
  /** Finite-difference step of the HVP; default `hessianFiniteDifferenceStep(params)` at each call. */
  eps?: number;
  /**
   * A diagonal preconditioner P (positive tensors shaped like the parameters, e.g. `adamPreconditioner`): the
   * operator becomes P^-1/2 H P^-1/2, symmetric and with the eigenvalues of P^-1 H.
   */
  preconditioner?: readonly tf.Tensor[];
}

/**
 * Top eigenvalue of the loss Hessian (the sharpness), or of P^-1/2 H P^-1/2 with a preconditioner, by power
 * iteration warm-started from the previous call's eigenvector (THEORY.md entry 19: 10-20 iterations every
 * 50-200 steps). Each round sets v <- H v / ||H v|| and takes the Rayleigh quotient v^T H v (||v|| = 1); it stops
 * when two successive quotients agree to `tolerance` (relative, PyHessian's 1e-3) or after `maxIterations`.
 *
 * Power iteration finds the eigenvalue of largest *magnitude*. When that one is negative (it happens at
 * random init of some nets), the iteration is repeated on the shifted operator H - lambda_neg I, whose dominant
 * eigenvalue is lambda_max - lambda_neg, so the result is always the algebraic top (at up to twice the cost;
 * the shifted iteration converges more slowly). The estimate is a lower bound on lambda_max up to the
 * HVP error and approaches it as the iteration converges; the warm start makes 2-5 rounds typical once the top
 * eigenvector moves slowly. Cost: 2 gradient evaluations per round. Keeps one float64 vector of P entries (no
 * tensors), so there is nothing to dispose.
 *
 * @example
 * const tracker = new SharpnessTracker((p) => lossOf(p), { seed: 0 });
 * tracker.estimate(params); // => lambda_max(H), e.g. 6.7 at the edge of stability with lr = 0.3
 */
export class SharpnessTracker {
  /** Rounds at most per call. */
  readonly maxIterations: number;
  /** Relative change of the Rayleigh quotient at which the iteration stops. */
  readonly tolerance: number;
  /** Rounds used by the last call. */
  iterations = 0;
  /** The current unit eigenvector estimate (flat, parameter order), or null before the first call. */
  vector: Float64Array | null = null;
  private readonly random: () => number;

  constructor(
    private readonly loss: HessianLossFn,
    options: { maxIterations?: number; tolerance?: number; seed?: number } = {},
  ) {
    const { maxIterations = 20, tolerance = 1e-3, seed = 0 } = options;
    if (!(Number.isInteger(maxIterations) && maxIterations >= 1))
      throw new RangeError(`maxIterations must be an integer >= 1, got ${maxIterations}`);
    if (!(tolerance >= 0)) throw new RangeError(`tolerance must be >= 0, got ${tolerance}`);
    this.maxIterations = maxIterations;
    this.tolerance = tolerance;
    this.random = gaussianSource(seed);
  }

  /** The top eigenvalue at `params` (see the class comment); the eigenvector is kept for the next call. */
  estimate(params: readonly tf.Tensor[], options: SharpnessOptions = {}): number {
    const apply = hessianOperator(this.loss, params, options);
    const count = apply.size;
    this.iterations = 0;
    const start = this.vector && this.vector.length === count ? this.vector : randomUnit(count, this.random);
    let { lambda, vector } = this.iterate(apply, start, 0);
    if (lambda < 0) {
      // The dominant eigenvalue is negative: iterate on H - lambda I (spectrum shifted to >= 0), whose
      // dominant eigenvalue is lambda_max - lambda, from a fresh start.
      const shift = -lambda;
      ({ lambda, vector } = this.iterate(apply, randomUnit(count, this.random), shift));
      lambda -= shift;
    }
    this.vector = vector;
    return lambda;
  }

  /** Power iteration on v -> A v + shift v; returns the Rayleigh quotient of A + shift I and the vector. */
  private iterate(
    apply: FlatOperator,
    start: Float64Array,
    shift: number,
  ): { lambda: number; vector: Float64Array } {
    let v = start;
    let lambda = Number.NaN;
    for (let round = 0; round < this.maxIterations; round++) {
      const hv = apply(v);
      if (shift !== 0) axpy(hv, v, shift);
      const quotient = dot(v, hv);
      const norm = Math.sqrt(dot(hv, hv));
      this.iterations++;
      if (norm === 0) return { lambda: 0, vector: v };
      const converged = Math.abs(quotient - lambda) <= this.tolerance * Math.abs(quotient);
      lambda = quotient;
      v = scaled(hv, 1 / norm);
      if (converged) break;
    }
    return { lambda, vector: v };
  }

  /** Forgets the warm start (e.g. after the parameter count changed). */
  reset(): void {
    this.vector = null;
  }
}

/**
 * The k algebraically largest eigenvalues of the Hessian (or of P^-1/2 H P^-1/2), descending, by the Lanczos
 * method with full reorthogonalisation in float64 (what locuslab/edge-of-stability's `get_hessian_eigenvalues`
 * does with scipy's eigsh): `krylovDim` HVPs from a seeded random start build a tridiagonal T whose
 * eigenvalues (ml-matrix EigenvalueDecomposition) are the Ritz values. The top Ritz values converge first; the
 * default krylovDim = max(2k + 10, 20) gives the top few to ~1e-4 on a spectrum with a gap. Stops early (with
 * fewer Ritz values) when the Krylov space is invariant. Cost: 2 * krylovDim gradient evaluations, memory
 * krylovDim * P float64.
 */
export function hessianTopEigenvalues(
  loss: HessianLossFn,
  params: readonly tf.Tensor[],
  k: number,
  options: SharpnessOptions & { krylovDim?: number; seed?: number } = {},
): number[] {
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be an integer >= 1, got ${k}`);
  const apply = hessianOperator(loss, params, options);
  const dim = Math.min(options.krylovDim ?? Math.max(2 * k + 10, 20), apply.size);
  if (dim < k) throw new RangeError(`krylovDim ${dim} is smaller than k = ${k}`);
  const basis: Float64Array[] = [randomUnit(apply.size, gaussianSource(options.seed ?? 0))];
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let j = 0; j < dim; j++) {
    const w = apply(basis[j]);
    alpha.push(dot(w, basis[j]));
    // Full reorthogonalisation (twice, "twice is enough") against every basis vector so far.
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) axpy(w, q, -dot(w, q));
    }
    if (j === dim - 1) break;
    const b = Math.sqrt(dot(w, w));
    if (b <= 1e-10 * Math.max(1, Math.abs(alpha[j]))) break;
    beta.push(b);
    basis.push(scaled(w, 1 / b));
  }
  const m = alpha.length;
  const t = Matrix.zeros(m, m);
  for (let i = 0; i < m; i++) {
    t.set(i, i, alpha[i]);
    if (i + 1 < m) {
      t.set(i, i + 1, beta[i]);
      t.set(i + 1, i, beta[i]);
    }
  }
  const ritz = new EigenvalueDecomposition(t, { assumeSymmetric: true }).realEigenvalues;
  return ritz.sort((a, b) => b - a).slice(0, k);
}

/** Hutchinson's trace estimate with its standard error. */
export interface HessianTraceEstimate {
  /** mean over probes of z^T H z: an unbiased estimate of tr(H) (or tr(P^-1 H) with a preconditioner). */
  trace: number;
  /** Standard error of that mean, std(z^T H z) / sqrt(probes). */
  standardError: number;
  probes: number;
}

/**
 * Hutchinson's estimator tr(H) ~ mean_z z^T H z with Rademacher probes z (entries +-1, seeded), as PyHessian's
 * `trace`: unbiased, with variance 2 (||H||_F^2 - sum_i H_ii^2) per probe. With a preconditioner it estimates
 * tr(P^-1/2 H P^-1/2) = tr(P^-1 H). Cost: 2 gradient evaluations per probe.
 */
export function hessianTrace(
  loss: HessianLossFn,
  params: readonly tf.Tensor[],
  options: SharpnessOptions & { probes?: number; seed?: number } = {},
): HessianTraceEstimate {
  const { probes = 100, seed = 0 } = options;
  if (!(Number.isInteger(probes) && probes >= 2))
    throw new RangeError(`probes must be an integer >= 2, got ${probes}`);
  const apply = hessianOperator(loss, params, options);
  const uniform = seedrandom(`hessianTrace:${seed}`);
  const samples: number[] = [];
  for (let i = 0; i < probes; i++) {
    const z = new Float64Array(apply.size);
    for (let p = 0; p < z.length; p++) z[p] = uniform() < 0.5 ? -1 : 1;
    samples.push(dot(z, apply(z)));
  }
  const mean = samples.reduce((s, x) => s + x, 0) / probes;
  const variance = samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (probes - 1);
  return { trace: mean, standardError: Math.sqrt(variance / probes), probes };
}

/** A flat float64 operator v -> A v for A = H or P^-1/2 H P^-1/2 at fixed params, with its size. */
type FlatOperator = ((v: Float64Array) => Float64Array) & { size: number };

function hessianOperator(
  loss: HessianLossFn,
  params: readonly tf.Tensor[],
  options: SharpnessOptions,
): FlatOperator {
  const shapes = params.map((p) => p.shape);
  const size = params.reduce((sum, p) => sum + p.size, 0);
  if (size === 0) throw new RangeError('no parameters');
  const eps = options.eps ?? hessianFiniteDifferenceStep(params);
  let scale: Float64Array | null = null;
  if (options.preconditioner) {
    checkShapes(params, options.preconditioner);
    const p = flatten(options.preconditioner);
    scale = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      if (!(p[i] > 0)) throw new RangeError(`preconditioner entry ${i} is ${p[i]}; it must be > 0`);
      scale[i] = 1 / Math.sqrt(p[i]);
    }
  }
  const apply = (v: Float64Array): Float64Array => {
    const input = scale ? v.map((x, i) => x * scale[i]) : v;
    let out: Float64Array = new Float64Array(0);
    tf.tidy(() => {
      out = flatten(hessianVectorProduct(loss, params, unflatten(input, shapes), eps));
    });
    return scale ? out.map((x, i) => x * scale[i]) : out;
  };
  return Object.assign(apply, { size });
}

function checkShapes(params: readonly tf.Tensor[], other: readonly tf.Tensor[]): void {
  if (params.length !== other.length)
    throw new RangeError(`expected ${params.length} tensors shaped like the parameters, got ${other.length}`);
  params.forEach((p, i) => {
    if (!tf.util.arraysEqual(p.shape, other[i].shape))
      throw new RangeError(`tensor ${i} has shape [${other[i].shape}], the parameter [${p.shape}]`);
  });
}

/** Concatenates the tensors' values (row-major, in order) into one float64 vector. */
function flatten(tensors: readonly tf.Tensor[]): Float64Array {
  const out = new Float64Array(tensors.reduce((sum, t) => sum + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.dataSync(), offset);
    offset += t.size;
  }
  return out;
}

function unflatten(flat: Float64Array, shapes: readonly number[][]): tf.Tensor[] {
  let offset = 0;
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Float32Array.from(flat.subarray(offset, offset + size)), shape, 'float32');
    offset += size;
    return t;
  });
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** a <- a + c b */
function axpy(a: Float64Array, b: Float64Array, c: number): void {
  for (let i = 0; i < a.length; i++) a[i] += c * b[i];
}

function scaled(a: Float64Array, c: number): Float64Array {
  return a.map((x) => x * c);
}

function gaussianSource(seed: number): () => number {
  const uniform = seedrandom(`sharpness:${seed}`);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function randomUnit(size: number, gaussian: () => number): Float64Array {
  const v = new Float64Array(size);
  for (let i = 0; i < size; i++) v[i] = gaussian();
  return scaled(v, 1 / Math.sqrt(dot(v, v)));
}
