import { modeOdeRate } from './deepLinear';

/**
 * Incremental (saddle-to-saddle) learning from small initialization (THEORY.md entry 3; Jacot et al.,
 * arXiv:2106.15933; Pesme & Flammarion, arXiv:2304.00488; Saxe et al., arXiv:1312.6120 for the mode ODE; open
 * question od-12 "stepwise low-rank learning" of learningmechanics.pub).
 *
 * Setting: a deep linear network trained from init scale sigma on whitened inputs, loss c ||W_tot - T||_F^2,
 * time tau = lr * step. Each singular mode of T (strength lambda_k) follows entry 1's ODE
 * ds/dtau = 2 c L s^(2 - 2/L) (lambda - s) from s0 ~ sigma^L, so the network sits on a plateau (near a saddle)
 * until the mode escapes, then jumps: a staircase. What is predictable:
 *
 * - depth 2: the jump time tau_k = ln(lambda_k/s0 - 1)/(4 c lambda_k) (exact for the logistic), so with
 *   s0 = z sigma^2 (z fixed by the init's random direction), d tau_k / d ln(1/sigma) = L/(4 c lambda_k) =
 *   1/(2 c lambda_k): plateau lengths grow like ln(1/sigma), and slope ratios are lambda_1/lambda_k exactly;
 * - depth L > 2: tau_k ~ s0^-(1 - 2/L) / (2 c (L - 2) lambda_k) = sigma^-(L - 2) / (...): a power law with
 *   d ln tau / d ln(1/sigma) -> L - 2 as sigma -> 0;
 * - the jumps come in decreasing order of lambda_k; the time ratios tau_k/tau_1 -> lambda_1/lambda_k only as
 *   sigma -> 0 (corrections O(1/ln(1/sigma)) at depth 2).
 *
 * Gradient-flow formulas: GD with step lr grows a depth-2 mode by (1 + 2 c lambda lr)^2 per step instead of
 * exp(4 c lambda lr), a relative error ~ c lambda lr on the times.
 */

/**
 * Gradient-flow time for one mode of the DLN ODE to grow from s0 to level * lambda (default 1/2, the jump):
 *
 *     tau = integral_{s0}^{level lambda} ds / (2 c L s^(2 - 2/L) (lambda - s)).
 *
 * Closed forms for L = 1 (ln((lambda - s0)/(lambda - s1)) / (2c)) and L = 2
 * ((ln(s1/(lambda - s1)) - ln(s0/(lambda - s0))) / (4 c lambda), which is `saxeHalfTime` at level 1/2); for
 * L > 2 composite Simpson in u = ln s with `intervals` panels (the integrand s^(2/L - 1)/(2cL(lambda - s)) is
 * smooth in u; 4000 panels give ~1e-12 relative error). Needs 0 < s0 < level * lambda, 0 < level < 1.
 *
 * @example
 * saddleEscapeTime({ lambda: 4, s0: 1e-6, depth: 2, c: 0.5 }); // => ln(4e6 - 1) / 8 = 1.90023
 */
export function saddleEscapeTime(args: {
  lambda: number;
  s0: number;
  depth: number;
  c: number;
  level?: number;
  intervals?: number;
}): number {
  const { lambda, s0, depth, c, level = 0.5, intervals = 4000 } = args;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new RangeError(`lambda must be > 0, got ${lambda}`);
  const s1 = level * lambda;
  if (!(s0 > 0 && s0 < s1)) throw new RangeError(`need 0 < s0 < ${s1} (level * lambda), got s0 = ${s0}`);
  checkDepthC(depth, c);
  if (depth === 1) return Math.log((lambda - s0) / (lambda - s1)) / (2 * c);
  if (depth === 2) {
    return (Math.log(s1 / (lambda - s1)) - Math.log(s0 / (lambda - s0))) / (4 * c * lambda);
  }
  if (!Number.isInteger(intervals) || intervals < 2 || intervals % 2 !== 0) {
    throw new RangeError(`intervals must be an even integer >= 2, got ${intervals}`);
  }
  const u0 = Math.log(s0);
  const h = (Math.log(s1) - u0) / intervals;
  // dtau/du = s / rate(s) with s = e^u.
  const f = (u: number) => {
    const s = Math.exp(u);
    return s / modeOdeRate(s, lambda, depth, c);
  };
  let sum = f(u0) + f(u0 + intervals * h);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * f(u0 + i * h);
  return (sum * h) / 3;
}

/** How the plateau before a mode's jump scales with the init scale sigma (s0 proportional to sigma^L). */
export type SaddlePlateauLaw =
  | { kind: 'none' }
  /** depth 2: tau = slope * ln(1/sigma) + const, slope = L / (4 c lambda). */
  | { kind: 'log'; slope: number }
  /** depth > 2: tau ~ prefactor * s0^-(1 - 2/L), so ln tau = exponent * ln(1/sigma) + const, exponent = L - 2. */
  | { kind: 'power'; exponent: number; prefactor: number };

/**
 * THEORY.md entry 3's scaling of the plateau length with the init scale, for a mode of strength lambda:
 * L = 1 has no plateau, L = 2 a logarithmic law with slope L/(4 c lambda) in tau per unit of ln(1/sigma), L > 2 a
 * power law with exponent L - 2 and the leading-order escape time s0^-(1 - 2/L) / (2 c (L - 2) lambda) (from
 * dropping the -s term of the ODE).
 *
 * With `lr` (depth 2 only), the slope for GD with that step instead of gradient flow: near the saddle the
 * growing direction a + b of the mode is multiplied by (1 + 2 c lambda lr) per step, so s ~ a.b grows by
 * (1 + 2 c lambda lr)^2 and the slope in tau = lr * step is lr / ln(1 + 2 c lambda lr) (-> 1/(2 c lambda) as
 * lr -> 0; larger by about c lambda lr).
 */
export function saddlePlateauLaw(lambda: number, depth: number, c: number, lr?: number): SaddlePlateauLaw {
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new RangeError(`lambda must be > 0, got ${lambda}`);
  checkDepthC(depth, c);
  if (lr !== undefined && !(Number.isFinite(lr) && lr > 0)) throw new RangeError(`lr must be > 0, got ${lr}`);
  if (depth === 1) return { kind: 'none' };
  if (depth === 2) {
    const slope = lr === undefined ? depth / (4 * c * lambda) : lr / Math.log1p(2 * c * lambda * lr);
    return { kind: 'log', slope };
  }
  return { kind: 'power', exponent: depth - 2, prefactor: 1 / (2 * c * (depth - 2) * lambda) };
}

/**
 * The least-squares slope of y on x (e.g. jump times on ln(1/sigma), or ln of them), as entry 3 scores the
 * plateau law. Needs at least two distinct x; pairs with a non-finite value are left out (NaN if fewer than two
 * remain).
 */
export function saddleSlopeFit(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`${x.length} x values for ${y.length} y values`);
  const keep = x.map((_, i) => i).filter((i) => Number.isFinite(x[i]) && Number.isFinite(y[i]));
  if (keep.length < 2) return NaN;
  const mx = keep.reduce((s, i) => s + x[i], 0) / keep.length;
  const my = keep.reduce((s, i) => s + y[i], 0) / keep.length;
  const sxx = keep.reduce((s, i) => s + (x[i] - mx) ** 2, 0);
  if (sxx === 0) throw new RangeError('x values are all equal');
  return keep.reduce((s, i) => s + (x[i] - mx) * (y[i] - my), 0) / sxx;
}

/**
 * The first time a measured series crosses `level` upwards, by linear interpolation between the samples
 * (steps ascending); NaN if it never does. The series must start below the level.
 */
export function saddleCrossingTime(
  steps: readonly number[],
  values: readonly number[],
  level: number,
): number {
  if (steps.length !== values.length)
    throw new RangeError(`${steps.length} steps for ${values.length} values`);
  for (let i = 1; i < values.length; i++) {
    if (values[i - 1] < level && values[i] >= level) {
      const f = (level - values[i - 1]) / (values[i] - values[i - 1]);
      return steps[i - 1] + f * (steps[i] - steps[i - 1]);
    }
  }
  return NaN;
}

/**
 * Drop times of a loss staircase, for when the modes are not observable: the `count` largest local maxima of
 * the drop rate -dLoss/dt (finite differences between samples, placed at mid-steps), returned in time order.
 * A drop's peak is not its half-time: for a depth-2 mode it comes when s = lambda/3, earlier by
 * ln 2 / (4 c lambda) in tau, a constant that cancels in the slope against ln(1/sigma). Fewer than `count` maxima
 * give NaN entries. Caveats (seen on the saddleToSaddle template at sigma = 1e-2): drops closer than about their
 * widths 1/(4 c lambda) merge into one peak, and the fast initial transient of a random init can make a peak at
 * the first samples; for scoring, prefer mode crossing times (`saddleCrossingTime`) when the modes are known.
 */
export function saddleLossDropTimes(
  steps: readonly number[],
  loss: readonly number[],
  count: number,
): number[] {
  if (steps.length !== loss.length) throw new RangeError(`${steps.length} steps for ${loss.length} values`);
  const mid: number[] = [];
  const rate: number[] = [];
  for (let i = 1; i < loss.length; i++) {
    mid.push((steps[i] + steps[i - 1]) / 2);
    rate.push(-(loss[i] - loss[i - 1]) / (steps[i] - steps[i - 1]));
  }
  const peaks: number[] = [];
  for (let i = 0; i < rate.length; i++) {
    const left = i === 0 ? -Infinity : rate[i - 1];
    const right = i === rate.length - 1 ? -Infinity : rate[i + 1];
    if (rate[i] > 0 && rate[i] > left && rate[i] >= right) peaks.push(i);
  }
  const top = peaks.sort((a, b) => rate[b] - rate[a]).slice(0, count);
  const times = top.map((i) => mid[i]).sort((a, b) => a - b);
  while (times.length < count) times.push(NaN);
  return times;
}

function checkDepthC(depth: number, c: number): void {
  if (!Number.isInteger(depth) || depth < 1)
    throw new RangeError(`depth must be an integer >= 1, got ${depth}`);
  if (!(Number.isFinite(c) && c > 0)) throw new RangeError(`c must be finite and > 0, got ${c}`);
}
