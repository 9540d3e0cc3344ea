import { checkFinite, checkPositive, checkSteps } from './checks';
/**
 * Conservation laws of homogeneous networks and their exact breaking by finite-step GD (THEORY.md entry 6; Du,
 * Hu & Lee, NeurIPS 2018, arXiv:1806.00900; Kunin et al., "Neural mechanics", ICLR 2021, arXiv:2012.04728).
 *
 * The quantities (measured by `layerBalanceGaps`, `neuronBalance`, `layerBalanceMatrices` in
 * src/observables/balance.ts): D_l = ||W_{l+1}||_F^2 - ||W_l||_F^2 for consecutive layers of a bias-free net
 * with homogeneous activations, its per-neuron parts delta_j, and for linear nets the matrix
 * M_l = W_{l+1}^T W_{l+1} - W_l W_l^T. With G_l = dLoss/dW_l (any loss, any normalization constant c),
 * W_{l+1}^T G_{l+1} = G_l W_l^T (its diagonal for ReLU-like activations), so the step
 * W <- (1 - lr lambda) W - lr G (decoupled weight decay lambda) gives exactly
 *
 *     M_l(t+1) = (1 - lr lambda)^2 M_l(t) + lr^2 (G_{l+1}^T G_{l+1} - G_l G_l^T)
 *     D_l(t+1) = (1 - lr lambda)^2 D_l(t) + lr^2 (||G_{l+1}||^2 - ||G_l||^2).
 *
 * Gradient flow (tau = lr t, lr -> 0) conserves M_l and D_l without weight decay and gives
 * D_l(tau) = D_l(0) exp(-2 lambda tau) with it. The lr^2 term per step adds up to O(lr) at fixed tau.
 */

/**
 * D(t) for t = 0..T under the exact GD recursion D(t+1) = (1 - lr lambda)^2 D(t) + lr^2 gap_t, where
 * gap_t = ||G_{l+1}||^2 - ||G_l||^2 (or g_in^2 - g_out^2 for a neuron) is measured at step t. Returns T + 1
 * values; lr may be one number or one per step.
 *
 * @example
 * balanceDriftGd({ d0: 1, gradientGaps: [2, 2], lr: 0.1 }); // => [1, 1.02, 1.04]
 */
export function balanceDriftGd(args: {
  d0: number;
  gradientGaps: readonly number[];
  lr: number | readonly number[];
  weightDecay?: number;
}): number[] {
  const { d0, gradientGaps, weightDecay = 0 } = args;
  checkFinite({ d0, weightDecay });
  const lrs = typeof args.lr === 'number' ? gradientGaps.map(() => args.lr as number) : args.lr;
  if (lrs.length !== gradientGaps.length) {
    throw new RangeError(`${lrs.length} step sizes for ${gradientGaps.length} steps`);
  }
  const out = [d0];
  let d = d0;
  gradientGaps.forEach((gap, t) => {
    const lr = lrs[t];
    checkFinite({ [`gradientGaps[${t}]`]: gap, [`lr[${t}]`]: lr });
    d = (1 - lr * weightDecay) ** 2 * d + lr * lr * gap;
    out.push(d);
  });
  return out;
}

/**
 * The gradient-flow law with weight decay lambda: D(tau) = D(0) exp(-2 lambda tau), tau = lr * step (Kunin et
 * al. 2021; exact conservation when lambda = 0).
 */
export function balanceFlowDecay(d0: number, weightDecay: number, tau: number): number {
  checkFinite({ d0, weightDecay, tau });
  return d0 * Math.exp(-2 * weightDecay * tau);
}

/**
 * The GD version of `balanceFlowDecay` without the lr^2 gradient term: D(0) (1 - lr lambda)^(2 t).
 * The measured D(t) minus this is the accumulated lr^2 drift.
 */
export function balanceDecayGd(d0: number, lr: number, weightDecay: number, step: number): number {
  checkFinite({ d0, lr, weightDecay, step });
  return d0 * (1 - lr * weightDecay) ** (2 * step);
}

/**
 * One mode of a depth-2 linear network aligned with the target but not balanced: f = b a on a mode of target
 * strength lambda, loss c (lambda - a b)^2 (whitened inputs; W_1 = V diag(a) V_T^T, W_2 = U_T diag(b) V^T keep
 * this form under GD). Exact GD, a' = a + 2 c lr r b, b' = b + 2 c lr r a with r = lambda - a b, iterated and
 * sampled at `steps` (ascending integers). Returns s = a b and the balance D = b^2 - a^2 per sampled step, which
 * obeys D(t+1) = (1 - (2 c lr r_t)^2) D(t) exactly: GD shrinks the imbalance, gradient flow keeps it.
 */
export function depth2BalanceGd(args: {
  a0: number;
  b0: number;
  lambda: number;
  c: number;
  lr: number;
  steps: readonly number[];
}): { s: number[]; balance: number[] } {
  const { lambda, c, lr, steps } = args;
  checkFinite({ a0: args.a0, b0: args.b0, lambda });
  checkPositive({ c, lr });
  checkSteps(steps);
  let a = args.a0;
  let b = args.b0;
  let done = 0;
  const s: number[] = [];
  const balance: number[] = [];
  for (const step of steps) {
    for (; done < step; done++) {
      const g = 2 * c * lr * (lambda - a * b);
      [a, b] = [a + g * b, b + g * a];
    }
    s.push(a * b);
    balance.push(b * b - a * a);
  }
  return { s, balance };
}

/**
 * A-priori leading-order prediction of the GD drift of a depth-2 aligned mode's balance D = b^2 - a^2, from the
 * gradient-flow trajectory alone (no measured gradients). Along the flow D is conserved, a^2 + b^2 =
 * sqrt(D^2 + 4 s^2), and s obeys
 *
 *     ds/dtau = 2 c (lambda - s) sqrt(D^2 + 4 s^2)             (the lambda-balanced ODE, Domine et al. 2024)
 *
 * GD multiplies D by (1 - (2 c lr r)^2) per step, so to leading order in lr
 *
 *     D(tau) = D(0) exp(-4 c^2 lr integral_0^tau (lambda - s)^2 dtau'),
 *
 * with O(lr) relative error on the drift ln(D(0)/D(tau)) (the GD trajectory differs from the flow by O(lr)).
 * Integrated by RK4 on (s, integral) with `substeps` steps per GD step (h = lr / substeps, synchronized with the
 * GD step counter like entry 1's widget). Returns D at `steps`.
 */
export function depth2BalanceFlowDrift(args: {
  s0: number;
  d0: number;
  lambda: number;
  c: number;
  lr: number;
  steps: readonly number[];
  substeps?: number;
}): number[] {
  const { s0, d0, lambda, c, lr, steps, substeps = 1 } = args;
  checkFinite({ s0, d0, lambda });
  checkPositive({ c, lr });
  checkSteps(steps);
  if (!Number.isInteger(substeps) || substeps < 1)
    throw new RangeError(`substeps must be an integer >= 1, got ${substeps}`);
  const rate = (s: number): [number, number] => [
    2 * c * (lambda - s) * Math.sqrt(d0 * d0 + 4 * s * s),
    (lambda - s) ** 2,
  ];
  const h = lr / substeps;
  let s = s0;
  let integral = 0;
  let done = 0;
  const out: number[] = [];
  for (const step of steps) {
    for (; done < step * substeps; done++) {
      const k1 = rate(s);
      const k2 = rate(s + (h / 2) * k1[0]);
      const k3 = rate(s + (h / 2) * k2[0]);
      const k4 = rate(s + h * k3[0]);
      s += (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
      integral += (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
    }
    out.push(d0 * Math.exp(-4 * c * c * lr * integral));
  }
  return out;
}
