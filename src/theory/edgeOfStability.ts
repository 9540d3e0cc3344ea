/**
 * Edge of stability (THEORY.md entry 19): under full-batch training the sharpness S(t) = lambda_max of the Hessian of
 * the training loss rises ("progressive sharpening") until it reaches the optimizer's linear-stability threshold,
 * then stops rising and hovers at it while the loss keeps decreasing non-monotonically.
 *
 * References: Cohen, Kaur, Li, Kolter & Talwalkar, arXiv:2103.00065 (GD: 2/lr; heavy-ball momentum: (2 + 2 beta)/lr,
 * their appendix); Cohen et al., "Adaptive gradient methods at the edge of stability", arXiv:2207.14484 (Adam: the
 * preconditioned sharpness lambda_max(P^-1 H) hovers at (2 + 2 beta1) / ((1 - beta1) lr) = 38/lr for beta1 = 0.9);
 * Damian, Nichani & Lee, arXiv:2209.15594 (self-stabilisation).
 *
 * Conventions: the sharpness is that of exactly the optimised loss (THEORY.md "Global conventions"; with
 * c = 1/2 MSE the thresholds below apply as they are, with another c the sharpness scales by 2c). `lr` is the
 * step size as the optimizer uses it: theta <- theta - lr * g (GD); v <- beta v + g, theta <- theta - lr v
 * (heavy ball, tf.train.momentum); theta <- theta - lr P^-1 m with m <- beta1 m + (1 - beta1) g (Adam, see
 * `adamPreconditioner` in observables/sharpness).
 */

import { checkBeta } from './checks';

/** The optimizers whose stability threshold this module knows. */
export type EdgeOfStabilityOptimizer = 'gd' | 'momentum' | 'adam';

/** GD on a quadratic with curvature S is stable iff lr * S < 2: the threshold is 2 / lr. */
export function gdSharpnessThreshold(lr: number): number {
  checkLr(lr);
  return 2 / lr;
}

/**
 * Heavy-ball (Polyak) momentum v <- beta v + g, theta <- theta - lr v is stable on curvature S iff
 * lr S < 2 + 2 beta: the threshold is (2 + 2 beta) / lr (Cohen et al. 2021, appendix; see
 * `momentumQuadraticRadius`). Nesterov momentum has a different threshold and is not covered.
 */
export function momentumSharpnessThreshold(lr: number, beta: number): number {
  checkLr(lr);
  checkBeta(beta, 'beta');
  return (2 + 2 * beta) / lr;
}

/**
 * Adam with a frozen preconditioner is EMA momentum (m <- beta1 m + (1 - beta1) g) on the preconditioned
 * problem, stable iff lr (1 - beta1) lambda < 2 + 2 beta1 for every eigenvalue lambda of P^-1 H: the threshold of
 * the preconditioned sharpness is (2 + 2 beta1) / ((1 - beta1) lr), 38 / lr at beta1 = 0.9 (Cohen et al. 2022).
 * beta2 and epsilon enter only through P.
 */
export function adamSharpnessThreshold(lr: number, beta1: number): number {
  checkLr(lr);
  checkBeta(beta1, 'beta1');
  return (2 + 2 * beta1) / ((1 - beta1) * lr);
}

/**
 * The threshold the (preconditioned, for Adam) sharpness hovers at for `optimizer`: 2/lr, (2 + 2 beta)/lr or
 * (2 + 2 beta)/((1 - beta) lr). `beta` is the momentum coefficient, or Adam's beta1 (default 0.9); it is
 * ignored for 'gd'.
 *
 * @example
 * edgeOfStabilityThreshold('adam', 0.01); // => 3800 (38 / lr)
 */
export function edgeOfStabilityThreshold(
  optimizer: EdgeOfStabilityOptimizer,
  lr: number,
  beta = 0.9,
): number {
  switch (optimizer) {
    case 'gd':
      return gdSharpnessThreshold(lr);
    case 'momentum':
      return momentumSharpnessThreshold(lr, beta);
    case 'adam':
      return adamSharpnessThreshold(lr, beta);
    default:
      throw new RangeError(`unknown optimizer '${String(optimizer)}' (expected gd, momentum or adam)`);
  }
}

/**
 * Spectral radius of one step of momentum on the 1-D quadratic L = lambda x^2 / 2, with the update
 * m <- beta m + a lambda x, x <- x - lr m (a = 1 heavy ball, a = 1 - beta the EMA form Adam uses, beta = 0 GD).
 * The state (m, x) is multiplied by [[beta, a lambda], [-lr beta, 1 - lr a lambda]], whose eigenvalues are the
 * roots of z^2 - (1 + beta - lr a lambda) z + beta = 0; the iteration is stable iff the radius is < 1, i.e.
 * 0 < lr a lambda < 2 + 2 beta (THEORY.md entry 19, "quadratic sanity check"). Returns max |z|.
 */
export function momentumQuadraticRadius(
  lrTimesLambda: number,
  beta: number,
  form: 'heavyBall' | 'ema' = 'heavyBall',
): number {
  checkBeta(beta, 'beta');
  const a = form === 'ema' ? 1 - beta : 1;
  const trace = 1 + beta - lrTimesLambda * a;
  const disc = trace * trace - 4 * beta;
  if (disc < 0) return Math.sqrt(beta); // complex pair, |z|^2 = det = beta
  const root = Math.sqrt(disc);
  return Math.max(Math.abs((trace + root) / 2), Math.abs((trace - root) / 2));
}

/** The summary of a sharpness series against its edge-of-stability threshold. */
export interface EdgeOfStabilityHover {
  /** Median of S / threshold over the samples scored (1 at the edge of stability). */
  ratio: number;
  /** Index of the first sample with S >= threshold, or -1 if the sharpness never got there. */
  crossing: number;
  /** How many samples entered the median. */
  samples: number;
}

/**
 * THEORY.md entry 19's score: the median of S(t) / threshold (= S lr / 2 for GD) over the EoS phase, i.e. the
 * samples from the first one reaching the threshold on; 1.00 +- 0.05 at the edge of stability. When the sharpness
 * never reached the threshold, the median over the last `fallbackFraction` of the samples (default the last
 * quarter) is returned with crossing = -1: a value below 1 that says how far from the edge the run stayed.
 * Non-finite samples are skipped. The median (not the mean) ignores the occasional spike of the estimate.
 */
export function edgeOfStabilityHover(
  sharpness: readonly number[],
  threshold: number,
  options: { fallbackFraction?: number } = {},
): EdgeOfStabilityHover {
  if (!(threshold > 0)) throw new RangeError(`threshold must be > 0, got ${threshold}`);
  const { fallbackFraction = 0.25 } = options;
  if (!(fallbackFraction > 0 && fallbackFraction <= 1))
    throw new RangeError(`fallbackFraction must be in (0, 1], got ${fallbackFraction}`);
  const finite = sharpness.map((s, i) => ({ r: s / threshold, i })).filter(({ r }) => Number.isFinite(r));
  if (finite.length === 0) return { ratio: Number.NaN, crossing: -1, samples: 0 };
  const first = finite.findIndex(({ r }) => r >= 1);
  const scored =
    first >= 0
      ? finite.slice(first)
      : finite.slice(-Math.max(1, Math.round(fallbackFraction * finite.length)));
  return {
    ratio: median(scored.map(({ r }) => r)),
    crossing: first >= 0 ? finite[first].i : -1,
    samples: scored.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function checkLr(lr: number): void {
  if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr must be > 0, got ${lr}`);
}
