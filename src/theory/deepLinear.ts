import { Matrix, QrDecomposition } from 'ml-matrix';
import { checkFinite, checkPositive, checkSteps } from './checks';

/**
 * Singular-mode dynamics of a deep linear network f(x) = W_L ... W_1 x (THEORY.md entry 1; Saxe, McClelland &
 * Ganguli, arXiv:1312.6120; depth-L ODE from Rhee, Karkada & Simon, learningmechanics.pub, 2026).
 *
 * Conventions (THEORY.md "Global conventions"): the optimized loss is c * ||W_tot - T||_F^2 with c passed
 * explicitly (c = 1 is the learningmechanics widget, c = 1/2 is "1/2-MSE" on whitened data), gradient-flow time
 * is tau = lr * step, and a mode is s_mu = u_mu^T W_tot v_mu with (u_mu, lambda_mu, v_mu) the SVD of T. Under
 * alignment and balancedness each mode follows
 *
 *     ds/dtau = 2 c L |s|^(2 - 2/L) (lambda - s).
 *
 * The |s| makes the ODE valid for either sign of s (it is the balanced-layer form: sum over layers of the
 * product of the other layers' squared gains). For L >= 2, s = 0 is an equilibrium that s cannot cross, so a
 * mode with s0 <= 0 never grows: it decays towards the saddle at 0 (and stays at 0 if s0 = 0). For L = 1 the
 * rate is 2c(lambda - s) and every mode relaxes to lambda. With small random (not spectral) init the projected
 * s0 is a product of two random vectors, of either sign, and is not the right initial condition: use
 * `depth2SequentialS0` or `depth2EffectiveS0` below, which are >= 0.
 */

/** The parameters shared by the mode integrators; `steps` are the GD steps to sample, ascending. */
export interface ModeSchedule {
  lambdas: readonly number[];
  depth: number;
  c: number;
  lr: number;
  steps: readonly number[];
}

/**
 * The depth-2 mode in closed form (a logistic in tau):
 *
 *     s(tau) = lambda / (1 + (lambda/s0 - 1) exp(-4 c lambda tau)),   s0 > 0,
 *
 * evaluated as 1/s = exp(-k)/s0 + 4 c tau (1 - exp(-k))/k with k = 4 c lambda tau, which stays finite for
 * lambda = 0 (then s = s0 / (1 + 4 c s0 tau)). For s0 < 0 the |s| ODE gives the mirror image, s = -logistic
 * with target -lambda, which decays to 0; s0 = 0 stays 0.
 *
 * @example
 * saxeMode(saxeHalfTime(6, 1e-6, 0.5), 6, 1e-6, 0.5); // => 3
 */
export function saxeMode(tau: number, lambda: number, s0: number, c: number): number {
  checkFinite({ tau, lambda, s0 });
  checkPositive({ c });
  if (s0 === 0) return 0;
  if (s0 < 0) return -logistic(tau, -lambda, -s0, c);
  return logistic(tau, lambda, s0, c);
}

/** Half-learning time of the depth-2 mode, where s = lambda/2: tau = ln(lambda/s0 - 1) / (4 c lambda). */
export function saxeHalfTime(lambda: number, s0: number, c: number): number {
  if (!(s0 > 0 && s0 < lambda))
    throw new RangeError(`need 0 < s0 < lambda, got s0 = ${s0}, lambda = ${lambda}`);
  checkPositive({ c });
  return Math.log(lambda / s0 - 1) / (4 * c * lambda);
}

/** The mode ODE's right-hand side ds/dtau = 2 c L |s|^(2 - 2/L) (lambda - s). */
export function modeOdeRate(s: number, lambda: number, depth: number, c: number): number {
  return 2 * c * depth * Math.abs(s) ** (2 - 2 / depth) * (lambda - s);
}

/**
 * One mode of the ODE integrated with RK4, one step of size h = lr in tau per GD step, sampled at `steps`: the
 * scheme of the learningmechanics `dln-body.js` widget as THEORY.md entries 0 and 1 describe it (there c = 1).
 * Hand-written because it must stay synchronized with the GD step counter, which a library adaptive solver
 * would not. For depth >= 2 a step that would carry s across 0 (an RK4 overshoot at large lr; the exact flow
 * never crosses its equilibrium) lands on 0.
 */
export function rk4Mode(mode: Omit<ModeSchedule, 'lambdas'> & { lambda: number; s0: number }): number[] {
  const { lambda, s0, depth, c, lr, steps } = mode;
  checkSchedule({ lambdas: [lambda], depth, c, lr, steps });
  checkFinite({ s0 });
  const rate = (s: number) => modeOdeRate(s, lambda, depth, c);
  return sampleIterates(s0, steps, (s) => {
    const k1 = rate(s);
    const k2 = rate(s + (lr / 2) * k1);
    const k3 = rate(s + (lr / 2) * k2);
    const k4 = rate(s + lr * k3);
    const next = s + (lr / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    return depth >= 2 && Math.sign(next) * Math.sign(s) < 0 ? 0 : next;
  });
}

/**
 * All modes at the sampled steps, result[i][mu] = s_mu(lr * steps[i]): the closed form `saxeMode` for depth 2
 * (the exact gradient flow; the widget's RK4 differs from it by O(lr^4)), `rk4Mode` otherwise.
 *
 * @example
 * integrateModes({ lambdas: [6, 4], s0: 1e-3, depth: 3, c: 0.5, lr: 1e-2, steps: [0, 100, 500] });
 * // => [[0.001, 0.001], [0.0156, 0.0046], [6, 4]] (to 3 significant digits)
 */
export function integrateModes(schedule: ModeSchedule & { s0: number | readonly number[] }): number[][] {
  const { lambdas, depth, c, lr, steps } = schedule;
  checkSchedule(schedule);
  const s0 = perMode(schedule.s0, lambdas.length, 's0');
  const modes = lambdas.map((lambda, mu) =>
    depth === 2
      ? steps.map((step) => saxeMode(lr * step, lambda, s0[mu], c))
      : rk4Mode({ lambda, s0: s0[mu], depth, c, lr, steps }),
  );
  return transpose(modes, steps.length);
}

/**
 * Exact discrete-time GD on c * sum_mu (lambda_mu - prod_l a_l)^2, the loss of a network whose layers are all
 * aligned with T's singular vectors and carry the same gain a on mode mu (balanced spectral init
 * W_l = R_l diag(a0) R_{l-1}^T with R_L = U_T, R_0 = V_T and any orthogonal R_l in between):
 *
 *     a <- a + lr * 2c (lambda - a^L) a^(L-1),    s = a^L,
 *
 * which is the gradient step of each layer, so the layers stay equal. No ODE discretization error: it is what
 * a network with that init does at finite lr. Returns result[i][mu] = s_mu after steps[i] GD steps (for even L,
 * s = a^L >= 0 whatever the sign of a0).
 */
export function balancedGdModes(schedule: ModeSchedule & { a0: number | readonly number[] }): number[][] {
  const { lambdas, depth, c, lr, steps } = schedule;
  checkSchedule(schedule);
  const a0 = perMode(schedule.a0, lambdas.length, 'a0');
  const modes = lambdas.map((lambda, mu) =>
    sampleIterates(a0[mu], steps, (a) => a + lr * 2 * c * (lambda - a ** depth) * a ** (depth - 1)).map(
      (a) => a ** depth,
    ),
  );
  return transpose(modes, steps.length);
}

/**
 * Effective initial value of a depth-2 mode from small random init. With a = W1 v_mu (hidden vector) and
 * b = W2^T u_mu, the gradient flow of c ||W2 W1 - T||^2 linearized around 0 (dropping the cubic W2 W1 terms) is
 * da/dtau = 2c lambda b, db/dtau = 2c lambda a, so a + b = (a0 + b0) exp(2c lambda tau) grows and a - b decays,
 * and s = a.b = (|a + b|^2 - |a - b|^2)/4 ~ |a0 + b0|^2/4 exp(4c lambda tau): the early logistic with
 * s0 = |a0 + b0|^2 / 4. It ignores the competition between modes (see `depth2SequentialS0`).
 */
export function depth2EffectiveS0(a0: readonly number[], b0: readonly number[]): number {
  if (a0.length !== b0.length) throw new RangeError(`a0 has length ${a0.length} but b0 has ${b0.length}`);
  return a0.reduce((sum, a, i) => sum + (a + b0[i]) ** 2, 0) / 4;
}

/**
 * `depth2EffectiveS0` corrected for competition between modes: s0_mu = |P_mu (a0_mu + b0_mu)|^2 / 4, where P_mu
 * removes the directions a0_nu + b0_nu of the modes learned before mu (decreasing lambda; on ties, larger
 * |a0 + b0| first). Once mode nu is learned, W2^T W2 ~ lambda_nu h_nu h_nu^T and the component of a_mu + b_mu
 * along h_nu grows at 2c(lambda_mu - lambda_nu) <= 0 instead of 2c lambda_mu, so only the rest carries mode mu.
 * Gram-Schmidt by ml-matrix's Householder QR. a0[mu], b0[mu] are the hidden vectors of mode mu.
 * In a numpy check (d = 6, sigma = 1e-4, lr = 0.002, c = 1, T = diag(6, 4, 3, 2, 1, 0.5) in random bases,
 * 4000 steps, 20 seeds) the logistic with this s0 fit the first five modes with R^2 >= 0.9996 in every seed;
 * the rank-ordered singular values of W_tot(0) gave a median R^2 of 0.975 on the first mode, and
 * `depth2EffectiveS0` a median of 0.98 on the fifth.
 */
export function depth2SequentialS0(
  a0: readonly (readonly number[])[],
  b0: readonly (readonly number[])[],
  lambdas: readonly number[],
): number[] {
  if (a0.length !== lambdas.length || b0.length !== lambdas.length) {
    throw new RangeError(
      `need one a0 and b0 per mode: ${a0.length}, ${b0.length} for ${lambdas.length} modes`,
    );
  }
  const hidden = a0[0]?.length ?? 0;
  a0.forEach((a, mu) => {
    if (a.length !== hidden || b0[mu].length !== hidden) {
      throw new RangeError(
        `mode ${mu} has hidden vectors of lengths ${a.length}, ${b0[mu].length}, not ${hidden}`,
      );
    }
  });
  const z = a0.map((a, mu) => a.map((v, i) => v + b0[mu][i]));
  const norm2 = z.map((v) => v.reduce((sum, x) => sum + x * x, 0));
  const order = lambdas.map((_, mu) => mu).sort((i, j) => lambdas[j] - lambdas[i] || norm2[j] - norm2[i]);
  const columns = new Matrix(Math.max(hidden, z.length), z.length);
  order.forEach((mu, k) => z[mu].forEach((v, i) => columns.set(i, k, v)));
  const r = new QrDecomposition(columns).upperTriangularMatrix;
  const s0 = new Array<number>(z.length);
  order.forEach((mu, k) => (s0[mu] = r.get(k, k) ** 2 / 4));
  return s0;
}

/** The loss of the mode picture, c * sum_mu (lambda_mu - s_mu)^2 (add the part of y no linear map explains). */
export function predictedLoss(sModes: readonly number[], lambdas: readonly number[], c: number): number {
  if (sModes.length !== lambdas.length) {
    throw new RangeError(`${sModes.length} modes but ${lambdas.length} target singular values`);
  }
  return c * sModes.reduce((sum, s, mu) => sum + (lambdas[mu] - s) ** 2, 0);
}

function logistic(tau: number, lambda: number, s0: number, c: number): number {
  const k = 4 * c * lambda * tau;
  const oneMinusExpOverK = k === 0 ? 1 : -Math.expm1(-k) / k;
  return 1 / (Math.exp(-k) / s0 + 4 * c * tau * oneMinusExpOverK);
}

/** x0 iterated by `update`, recorded after steps[i] updates. */
function sampleIterates(x0: number, steps: readonly number[], update: (x: number) => number): number[] {
  const out: number[] = [];
  let x = x0;
  let done = 0;
  for (const step of steps) {
    for (; done < step; done++) x = update(x);
    out.push(x);
  }
  return out;
}

function transpose(modes: number[][], rows: number): number[][] {
  return Array.from({ length: rows }, (_, i) => modes.map((mode) => mode[i]));
}

function perMode(value: number | readonly number[], modes: number, name: string): readonly number[] {
  const values = typeof value === 'number' ? new Array<number>(modes).fill(value) : value;
  if (values.length !== modes)
    throw new RangeError(`${name} has ${values.length} entries for ${modes} modes`);
  values.forEach((v, mu) => checkFinite({ [`${name}[${mu}]`]: v }));
  return values;
}

function checkSchedule(schedule: ModeSchedule): void {
  const { depth, c, lr, steps } = schedule;
  if (!Number.isInteger(depth) || depth < 1)
    throw new RangeError(`depth must be an integer >= 1, got ${depth}`);
  checkPositive({ c, lr });
  schedule.lambdas.forEach((lambda, mu) => checkFinite({ [`lambdas[${mu}]`]: lambda }));
  checkSteps(steps);
}
