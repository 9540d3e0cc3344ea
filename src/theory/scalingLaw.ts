import seedrandom from 'seedrandom';

/**
 * Neural scaling laws: the Chinchilla form, the one-variable power law plus constant, their robust fit, bootstrap
 * intervals, extrapolation scoring and the compute-optimal allocation (THEORY.md entry 13).
 *
 * References: Hoffmann et al., "Training compute-optimal large language models" (Chinchilla), NeurIPS 2022,
 * arXiv:2203.15556 (form, App. D.2 fitting recipe); Besiroglu, Erdil, Barnett & You, "Chinchilla scaling: a
 * replication attempt", arXiv:2404.10102 (corrected recipe: Huber terms summed, not averaged); Kaplan et al.,
 * arXiv:2001.08361; Li, Kudugunta & Zettlemoyer, arXiv:2502.18969 (fitting pitfalls); Alabdulmohsin, Neyshabur &
 * Zhai, arXiv:2209.06640 (score by extrapolation, not in-sample fit).
 *
 *     Chinchilla:  L(N, D) = E + A / N^alpha + B / D^beta
 *     power law:   L(x)    = E + A / x^alpha           (x = N, D or compute C)
 *
 * with L the final (test) loss in whatever unit the runs report (nats for language models), N the parameter
 * count (count all parameters, or all but embeddings, consistently, and say which) and D the number of training
 * examples/tokens. Compute C = 6 N D FLOPs (forward + backward of a dense model, Kaplan et al.).
 *
 * Fit (Hoffmann App. D.2 as corrected by Besiroglu et al.): in the log parameters a = log A, b = log B, e = log E,
 *
 *     minimize  sum_runs Huber_delta( LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i ),   delta = 1e-3
 *
 * (LSE = log-sum-exp, so the model is log L; the sum, not the mean, of the Huber terms), by L-BFGS from every
 * point of the grid alpha, beta in {0, 0.5, ..., 2}, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25} (4500 starts),
 * keeping the lowest objective. The power law uses LSE(a - alpha log x, e) with the same grids for its three
 * parameters (150 starts).
 *
 * The optimiser is a small hand-written L-BFGS (memory 10, backtracking Armijo line search, curvature pairs with
 * s.y <= 0 skipped): the problem has 3-5 parameters with an exact gradient, which any textbook L-BFGS handles;
 * ml-matrix (the linear-algebra dependency) has no optimiser, and the mljs Levenberg-Marquardt package fits
 * least squares, which would need an IRLS wrapper to minimize a Huber loss. No dependency was added. Every grid
 * start stops at a loose tolerance and the best five distinct optima are then polished at a strict one (see
 * `multiStart`): a 4500-start fit of 42 runs takes about 1 s of CPU.
 */

/** One training run of the sweep: its parameter count N, data size D and final loss L > 0. */
export interface ScalingRun {
  N: number;
  D: number;
  loss: number;
}

/** The Chinchilla loss surface L(N, D) = E + A / N^alpha + B / D^beta. */
export interface ChinchillaParams {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/** The one-variable law L(x) = E + A / x^alpha. */
export interface PowerLawParams {
  E: number;
  A: number;
  alpha: number;
}

/**
 * Hoffmann et al. (2022) App. D.2 / Approach 3, as published (rounded exponents; language modelling, nats,
 * N = non-embedding parameters, D = tokens). The unrounded exponents behind the paper's Table 2 are
 * alpha = 0.3392, beta = 0.2849 (`CHINCHILLA_HOFFMANN_UNROUNDED`).
 */
export const CHINCHILLA_HOFFMANN: Readonly<ChinchillaParams> = Object.freeze({
  E: 1.69,
  A: 406.4,
  B: 410.7,
  alpha: 0.34,
  beta: 0.28,
});

/** Hoffmann et al. (2022) Approach 3 with the unrounded exponents (implied a = 0.46, b = 0.54, their Table 2). */
export const CHINCHILLA_HOFFMANN_UNROUNDED: Readonly<ChinchillaParams> = Object.freeze({
  E: 1.69,
  A: 406.4,
  B: 410.7,
  alpha: 0.3392,
  beta: 0.2849,
});

/**
 * Besiroglu et al. (2024), the refit of Hoffmann's Approach 3 on the data extracted from their Figure 4 with the
 * Huber terms summed: consistent with Approaches 1 and 2 (about 20 tokens per parameter at Chinchilla's compute).
 */
export const CHINCHILLA_BESIROGLU: Readonly<ChinchillaParams> = Object.freeze({
  E: 1.8172,
  A: 482.01,
  B: 2085.43,
  alpha: 0.3478,
  beta: 0.3658,
});

/** L(N, D) = E + A / N^alpha + B / D^beta. */
export function chinchillaLoss(p: ChinchillaParams, N: number, D: number): number {
  return p.E + p.A / N ** p.alpha + p.B / D ** p.beta;
}

/** L(x) = E + A / x^alpha. */
export function scalingPowerLawLoss(p: PowerLawParams, x: number): number {
  return p.E + p.A / x ** p.alpha;
}

/** The compute-optimal allocation of a compute budget, and the exponents it scales with. */
export interface ComputeOptimal {
  /** N_opt = G (C/6)^a. */
  N: number;
  /** D_opt = G^-1 (C/6)^b, so that 6 N_opt D_opt = C. */
  D: number;
  /** The loss at the optimum, L(N_opt, D_opt). */
  loss: number;
  /** a = beta / (alpha + beta): N_opt grows as C^a. */
  a: number;
  /** b = alpha / (alpha + beta): D_opt grows as C^b (a + b = 1). */
  b: number;
  /** G = (alpha A / (beta B))^(1 / (alpha + beta)). */
  G: number;
}

/**
 * Minimizes L(N, D) at fixed compute C = 6 N D (Hoffmann et al. eq. 4, THEORY.md entry 13): setting the
 * derivative of A N^-alpha + B (C/(6N))^-beta to zero gives alpha A N^-alpha = beta B D^-beta, i.e.
 *
 *     N_opt = G (C/6)^(beta/(alpha+beta)),  D_opt = G^-1 (C/6)^(alpha/(alpha+beta)),
 *     G = (alpha A / (beta B))^(1/(alpha+beta)).
 *
 * @example
 * chinchillaComputeOptimal(CHINCHILLA_BESIROGLU, 5.76e23); // => N ~ 7.2e10, D ~ 1.3e12 (Chinchilla: 70B, 1.4T)
 */
export function chinchillaComputeOptimal(p: ChinchillaParams, compute: number): ComputeOptimal {
  if (!(compute > 0 && Number.isFinite(compute))) throw new RangeError(`compute must be > 0, got ${compute}`);
  if (!(p.alpha > 0 && p.beta > 0 && p.A > 0 && p.B > 0)) {
    throw new RangeError('the compute optimum needs alpha, beta, A, B > 0');
  }
  const sum = p.alpha + p.beta;
  const G = ((p.alpha * p.A) / (p.beta * p.B)) ** (1 / sum);
  const a = p.beta / sum;
  const b = p.alpha / sum;
  const N = G * (compute / 6) ** a;
  const D = (compute / 6) ** b / G;
  return { N, D, loss: chinchillaLoss(p, N, D), a, b, G };
}

/** The Huber threshold of the Chinchilla recipe (on residuals of log L). */
export const SCALING_LAW_HUBER_DELTA = 1e-3;

/** Options of the robust fits. */
export interface ScalingFitOptions {
  /** Huber threshold on log-loss residuals (default 1e-3). */
  delta?: number;
  /** Extra starting points (log parameters, see `ChinchillaFit.logParams`), tried before the grid. */
  starts?: readonly (readonly number[])[];
  /** Set false to skip the grid and start only from `starts` (used by the bootstrap). */
  grid?: boolean;
  /** L-BFGS iteration cap per start (default 1000). */
  maxIterations?: number;
}

/** A fitted law and how well it fits. */
export interface ScalingFit<P> {
  params: P;
  /** The optimum in the fitted coordinates: [a, b, e, alpha, beta] (Chinchilla) or [a, e, alpha] (power law). */
  logParams: number[];
  /** sum of the Huber terms at the optimum. */
  objective: number;
  /** How many starts were run. */
  starts: number;
  /** The best few distinct local optima (log parameters), lowest objective first: warm starts for refits. */
  bestStarts: number[][];
}

export type ChinchillaFit = ScalingFit<ChinchillaParams>;
export type PowerLawFit = ScalingFit<PowerLawParams>;

/**
 * Robust Chinchilla fit (see the module comment): Huber(delta) summed over runs on the residuals of
 * log L = LSE(a - alpha log N, b - beta log D, e), L-BFGS from 4500 grid starts. Cost: about 4500 x (L-BFGS
 * iterations) x (runs) log-sum-exps, a few seconds for a hundred runs.
 */
export function chinchillaFit(runs: readonly ScalingRun[], options: ScalingFitOptions = {}): ChinchillaFit {
  checkRuns(runs);
  const logN = runs.map((r) => Math.log(r.N));
  const logD = runs.map((r) => Math.log(r.D));
  const logL = runs.map((r) => Math.log(r.loss));
  const delta = options.delta ?? SCALING_LAW_HUBER_DELTA;
  const objective = (x: readonly number[]) => {
    const [a, b, e, alpha, beta] = x;
    const grad = [0, 0, 0, 0, 0];
    let value = 0;
    for (let i = 0; i < logL.length; i++) {
      const t1 = a - alpha * logN[i];
      const t2 = b - beta * logD[i];
      const m = Math.max(t1, t2, e);
      const w1 = Math.exp(t1 - m);
      const w2 = Math.exp(t2 - m);
      const w3 = Math.exp(e - m);
      const z = w1 + w2 + w3;
      const r = m + Math.log(z) - logL[i];
      value += huber(r, delta);
      const psi = Math.max(-delta, Math.min(delta, r)) / z;
      grad[0] += psi * w1;
      grad[1] += psi * w2;
      grad[2] += psi * w3;
      grad[3] -= psi * w1 * logN[i];
      grad[4] -= psi * w2 * logD[i];
    }
    return { value, grad };
  };
  const grid: number[][] = [];
  if (options.grid !== false) {
    for (const alpha of GRID_EXPONENT)
      for (const beta of GRID_EXPONENT)
        for (const e of GRID_E)
          for (const a of GRID_LOG_AB) for (const b of GRID_LOG_AB) grid.push([a, b, e, alpha, beta]);
  }
  const best = multiStart(objective, [...(options.starts ?? []).map((s) => [...s]), ...grid], options);
  const [a, b, e, alpha, beta] = best.x;
  return {
    params: { E: Math.exp(e), A: Math.exp(a), B: Math.exp(b), alpha, beta },
    logParams: best.x,
    objective: best.value,
    starts: best.starts,
    bestStarts: best.bestStarts,
  };
}

/**
 * Robust fit of L(x) = E + A / x^alpha (x = N, D or C): Huber(delta) summed on the residuals of
 * log L = LSE(a - alpha log x, e), L-BFGS from the 150 grid starts alpha in {0, ..., 2}, e in {-1, ..., 1},
 * a in {0, 5, ..., 25}.
 */
export function scalingPowerLawFit(
  points: readonly { x: number; loss: number }[],
  options: ScalingFitOptions = {},
): PowerLawFit {
  checkRuns(points.map((p) => ({ N: p.x, D: 1, loss: p.loss })));
  const logX = points.map((p) => Math.log(p.x));
  const logL = points.map((p) => Math.log(p.loss));
  const delta = options.delta ?? SCALING_LAW_HUBER_DELTA;
  const objective = (x: readonly number[]) => {
    const [a, e, alpha] = x;
    const grad = [0, 0, 0];
    let value = 0;
    for (let i = 0; i < logL.length; i++) {
      const t1 = a - alpha * logX[i];
      const m = Math.max(t1, e);
      const w1 = Math.exp(t1 - m);
      const w2 = Math.exp(e - m);
      const z = w1 + w2;
      const r = m + Math.log(z) - logL[i];
      value += huber(r, delta);
      const psi = Math.max(-delta, Math.min(delta, r)) / z;
      grad[0] += psi * w1;
      grad[1] += psi * w2;
      grad[2] -= psi * w1 * logX[i];
    }
    return { value, grad };
  };
  const grid: number[][] = [];
  if (options.grid !== false) {
    for (const alpha of GRID_EXPONENT)
      for (const e of GRID_E) for (const a of GRID_LOG_AB) grid.push([a, e, alpha]);
  }
  const best = multiStart(objective, [...(options.starts ?? []).map((s) => [...s]), ...grid], options);
  const [a, e, alpha] = best.x;
  return {
    params: { E: Math.exp(e), A: Math.exp(a), alpha },
    logParams: best.x,
    objective: best.value,
    starts: best.starts,
    bestStarts: best.bestStarts,
  };
}

/** A percentile bootstrap interval around the full-data estimate. */
export interface ScalingInterval {
  lo: number;
  hi: number;
  /** The estimate on all the runs. */
  estimate: number;
}

/** Bootstrap intervals of every Chinchilla parameter and of the compute-optimal exponents a, b. */
export interface ChinchillaBootstrap {
  fit: ChinchillaFit;
  intervals: Record<keyof ChinchillaParams | 'a' | 'b', ScalingInterval>;
  /** The refitted parameters of each resample. */
  samples: ChinchillaParams[];
}

/**
 * Percentile bootstrap over runs (THEORY.md entry 13: "bootstrap over runs for confidence intervals"): draws
 * `resamples` sets of runs with replacement (seeded, seedrandom), refits each, and reports the (1-level)/2 and
 * (1+level)/2 quantiles of every parameter and of a = beta/(alpha+beta), b = alpha/(alpha+beta). The full-data
 * fit runs the whole 4500-start grid; each refit starts from the full-data optimum and its best few distinct
 * local optima only (a full grid per resample would cost resamples x 4500 L-BFGS runs). Cost: resamples x ~6
 * L-BFGS runs.
 */
export function chinchillaBootstrap(
  runs: readonly ScalingRun[],
  options: { resamples?: number; level?: number; seed?: number | string; fit?: ScalingFitOptions } = {},
): ChinchillaBootstrap {
  const resamples = options.resamples ?? 200;
  const level = options.level ?? 0.95;
  if (!(Number.isInteger(resamples) && resamples >= 2))
    throw new RangeError(`resamples must be >= 2, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const fit = chinchillaFit(runs, options.fit);
  const random = seedrandom(`scalingLaw:${options.seed ?? 0}`);
  const samples: ChinchillaParams[] = [];
  for (let r = 0; r < resamples; r++) {
    const resample = runs.map(() => runs[Math.floor(random() * runs.length)]);
    const refit = chinchillaFit(resample, { ...options.fit, grid: false, starts: fit.bestStarts });
    samples.push(refit.params);
  }
  const derived = (p: ChinchillaParams) => ({
    ...p,
    a: p.beta / (p.alpha + p.beta),
    b: p.alpha / (p.alpha + p.beta),
  });
  const full = derived(fit.params);
  const all = samples.map(derived);
  const keys = ['E', 'A', 'B', 'alpha', 'beta', 'a', 'b'] as const;
  const intervals = Object.fromEntries(
    keys.map((k) => {
      const sorted = all.map((s) => s[k]).sort((x, y) => x - y);
      return [
        k,
        { lo: quantile(sorted, (1 - level) / 2), hi: quantile(sorted, (1 + level) / 2), estimate: full[k] },
      ];
    }),
  ) as ChinchillaBootstrap['intervals'];
  return { fit, intervals, samples };
}

/** One held-out run and its extrapolated prediction. */
export interface ScalingHeldOut extends ScalingRun {
  predicted: number;
  /** |predicted - loss| / loss. */
  relError: number;
}

/**
 * The extrapolation score of THEORY.md entry 13 (Alabdulmohsin et al. 2022): sort the runs by `by` (N, D or
 * compute 6ND), fit the Chinchilla form on the smallest `trainFraction` of them (default 0.7; ties on the
 * boundary stay together, on the training side), predict the rest, and report the relative error of each
 * held-out run, their maximum and mean. In-sample fit quality is not a score.
 */
export function chinchillaExtrapolation(
  runs: readonly ScalingRun[],
  options: { trainFraction?: number; by?: 'N' | 'D' | 'C'; fit?: ScalingFitOptions } = {},
): { fit: ChinchillaFit; heldOut: ScalingHeldOut[]; maxRelError: number; meanRelError: number } {
  const by = options.by ?? 'N';
  const key = (r: ScalingRun) => (by === 'N' ? r.N : by === 'D' ? r.D : 6 * r.N * r.D);
  const { train, test } = splitBySize(runs, key, options.trainFraction ?? 0.7);
  const fit = chinchillaFit(train, options.fit);
  const heldOut = test.map((r) => {
    const predicted = chinchillaLoss(fit.params, r.N, r.D);
    return { ...r, predicted, relError: Math.abs(predicted - r.loss) / r.loss };
  });
  return { fit, heldOut, ...summarize(heldOut) };
}

/** `chinchillaExtrapolation` for the one-variable power law: fit on the smallest x, score on the largest. */
export function scalingPowerLawExtrapolation(
  points: readonly { x: number; loss: number }[],
  options: { trainFraction?: number; fit?: ScalingFitOptions } = {},
): {
  fit: PowerLawFit;
  heldOut: { x: number; loss: number; predicted: number; relError: number }[];
  maxRelError: number;
  meanRelError: number;
} {
  const { train, test } = splitBySize(points, (p) => p.x, options.trainFraction ?? 0.7);
  const fit = scalingPowerLawFit(train, options.fit);
  const heldOut = test.map((p) => {
    const predicted = scalingPowerLawLoss(fit.params, p.x);
    return { ...p, predicted, relError: Math.abs(predicted - p.loss) / p.loss };
  });
  return { fit, heldOut, ...summarize(heldOut) };
}

const GRID_EXPONENT = [0, 0.5, 1, 1.5, 2];
const GRID_E = [-1, -0.5, 0, 0.5, 1];
const GRID_LOG_AB = [0, 5, 10, 15, 20, 25];

function huber(r: number, delta: number): number {
  const abs = Math.abs(r);
  return abs <= delta ? 0.5 * r * r : delta * (abs - 0.5 * delta);
}

type Objective = (x: readonly number[]) => { value: number; grad: number[] };

/**
 * L-BFGS from every start with a loose stopping rule (relative decrease 1e-7), then the best few distinct
 * optima polished with a strict one (1e-13): the grid only has to find the right basin, and polishing the
 * winners gives the precision of a strict run at a fifth of the cost of running every start strictly.
 */
function multiStart(
  objective: Objective,
  starts: number[][],
  options: ScalingFitOptions,
): { x: number[]; value: number; starts: number; bestStarts: number[][] } {
  if (starts.length === 0) throw new RangeError('no starting point: pass starts or leave grid on');
  const maxIterations = options.maxIterations ?? 1000;
  const distinctBest = (results: { x: number[]; value: number }[]) => {
    const finite = results.filter((r) => Number.isFinite(r.value) && r.x.every(Number.isFinite));
    finite.sort((p, q) => p.value - q.value);
    const best: { x: number[]; value: number }[] = [];
    for (const r of finite) {
      if (best.length >= 5) break;
      if (best.every((b) => b.x.some((v, i) => Math.abs(v - r.x[i]) > 1e-3 * (1 + Math.abs(v)))))
        best.push(r);
    }
    return best;
  };
  const rough = distinctBest(starts.map((x0) => lbfgs(objective, x0, maxIterations, 1e-7)));
  if (rough.length === 0) throw new Error('every start of the scaling-law fit diverged');
  const polished = distinctBest(rough.map((r) => lbfgs(objective, r.x, 5 * maxIterations, 1e-13)));
  return {
    x: polished[0].x,
    value: polished[0].value,
    starts: starts.length,
    bestStarts: polished.map((r) => r.x),
  };
}

/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, Alg. 7.4/7.5) with memory 10 and a
 * backtracking line search on the Armijo condition (c1 = 1e-4); a pair (s, y) with s.y <= 1e-12 |s| |y| is not
 * stored, which keeps the inverse-Hessian estimate positive definite without a Wolfe search. Stops when the
 * gradient vanishes, the line search fails, or two iterations in a row lower the objective by less than
 * `ftol` times its value.
 */
function lbfgs(
  objective: Objective,
  x0: readonly number[],
  maxIterations: number,
  ftol: number,
): { x: number[]; value: number } {
  const memory = 10;
  let x = [...x0];
  let { value, grad } = objective(x);
  const sList: number[][] = [];
  const yList: number[][] = [];
  const rhoList: number[] = [];
  let slow = 0;
  for (let iter = 0; iter < maxIterations; iter++) {
    const gNorm = Math.sqrt(dot(grad, grad));
    if (!(gNorm > 0) || !Number.isFinite(value)) break;
    // Two-loop recursion: direction = -H grad.
    const q = [...grad];
    const alphas: number[] = [];
    for (let i = sList.length - 1; i >= 0; i--) {
      const a = rhoList[i] * dot(sList[i], q);
      alphas[i] = a;
      axpy(-a, yList[i], q);
    }
    const last = sList.length - 1;
    const gamma = last >= 0 ? dot(sList[last], yList[last]) / dot(yList[last], yList[last]) : 1 / gNorm;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let i = 0; i < sList.length; i++) {
      const b = rhoList[i] * dot(yList[i], q);
      axpy(alphas[i] - b, sList[i], q);
    }
    let direction = q.map((v) => -v);
    let slope = dot(direction, grad);
    if (!(slope < 0)) {
      // Not a descent direction (round-off): restart from steepest descent.
      sList.length = yList.length = rhoList.length = 0;
      direction = grad.map((g) => -g / gNorm);
      slope = -gNorm;
    }
    let step = 1;
    let next = x;
    let trial = { value: Infinity, grad };
    for (let k = 0; k < 60; k++) {
      next = x.map((v, i) => v + step * direction[i]);
      trial = objective(next);
      if (Number.isFinite(trial.value) && trial.value <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(trial.value <= value + 1e-4 * step * slope)) break;
    const s = next.map((v, i) => v - x[i]);
    const y = trial.grad.map((g, i) => g - grad[i]);
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      sList.push(s);
      yList.push(y);
      rhoList.push(1 / sy);
      if (sList.length > memory) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
    }
    const decrease = value - trial.value;
    x = next;
    value = trial.value;
    grad = trial.grad;
    slow = decrease <= ftol * Math.abs(value) ? slow + 1 : 0;
    if (slow >= 2 || value === 0) break;
  }
  return { x, value };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function axpy(alpha: number, x: readonly number[], y: number[]): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

function splitBySize<T>(
  items: readonly T[],
  key: (item: T) => number,
  fraction: number,
): { train: T[]; test: T[] } {
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`trainFraction must be in (0, 1), got ${fraction}`);
  const sorted = [...items].sort((p, q) => key(p) - key(q));
  let cut = Math.max(1, Math.round(fraction * sorted.length));
  while (cut < sorted.length && key(sorted[cut]) === key(sorted[cut - 1])) cut++;
  const train = sorted.slice(0, cut);
  const test = sorted.slice(cut);
  if (test.length === 0)
    throw new RangeError('nothing is left to extrapolate to: every run is in the training part');
  return { train, test };
}

function summarize(heldOut: readonly { relError: number }[]): { maxRelError: number; meanRelError: number } {
  return {
    maxRelError: Math.max(...heldOut.map((h) => h.relError)),
    meanRelError: heldOut.reduce((sum, h) => sum + h.relError, 0) / heldOut.length,
  };
}

function checkRuns(runs: readonly ScalingRun[]): void {
  if (runs.length === 0) throw new RangeError('need at least one run');
  runs.forEach((r, i) => {
    for (const [name, v] of Object.entries({ N: r.N, D: r.D, loss: r.loss })) {
      if (!(Number.isFinite(v) && v > 0))
        throw new RangeError(`run ${i}: ${name} must be finite and > 0, got ${v}`);
    }
  });
}
