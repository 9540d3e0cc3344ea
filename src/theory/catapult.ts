/**
 * The catapult phase of gradient descent at a large learning rate (THEORY.md entry 5; Lewkowycz, Bahri, Dyer,
 * Sohl-Dickstein & Gur-Ari, "The large learning rate phase of deep learning: the catapult mechanism",
 * arXiv:2003.02218, 2020).
 *
 * The solvable "uv model": f(x) = v^T (u x) / sqrt(n), hidden width n, u in R^{n x d}, v in R^n, trained by
 * full-batch GD with step lr on the 1/2-MSE loss (1/2)(f(x) - y)^2 of one sample with |x| = 1. Its neural
 * tangent kernel on that sample is the scalar lambda = |grad_theta f|^2 = (|v|^2 + |u x|^2) / n, which is also
 * the loss's sharpness (top Hessian eigenvalue) wherever f = y. Writing g = f - y, one GD step maps (f, lambda)
 * exactly (derived in THEORY.md entry 5; no approximation, any n):
 *
 *     f' - y  = g (1 - lr lambda + lr^2 g f / n),
 *     lambda' = lambda + (lr g / n)(lr g lambda - 4 f).
 *
 * Phases, in the large-width limit (f0^2 / n -> 0), set by lr * lambda0:
 * - lr < 2 / lambda0, "lazy": g shrinks by |1 - lr lambda| per step, lambda barely moves (O(1/n));
 * - 2 / lambda0 < lr < 4 / lambda0, "catapult": |g| first grows by |1 - lr lambda| > 1 per step until g^2 ~ n,
 *   the loss spikes to O(n), lambda falls (lr lambda - 4 < 0) until lr lambda < 2, then GD converges in a flatter
 *   region, with lambda_inf < 2 / lr;
 * - lr > 4 / lambda0, "divergent": lambda grows with |g| and the loss blows up.
 * For deep ReLU nets the paper measures the upper edge near 12 / lambda0 instead (the 2 / lambda0 edge is
 * general); `catapultPhase` takes the upper edge as an option.
 */

/** (f, lambda): the uv model's output on its sample and its NTK eigenvalue (= sharpness at f = y). */
export interface CatapultUvState {
  f: number;
  lambda: number;
}

/** The uv model's training setting: GD step, hidden width n, target y (default 0). */
export interface CatapultUvSetting {
  lr: number;
  width: number;
  target?: number;
}

/** The three phases of GD at a given lr * lambda0. */
export type CatapultPhase = 'lazy' | 'catapult' | 'divergent';

/**
 * One exact GD step of the uv model: f' = y + g (1 - lr lambda + lr^2 g f / n),
 * lambda' = lambda + (lr g / n)(lr g lambda - 4 f), g = f - y (THEORY.md entry 5).
 *
 * @example
 * catapultUvStep({ f: 1, lambda: 2 }, { lr: 1.5, width: 100 }); // => { f: -1.9775, lambda: 1.985 }
 */
export function catapultUvStep(state: CatapultUvState, setting: CatapultUvSetting): CatapultUvState {
  const { lr, width } = setting;
  const y = setting.target ?? 0;
  const { f, lambda } = state;
  const g = f - y;
  return {
    f: y + g * (1 - lr * lambda + (lr * lr * g * f) / width),
    lambda: lambda + ((lr * g) / width) * (lr * g * lambda - 4 * f),
  };
}

/** The uv model's exact trajectory at the sampled steps, and the catapult's peak. */
export interface CatapultUvTrajectory {
  /** f after steps[i] GD steps. */
  f: number[];
  /** lambda after steps[i] GD steps. */
  lambda: number[];
  /** The 1/2-MSE loss (1/2)(f - y)^2 after steps[i] GD steps. */
  loss: number[];
  /** The largest loss over every step from 0 to the last sampled one (not only the sampled ones). */
  peakLoss: number;
  /** The step where it happens. */
  peakStep: number;
}

/**
 * Iterates `catapultUvStep` from (f0, lambda0) and samples it at `steps` (ascending integers). Past an
 * overflow (divergent phase) f, lambda and the loss are Infinity or NaN.
 *
 * @example
 * catapultUvTrajectory({ f0: 1, lambda0: 2, lr: 1.5, width: 1000, steps: [0, 5, 100] }).loss;
 * // => [0.5, 184.9, 5.9e-17]: the spike, then convergence
 */
export function catapultUvTrajectory(
  problem: CatapultUvSetting & { f0: number; lambda0: number; steps: readonly number[] },
): CatapultUvTrajectory {
  const { f0, lambda0, lr, width, steps } = problem;
  checkSetting(problem);
  if (!Number.isFinite(f0)) throw new RangeError(`f0 must be finite, got ${f0}`);
  if (!(Number.isFinite(lambda0) && lambda0 >= 0)) {
    throw new RangeError(`lambda0 must be finite and >= 0, got ${lambda0}`);
  }
  steps.forEach((step, i) => {
    if (!Number.isInteger(step) || step < 0 || (i > 0 && step < steps[i - 1])) {
      throw new RangeError(`steps must be ascending integers >= 0, got steps[${i}] = ${step}`);
    }
  });
  const y = problem.target ?? 0;
  const setting = { lr, width, target: y };
  const out: CatapultUvTrajectory = { f: [], lambda: [], loss: [], peakLoss: -Infinity, peakStep: 0 };
  let state = { f: f0, lambda: lambda0 };
  const lossOf = (s: CatapultUvState) => ((s.f - y) * (s.f - y)) / 2;
  let done = 0;
  const visit = () => {
    const loss = lossOf(state);
    if (loss > out.peakLoss || Number.isNaN(loss)) {
      out.peakLoss = loss;
      out.peakStep = done;
    }
  };
  visit();
  for (const step of steps) {
    for (; done < step;) {
      state = catapultUvStep(state, setting);
      done++;
      if (!Number.isNaN(out.peakLoss)) visit();
    }
    out.f.push(state.f);
    out.lambda.push(state.lambda);
    out.loss.push(lossOf(state));
  }
  return out;
}

/**
 * The phase THEORY.md entry 5 predicts for GD at step lr on a model whose NTK / sharpness at init is lambda0:
 * 'lazy' for lr * lambda0 < 2, 'catapult' for 2 <= lr * lambda0 < upperEdge, 'divergent' beyond. upperEdge = 4
 * (default) is exact for the uv model at large width; Lewkowycz et al. measure about 12 for deep ReLU nets.
 * lambda0 must be the top eigenvalue of the NTK divided by the number of samples under the 1/2-MSE mean loss
 * (for one sample, |grad f|^2), i.e. the sharpness of the loss at a minimum near init.
 *
 * @example
 * catapultPhase(1.5, 2); // => 'catapult' (lr * lambda0 = 3)
 */
export function catapultPhase(
  lr: number,
  lambda0: number,
  options: { upperEdge?: number } = {},
): CatapultPhase {
  const upperEdge = options.upperEdge ?? 4;
  if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`lr must be finite and > 0, got ${lr}`);
  if (!(Number.isFinite(lambda0) && lambda0 > 0)) {
    throw new RangeError(`lambda0 must be finite and > 0, got ${lambda0}`);
  }
  if (!(upperEdge > 2)) throw new RangeError(`upperEdge must be > 2, got ${upperEdge}`);
  const x = lr * lambda0;
  if (x < 2) return 'lazy';
  return x < upperEdge ? 'catapult' : 'divergent';
}

/**
 * Classifies a measured training run from its loss curve (the scoring of THEORY.md entry 5's phase diagram):
 * - 'divergent' when a loss is not finite, or the last loss is not below `converged` * the initial loss;
 * - 'catapult' when it converged after the loss rose above `spike` * the initial loss at some step;
 * - 'lazy' when it converged without such a spike.
 * Defaults: spike = 1 (any rise above the initial loss: under full-batch GD in the lazy phase the loss falls
 * from the first step), converged = 0.5. Needs enough steps for a catapult run to settle after its spike, and
 * the loss at step 0 first. `lrTimesSharpness`, when given, is lr * sharpness at the last step: a run that
 * converged must have it below 2, so a value >= 2 means it has not settled and the run counts as 'divergent'.
 *
 * @example
 * catapultObservedPhase([0.5, 2, 40, 3, 0.1, 1e-3]); // => 'catapult'
 */
export function catapultObservedPhase(
  losses: readonly number[],
  options: { spike?: number; converged?: number; lrTimesSharpness?: number } = {},
): CatapultPhase {
  const spike = options.spike ?? 1;
  const converged = options.converged ?? 0.5;
  if (losses.length < 2) throw new RangeError(`need the losses of at least 2 steps, got ${losses.length}`);
  if (!(losses[0] > 0)) throw new RangeError(`the initial loss must be > 0, got ${losses[0]}`);
  const initial = losses[0];
  const last = losses[losses.length - 1];
  if (losses.some((loss) => !Number.isFinite(loss)) || !(last < converged * initial)) return 'divergent';
  if (options.lrTimesSharpness !== undefined && !(options.lrTimesSharpness < 2)) return 'divergent';
  return losses.some((loss) => loss > spike * initial) ? 'catapult' : 'lazy';
}

function checkSetting(setting: CatapultUvSetting): void {
  const { lr, width } = setting;
  if (!(Number.isFinite(lr) && lr > 0)) throw new RangeError(`lr must be finite and > 0, got ${lr}`);
  if (!(Number.isFinite(width) && width > 0))
    throw new RangeError(`width must be finite and > 0, got ${width}`);
  if (setting.target !== undefined && !Number.isFinite(setting.target)) {
    throw new RangeError(`target must be finite, got ${setting.target}`);
  }
}
