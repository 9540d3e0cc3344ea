import { Matrix } from 'ml-matrix';

/**
 * The critical batch size (THEORY.md entry 18; McCandlish, Kaplan, Amodei et al., "An empirical model of
 * large-batch training", arXiv:1812.06162, sec. 2 and 3). For a loss that is locally quadratic with Hessian H,
 * true gradient G and per-example gradient covariance Sigma, one SGD step theta <- theta - eps G_B on a batch of
 * B examples lowers the loss in expectation by
 *
 *     dL(eps, B) = eps |G|^2 - (eps^2 / 2) (G^T H G + tr(H Sigma) / B),
 *
 * maximal at eps_opt(B) = eps_max / (1 + B_noise / B) with eps_max = |G|^2 / (G^T H G), where it is
 * dL_opt(B) = dL_max / (1 + B_noise / B), dL_max = |G|^4 / (2 G^T H G), and B_noise = tr(H Sigma) / (G^T H G).
 * Summed over training this gives the steps/examples trade-off to reach a given loss,
 *
 *     S(B) = S_min (1 + B_noise / B),   E(B) = B S(B) = E_min (1 + B / B_noise),   E_min = S_min B_noise,
 *
 * i.e. the Pareto frontier (S/S_min - 1)(E/E_min - 1) = 1, with B_crit = E_min / S_min (~ B_noise ~ B_simple,
 * `GradientNoiseScale` in observables/noiseScale): at B = B_crit a run takes twice the minimal steps and twice the
 * minimal examples. Sigma is the covariance of a single example's gradient (1/n population covariance); the loss
 * constant c cancels in every ratio (B_noise, B_crit), and eps scales as 1/c.
 */

/** The two constants of the trade-off: minimal steps S_min (B -> infinity) and the noise scale B_noise. */
export interface CriticalBatchModel {
  sMin: number;
  bNoise: number;
}

/** Steps to the target at batch size B: S(B) = S_min (1 + B_noise / B). */
export function criticalBatchSteps(batch: number, model: CriticalBatchModel): number {
  checkModel(model);
  checkBatch(batch);
  return model.sMin * (1 + model.bNoise / batch);
}

/** Examples to the target at batch size B: E(B) = B S(B) = E_min (1 + B / B_noise), E_min = S_min B_noise. */
export function criticalBatchExamples(batch: number, model: CriticalBatchModel): number {
  checkModel(model);
  checkBatch(batch);
  return model.sMin * model.bNoise * (1 + batch / model.bNoise);
}

/**
 * The optimal SGD step and its expected improvement on the local quadratic model, for batch size B:
 * eps_opt = eps_max / (1 + B_noise/B), dL_opt = dL_max / (1 + B_noise/B), with eps_max = |G|^2 / (G^T H G),
 * dL_max = |G|^4 / (2 G^T H G) and B_noise = tr(H Sigma) / (G^T H G). Inputs are explicit (small) matrices,
 * gradient G (length P), Hessian H and covariance Sigma (P x P, symmetric); ml-matrix does the products.
 * Requires G^T H G > 0 (the step direction has positive curvature).
 */
export function criticalBatchOptimalStep(
  batch: number,
  local: { gradient: readonly number[]; hessian: readonly number[][]; covariance: readonly number[][] },
): { lr: number; improvement: number; lrMax: number; improvementMax: number; bNoise: number } {
  checkBatch(batch);
  const { gradSq, curvature, bNoise } = criticalBatchNoiseScales(local);
  const lrMax = gradSq / curvature;
  const improvementMax = (gradSq * gradSq) / (2 * curvature);
  const factor = 1 / (1 + bNoise / batch);
  return { lr: lrMax * factor, improvement: improvementMax * factor, lrMax, improvementMax, bNoise };
}

/**
 * B_noise = tr(H Sigma) / (G^T H G) and B_simple = tr(Sigma) / |G|^2 from explicit matrices (they coincide when
 * H is a multiple of the identity; B_simple overestimates B_noise when the noise lies in flat directions). Also
 * returns |G|^2 and the curvature G^T H G along the gradient.
 */
export function criticalBatchNoiseScales(local: {
  gradient: readonly number[];
  hessian: readonly number[][];
  covariance: readonly number[][];
}): { bNoise: number; bSimple: number; gradSq: number; curvature: number } {
  const g = Matrix.columnVector(local.gradient as number[]);
  const h = new Matrix(local.hessian as number[][]);
  const sigma = new Matrix(local.covariance as number[][]);
  const p = g.rows;
  if (h.rows !== p || h.columns !== p || sigma.rows !== p || sigma.columns !== p)
    throw new RangeError(`gradient has ${p} entries: hessian and covariance must be ${p} x ${p}`);
  const gradSq = g.transpose().mmul(g).get(0, 0);
  const curvature = g.transpose().mmul(h).mmul(g).get(0, 0);
  if (!(curvature > 0)) throw new RangeError(`G^T H G must be > 0, got ${curvature}`);
  return {
    bNoise: h.mmul(sigma).trace() / curvature,
    bSimple: sigma.trace() / gradSq,
    gradSq,
    curvature,
  };
}

/** One run of a batch-size sweep: the batch size and the steps it took to reach the target. */
export interface CriticalBatchRun {
  batch: number;
  steps: number;
}

/** The Pareto fit of a batch-size sweep. */
export interface CriticalBatchFit {
  sMin: number;
  eMin: number;
  /** E_min / S_min. */
  bCrit: number;
  /** R^2 of log S (equivalently log E = log B + log S) against the fitted curve. */
  r2log: number;
  /** The fitted S(B) at each run's batch size, in input order. */
  fittedSteps: number[];
}

/**
 * Fits S(B) = S_min + E_min / B (the hyperbola (S/S_min - 1)(E/E_min - 1) = 1 with E = B S) to a sweep, as
 * THEORY.md entry 18 scores it: least squares on log S, two free parameters, so at least 3 runs with 2 distinct
 * batch sizes are needed for a meaningful R^2. The start is the linear least-squares fit of S against 1/B with
 * weights 1/S^2 (the log-space weights to first order); Gauss-Newton with step halving on (ln S_min, ln E_min)
 * then minimizes the log residuals (keeping both positive). Hand-written: a 2-parameter problem with a 2 x 2
 * normal system, no fitting library in the project. B_crit = E_min / S_min.
 *
 * @example
 * fitCriticalBatch([{ batch: 8, steps: 1300 }, { batch: 64, steps: 250 }, { batch: 512, steps: 118 }]);
 * // => sMin ~ 99, eMin ~ 9600, bCrit ~ 97, r2log > 0.9999 (the runs lie on S = 100 (1 + 96/B) to 1%)
 */
export function fitCriticalBatch(runs: readonly CriticalBatchRun[]): CriticalBatchFit {
  if (runs.length < 2) throw new RangeError(`need at least 2 runs, got ${runs.length}`);
  for (const { batch, steps } of runs) {
    checkBatch(batch);
    if (!(steps > 0 && Number.isFinite(steps))) throw new RangeError(`steps must be > 0, got ${steps}`);
  }
  if (new Set(runs.map((r) => r.batch)).size < 2)
    throw new RangeError('need at least 2 distinct batch sizes');
  const u = runs.map((r) => 1 / r.batch);
  const logS = runs.map((r) => Math.log(r.steps));

  // Weighted linear start: S = a + b u with weights 1/S^2.
  const w = runs.map((r) => 1 / r.steps ** 2);
  const normal = new Matrix([
    [sum(w), sum(w.map((wi, i) => wi * u[i]))],
    [sum(w.map((wi, i) => wi * u[i])), sum(w.map((wi, i) => wi * u[i] ** 2))],
  ]);
  const rhs = Matrix.columnVector([
    sum(w.map((wi, i) => wi * runs[i].steps)),
    sum(w.map((wi, i) => wi * u[i] * runs[i].steps)),
  ]);
  const start = solve2(normal, rhs);
  const minSteps = Math.min(...runs.map((r) => r.steps));
  let a = Math.log(start && start[0] > 0 ? start[0] : 0.5 * minSteps);
  let b = Math.log(start && start[1] > 0 ? start[1] : 0.5 * minSteps * Math.max(...runs.map((r) => r.batch)));

  const cost = (la: number, lb: number) =>
    sum(logS.map((ls, i) => (ls - Math.log(Math.exp(la) + Math.exp(lb) * u[i])) ** 2));
  let current = cost(a, b);
  for (let iter = 0; iter < 200; iter++) {
    // r_i = logS_i - ln(e^a + e^b u_i); d r_i / d a = -q_i, d r_i / d b = -(1 - q_i), q_i = e^a / (e^a + e^b u_i).
    const model = u.map((ui) => Math.exp(a) + Math.exp(b) * ui);
    const q = model.map((m) => Math.exp(a) / m);
    const r = logS.map((ls, i) => ls - Math.log(model[i]));
    const jtj = new Matrix([
      [sum(q.map((qi) => qi * qi)), sum(q.map((qi) => qi * (1 - qi)))],
      [sum(q.map((qi) => qi * (1 - qi))), sum(q.map((qi) => (1 - qi) ** 2))],
    ]);
    const jtr = Matrix.columnVector([
      sum(q.map((qi, i) => qi * r[i])),
      sum(q.map((qi, i) => (1 - qi) * r[i])),
    ]);
    // Small Levenberg damping keeps the 2 x 2 system solvable when one parameter is unidentifiable.
    for (let k = 0; k < 2; k++) jtj.set(k, k, jtj.get(k, k) * (1 + 1e-9) + 1e-12);
    const delta = solve2(jtj, jtr);
    if (!delta) break;
    let step = 1;
    let improved = false;
    while (step > 1e-6) {
      const na = a + step * delta[0];
      const nb = b + step * delta[1];
      const next = cost(na, nb);
      if (next <= current) {
        improved = current - next > 1e-15 * Math.max(1, current);
        a = na;
        b = nb;
        current = next;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  const sMin = Math.exp(a);
  const eMin = Math.exp(b);
  const fittedSteps = u.map((ui) => sMin + eMin * ui);
  const mean = sum(logS) / logS.length;
  const ssTot = sum(logS.map((ls) => (ls - mean) ** 2));
  const ssRes = sum(logS.map((ls, i) => (ls - Math.log(fittedSteps[i])) ** 2));
  return {
    sMin,
    eMin,
    bCrit: eMin / sMin,
    r2log: ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0,
    fittedSteps,
  };
}

function solve2(m: Matrix, v: Matrix): [number, number] | null {
  const [[p, q], [r, s]] = m.to2DArray();
  const det = p * s - q * r;
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) return null;
  const x = (s * v.get(0, 0) - q * v.get(1, 0)) / det;
  const y = (p * v.get(1, 0) - r * v.get(0, 0)) / det;
  return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
}

function sum(values: readonly number[]): number {
  return values.reduce((s, x) => s + x, 0);
}

function checkBatch(batch: number): void {
  if (!(batch > 0 && Number.isFinite(batch))) throw new RangeError(`batch size must be > 0, got ${batch}`);
}

function checkModel({ sMin, bNoise }: CriticalBatchModel): void {
  if (!(sMin > 0 && bNoise > 0)) throw new RangeError(`need sMin > 0 and bNoise > 0, got ${sMin}, ${bNoise}`);
}
