/**
 * Weight decay x normalization: the rotational equilibrium of scale-invariant weights (THEORY.md entry 20;
 * van Laarhoven, "L2 regularization versus batch and weight normalization", arXiv:1706.05350; Wan et al.,
 * "Spherical motion dynamics", arXiv:2006.08419; Kosson, Messmer & Jaggi, "Rotational equilibrium", ICML 2024,
 * arXiv:2305.17212).
 *
 * Setting: a weight tensor w (e.g. a linear layer followed by BatchNorm/LayerNorm without its own scale) on which
 * the loss is scale-invariant, L(c w) = L(w). Then the gradient is orthogonal to w and scales as 1/||w||:
 * g = g~ / ||w||, with g~ the gradient at the same direction and unit norm. Plain SGD with coupled L2 weight decay
 * (lr eta, decay lambda): w <- w - eta (g + lambda w) = (1 - eta lambda) w - eta g. Writing x = eta lambda and
 * G = ||g~||^2 (its average over the equilibrium phase when it fluctuates), the squared norm u = ||w||^2 obeys
 *
 *     u_{t+1} = (1 - x)^2 u_t + eta^2 G / u_t                                   (exact for g orthogonal to w)
 *
 * whose fixed point and angular update per step (tan theta = eta ||g|| / ((1 - x) ||w||), g orthogonal to w) are
 *
 *     u* = ||w||_eq^2 = eta sqrt(G / (x (2 - x)))           ~ sqrt(eta G / (2 lambda))
 *     cos theta_eq = 1 - eta lambda  (exactly)               theta_eq ~ sqrt(2 eta lambda)
 *
 * so the equilibrium angle is independent of the gradient scale: only the product eta lambda matters. Near u* a
 * perturbation of u is multiplied by 2 (1 - x)^2 - 1 ~ 1 - 4 x per step: relaxation time 1 / (4 eta lambda)
 * steps (linearized). From far above u* the norm first decays as (1 - x)^t, i.e. u as (1 - x)^(2t).
 *
 * With fluctuating gradients the recursion holds for E[u] with G = E[||g~||^2], so it is the root-mean-square
 * angle, sqrt(mean theta^2), that equals theta_eq; the mean angle is slightly smaller (Jensen).
 * Derivation: THEORY.md entry 20 ("derived", SGD without momentum); the exact discrete forms are mine.
 */

import { checkBeta } from './checks';

/** Learning rate and weight decay of one optimizer (coupled L2 for SGD, decoupled for AdamW). */
export interface AngularUpdateHyper {
  lr: number;
  wd: number;
}

/**
 * Equilibrium angular update per step of a scale-invariant weight under plain SGD with coupled L2 weight decay,
 * the exact discrete form theta_eq = arccos(1 - eta lambda) (~ sqrt(2 eta lambda) for eta lambda << 1).
 * Needs 0 < eta lambda < 2 (beyond, weight decay alone flips the weight's sign every step).
 *
 * @example
 * angularUpdateEquilibriumSgd({ lr: 0.1, wd: 5e-3 }); // => 0.031624 (sqrt(2 eta lambda) = 0.031623)
 */
export function angularUpdateEquilibriumSgd({ lr, wd }: AngularUpdateHyper): number {
  const x = decayPerStep(lr, wd);
  return Math.acos(1 - x);
}

/** The small-eta-lambda limit sqrt(2 eta lambda) of every form above (van Laarhoven 2017). */
export function angularUpdateSqrt2LrWd({ lr, wd }: AngularUpdateHyper): number {
  decayPerStep(lr, wd);
  return Math.sqrt(2 * lr * wd);
}

/**
 * Equilibrium angular update with heavy-ball momentum beta (tf.train.momentum: v <- beta v + g + lambda w,
 * w <- w - eta v) in the random-walk model of Kosson et al. (gradients at different steps uncorrelated, each
 * orthogonal to the weight it was taken at):
 *
 *     theta_eq ~ sqrt(2 eta lambda / (1 + beta)),   eta lambda / (1 - beta) << 1.
 *
 * Derived here: ||v||^2 = ||g||^2 / (1 - beta^2); the momentum correlates w with v, <w, v> ~ -beta eta ||v||^2 /
 * (1 - beta), so the norm grows by eta^2 ||g||^2 / (1 - beta)^2 per step against a decay of 2 eta lambda / (1 - beta)
 * of ||w||^2; the angle is eta ||v|| / ||w||. THEORY.md entry 20 quotes the same form (Kosson et al.).
 * beta = 0 gives sqrt(2 eta lambda).
 */
export function angularUpdateEquilibriumMomentum({
  lr,
  wd,
  momentum,
}: AngularUpdateHyper & { momentum: number }): number {
  decayPerStep(lr, wd);
  checkBeta(momentum, 'momentum');
  return Math.sqrt((2 * lr * wd) / (1 + momentum));
}

/**
 * AdamW with decoupled weight decay (w <- (1 - eta lambda) w - eta m^ / (sqrt(v^) + eps)), in the same random-walk
 * model with Adam's normalized update of unit RMS per coordinate (steady second moment, eps negligible, no bias
 * correction left) on a tensor of C entries:
 *
 *     ||w||_eq ~ sqrt(eta C / (2 lambda)),     theta_eq ~ sqrt(2 eta lambda (1 - beta1) / (1 + beta1)).
 *
 * Derived here as for `angularUpdateEquilibriumMomentum` (E||m||^2 = C (1 - beta1) / (1 + beta1) for an EMA of
 * uncorrelated unit-RMS gradients, and the momentum correlation adds back to a growth of eta^2 C per step).
 * THEORY.md entry 20 lists the AdamW case as "memory, check before use" and quotes sqrt(2 eta lambda), which is the
 * beta1 = 0 case; the beta1 factor is the random-walk result (as recalled, Kosson et al. Table 1). Not verified by
 * a template here: treat as a lead.
 */
export function angularUpdateEquilibriumAdamW({
  lr,
  wd,
  beta1,
  size,
}: AngularUpdateHyper & { beta1: number; size: number }): { angle: number; norm: number } {
  decayPerStep(lr, wd);
  checkBeta(beta1, 'beta1');
  if (!(Number.isInteger(size) && size > 0))
    throw new RangeError(`size must be a positive integer, got ${size}`);
  return {
    angle: Math.sqrt((2 * lr * wd * (1 - beta1)) / (1 + beta1)),
    norm: Math.sqrt((lr * size) / (2 * wd)),
  };
}

/**
 * Equilibrium norm of a scale-invariant weight under plain SGD + coupled L2: the fixed point of the exact norm
 * recursion, ||w||_eq = (eta^2 G / (x (2 - x)))^(1/4) with x = eta lambda and G = ||g~||^2 = ||g||^2 ||w||^2 the
 * squared gradient norm at unit weight norm (~ (eta G / (2 lambda))^(1/4), the (eta/lambda)^(1/4) law of
 * THEORY.md entry 20).
 *
 * @example
 * angularUpdateEquilibriumNorm({ lr: 0.1, wd: 5e-3, gradSqAtUnitNorm: 4 }); // => 2.51502 (approximation (eta G / (2 lambda))^(1/4): 2.51487)
 */
export function angularUpdateEquilibriumNorm({
  lr,
  wd,
  gradSqAtUnitNorm,
}: AngularUpdateHyper & { gradSqAtUnitNorm: number }): number {
  const x = decayPerStep(lr, wd);
  if (!(gradSqAtUnitNorm >= 0 && Number.isFinite(gradSqAtUnitNorm)))
    throw new RangeError(`gradSqAtUnitNorm must be finite and >= 0, got ${gradSqAtUnitNorm}`);
  return ((lr * lr * gradSqAtUnitNorm) / (x * (2 - x))) ** 0.25;
}

/**
 * Relaxation time (in steps) of ||w||^2 towards its equilibrium, from the linearization of the norm recursion:
 * a perturbation is multiplied by r = 2 (1 - x)^2 - 1 each step, so it decays as exp(-t / T) with
 * T = -1 / ln|r| ~ 1 / (4 eta lambda). Returns Infinity at x = 0.
 *
 * @example
 * angularUpdateRelaxationSteps({ lr: 0.1, wd: 5e-3 }); // => 499.62 (1 / (4 eta lambda) = 500)
 */
export function angularUpdateRelaxationSteps({ lr, wd }: AngularUpdateHyper): number {
  const x = decayPerStep(lr, wd);
  const r = Math.abs(2 * (1 - x) ** 2 - 1);
  return r >= 1 ? Infinity : -1 / Math.log(r);
}

/**
 * Iterates the exact SGD norm recursion u_{t+1} = (1 - x)^2 u_t + eta^2 G / u_t from ||w_0|| and returns ||w_t||
 * at the requested steps (ascending). G = ||g~||^2 is held constant: the prediction of the norm trajectory when
 * the gradient scale at unit norm is stationary.
 */
export function angularUpdateNormTrajectory({
  lr,
  wd,
  gradSqAtUnitNorm,
  norm0,
  steps,
}: AngularUpdateHyper & { gradSqAtUnitNorm: number; norm0: number; steps: readonly number[] }): number[] {
  const x = decayPerStep(lr, wd);
  if (!(norm0 > 0)) throw new RangeError(`norm0 must be > 0, got ${norm0}`);
  const out: number[] = [];
  let u = norm0 * norm0;
  let t = 0;
  for (const s of steps) {
    if (!(Number.isInteger(s) && s >= t))
      throw new RangeError(`steps must be ascending integers, got ${s} after ${t}`);
    for (; t < s; t++) u = (1 - x) ** 2 * u + (lr * lr * gradSqAtUnitNorm) / u;
    out.push(Math.sqrt(u));
  }
  return out;
}

function decayPerStep(lr: number, wd: number): number {
  if (!(lr > 0 && Number.isFinite(lr))) throw new RangeError(`lr must be finite and > 0, got ${lr}`);
  if (!(wd >= 0 && Number.isFinite(wd))) throw new RangeError(`wd must be finite and >= 0, got ${wd}`);
  const x = lr * wd;
  if (!(x < 2)) throw new RangeError(`need lr * wd < 2, got ${x}`);
  return x;
}
