import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import {
  nngpNumericActivation,
  nngpPairMoments,
  nngpQuadratureOrder,
  type NngpActivation,
} from './infiniteWidth';

/**
 * Signal propagation through a deep random network at initialization (THEORY.md entry 9; Poole, Lahiri, Raghu,
 * Sohl-Dickstein & Ganguli, "Exponential expressivity in deep neural networks through transient chaos",
 * arXiv:1606.05340; Schoenholz, Gilmer, Ganguli & Sohl-Dickstein, "Deep information propagation",
 * arXiv:1611.01232).
 *
 * Network: h^{l+1} = W^{l+1} phi(h^l) + b^{l+1} with W_ij ~ N(0, sigma_w^2 / width), b_i ~ N(0, sigma_b^2) (standard
 * parameterization; NTK parameterization gives the same forward statistics). At infinite width the
 * pre-activations of layer l are Gaussian across units, with length q^l = mean_i (h^l_i)^2 and, for two inputs,
 * covariance q^l_12 = mean_i h^l_i(x1) h^l_i(x2) and correlation c^l = q^l_12 / sqrt(q^l_11 q^l_22), obeying
 *
 *     q^{l+1}    = sigma_w^2 E[phi(sqrt(q^l) z)^2] + sigma_b^2                                   (length map)
 *     q^{l+1}_12 = sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2,  (u1, u2) ~ N(0, [[q^l_11, q^l_12], [., q^l_22]])
 *     chi_1      = sigma_w^2 E[phi'(sqrt(q*) z)^2]      (slope of the c map at c = 1; < 1 ordered, > 1 chaotic)
 *     chi_c      = sigma_w^2 E[phi'(u1) phi'(u2)] at (q*, c*),   xi_c = -1 / ln chi_c,
 *     xi_q       = -1 / ln(chi_1 + sigma_w^2 E[phi''(sqrt(q*) z) phi(sqrt(q*) z)])   (slope of the q map at q*).
 *
 * The 2-D expectations are those of `nngpPairMoments` (closed forms for ReLU and erf, Gauss-Hermite quadrature
 * of order 64-256 per axis otherwise, see `nngpQuadratureOrder`). The 1-D ones (length map, chi_1, q*) use a
 * composite 8-point Gauss-Legendre rule on 480 panels of z in [-12, 12] (3840 nodes; the Gaussian mass beyond
 * is 4e-33), which stays accurate when q is large and a saturating phi(sqrt(q) z) becomes a near-step in z,
 * where Gauss-Hermite fails: against the erf closed forms its error is below 1e-13 for q <= 100 (unit tests).
 */

/** A random network's statistics at initialization: the activation and the weight and bias variances. */
export interface PropagationNetwork {
  activation: NngpActivation;
  /** sigma_w^2: the variance of a weight times the fan-in. */
  sigmaW2: number;
  /** sigma_b^2: the variance of a bias. */
  sigmaB2: number;
  /** Gauss-Hermite order per axis of the 2-D expectations (default `nngpQuadratureOrder`). */
  order?: number;
}

/** The composite Gauss-Legendre rule for E[g(z)], z ~ N(0, 1): nodes z and weights (density included). */
let legendreRule: { nodes: number[]; weights: number[] } | undefined;

function propagationNormalRule(): { nodes: number[]; weights: number[] } {
  if (legendreRule) return legendreRule;
  // 8-point Gauss-Legendre on [-1, 1] by Golub-Welsch: Jacobi matrix off-diagonal k / sqrt(4k^2 - 1).
  const m = 8;
  const jacobi = Matrix.zeros(m, m);
  for (let k = 1; k < m; k++) {
    const b = k / Math.sqrt(4 * k * k - 1);
    jacobi.set(k, k - 1, b);
    jacobi.set(k - 1, k, b);
  }
  const evd = new EigenvalueDecomposition(jacobi, { assumeSymmetric: true });
  const x = evd.realEigenvalues;
  const w = x.map((_, i) => {
    const v = evd.eigenvectorMatrix.getColumn(i);
    return (2 * v[0] ** 2) / v.reduce((s, vi) => s + vi * vi, 0);
  });
  const panels = 480;
  const zMax = 12;
  const h = (2 * zMax) / panels;
  const rule = { nodes: [] as number[], weights: [] as number[] };
  for (let p = 0; p < panels; p++) {
    const center = -zMax + (p + 0.5) * h;
    x.forEach((xi, i) => {
      const z = center + (h / 2) * xi;
      rule.nodes.push(z);
      rule.weights.push(((h / 2) * w[i] * Math.exp((-z * z) / 2)) / Math.sqrt(2 * Math.PI));
    });
  }
  legendreRule = rule;
  return rule;
}

/** E[g(sqrt(q) z)], z ~ N(0, 1), by the composite Gauss-Legendre rule. */
function expect1d(g: (x: number) => number, q: number): number {
  const { nodes, weights } = propagationNormalRule();
  const s = Math.sqrt(q);
  let sum = 0;
  for (let i = 0; i < nodes.length; i++) sum += weights[i] * g(s * nodes[i]);
  return sum;
}

/** E[phi(sqrt(q) z)^2] (closed form for ReLU: q/2; erf: (2/pi) arcsin(2q / (1 + 2q))). */
function meanSquare(net: PropagationNetwork, q: number): number {
  if (net.activation === 'relu') return q / 2;
  if (net.activation === 'erf') return (2 / Math.PI) * Math.asin((2 * q) / (1 + 2 * q));
  const { phi } = nngpNumericActivation(net.activation);
  return expect1d((x) => phi(x) ** 2, q);
}

/** E[phi'(sqrt(q) z)^2] (ReLU: 1/2; erf: (4/pi) / sqrt(1 + 4q)). */
function meanSquareSlope(net: PropagationNetwork, q: number): number {
  if (net.activation === 'relu') return 0.5;
  if (net.activation === 'erf') return 4 / Math.PI / Math.sqrt(1 + 4 * q);
  const { dphi } = nngpNumericActivation(net.activation);
  return expect1d((x) => dphi(x) ** 2, q);
}

/**
 * The length map q -> sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 (Poole et al. eq. 3): the mean squared
 * pre-activation of the next layer, given this layer's.
 *
 * @example
 * propagationLengthMap(1, { activation: 'relu', sigmaW2: 2, sigmaB2: 0 }); // => 1 (He init preserves q)
 */
export function propagationLengthMap(q: number, net: PropagationNetwork): number {
  checkNetwork(net);
  if (!(q >= 0)) throw new RangeError(`q must be >= 0, got ${q}`);
  return net.sigmaW2 * meanSquare(net, q) + net.sigmaB2;
}

/**
 * One layer of the joint map of two inputs: from (q1, q2, q12) of layer l to those of layer l + 1 and the
 * correlation c = q12 / sqrt(q1 q2) (Poole et al. eqs. 4-5). The lengths come from the accurate 1-D rule; the
 * correlation is the ratio of 2-D expectations all taken with the same Gauss-Hermite rule (for quadrature
 * activations), so that c = 1 maps exactly to 1 and the map's fixed point at 1 is not blurred by the difference
 * between the two rules (~1e-8); q12 is reported as c sqrt(q1' q2').
 */
export function propagationCovarianceMap(
  q1: number,
  q2: number,
  q12: number,
  net: PropagationNetwork,
): { q1: number; q2: number; q12: number; c: number } {
  checkNetwork(net);
  const next1 = propagationLengthMap(q1, net);
  const next2 = q2 === q1 ? next1 : propagationLengthMap(q2, net);
  const c = correlationMap(q1, q2, q12, net);
  return { q1: next1, q2: next2, q12: c * Math.sqrt(next1 * next2), c };
}

/** The next layer's correlation from (q1, q2, q12), every expectation by the same 2-D rule. */
function correlationMap(q1: number, q2: number, q12: number, net: PropagationNetwork): number {
  const { activation, sigmaW2, sigmaB2, order } = net;
  const bound = Math.sqrt(q1 * q2);
  const k = Math.max(-bound, Math.min(bound, q12));
  const rule =
    order ??
    (typeof activation === 'string' && activation !== 'tanh' ? undefined : nngpQuadratureOrder(q1, q2));
  const cross = sigmaW2 * nngpPairMoments(activation, q1, q2, k, rule).phiPhi + sigmaB2;
  const self1 = sigmaW2 * nngpPairMoments(activation, q1, q1, q1, rule).phiPhi + sigmaB2;
  const self2 = q2 === q1 ? self1 : sigmaW2 * nngpPairMoments(activation, q2, q2, q2, rule).phiPhi + sigmaB2;
  return cross / Math.sqrt(self1 * self2);
}

/**
 * Lengths and correlation through `depth` layers, starting from layer 0 with lengths q1, q2 and correlation c:
 * entry l of each array is layer l (entry 0 is the start). This is the theory curve of Poole et al. Fig. 1/2
 * for a one-seed measurement of a deep random network.
 */
export function propagationLayers(
  start: { q1: number; q2?: number; c: number; depth: number },
  net: PropagationNetwork,
): { q1: number[]; q2: number[]; c: number[] } {
  const { depth } = start;
  if (!Number.isInteger(depth) || depth < 0)
    throw new RangeError(`depth must be an integer >= 0, got ${depth}`);
  if (!(start.c >= -1 && start.c <= 1)) throw new RangeError(`c must be in [-1, 1], got ${start.c}`);
  let q1 = start.q1;
  let q2 = start.q2 ?? start.q1;
  let q12 = start.c * Math.sqrt(q1 * q2);
  const out = { q1: [q1], q2: [q2], c: [start.c] };
  for (let l = 1; l <= depth; l++) {
    const next = propagationCovarianceMap(q1, q2, q12, net);
    ({ q1, q2, q12 } = next);
    out.q1.push(q1);
    out.q2.push(q2);
    out.c.push(next.c);
  }
  return out;
}

/**
 * The stable fixed point q* of the length map: a few map iterations from q = 1 to land in its basin, then
 * bisection (to machine precision) on g(q) = map(q) - q between a point where g > 0 and one where g < 0, found by
 * dividing by 1000 / doubling from the iterate. Returns 0 when g < 0 down to q = 1e-300 (e.g. tanh with sigma_b^2 = 0 and
 * sigma_w^2 <= 1: the signal dies), Infinity when g > 0 up to q = 1e12 (e.g. ReLU with sigma_w^2 > 2).
 *
 * @example
 * propagationLengthFixedPoint({ activation: 'relu', sigmaW2: 1, sigmaB2: 0.5 }); // => 1 (q = q/2 + 1/2)
 */
export function propagationLengthFixedPoint(net: PropagationNetwork): number {
  checkNetwork(net);
  const g = (q: number) => propagationLengthMap(q, net) - q;
  let q = 1;
  for (let i = 0; i < 20 && Number.isFinite(q) && q < 1e12; i++) q = propagationLengthMap(q, net);
  if (!(q < 1e12)) return Infinity;
  q = Math.max(q, 1e-12);
  let lo = q;
  let hi = q;
  while (g(lo) <= 0) {
    if (g(lo) === 0) return lo;
    lo /= 1e3;
    if (lo < 1e-300) return 0;
  }
  while (g(hi) >= 0) {
    if (g(hi) === 0) return hi;
    hi *= 2;
    if (hi > 1e12) return Infinity;
  }
  // Bisection, geometric while the bracket spans more than a factor 2, then arithmetic to machine precision.
  for (let i = 0; i < 3000 && hi - lo > 1e-15 * hi; i++) {
    const mid = hi > 2 * lo ? Math.sqrt(lo * hi) : (lo + hi) / 2;
    if (g(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2] at the length fixed point (Poole et al. eq. 7; Schoenholz et al.
 * eq. 5): the slope of the correlation map at c = 1, and the factor by which squared gradient norms grow per
 * layer in backpropagation. chi_1 < 1: ordered (nearby inputs converge), > 1: chaotic, = 1: critical.
 * ReLU: chi_1 = sigma_w^2 / 2 whatever sigma_b^2. `qStar` defaults to `propagationLengthFixedPoint(net)`.
 */
export function propagationChi1(net: PropagationNetwork, qStar?: number): number {
  checkNetwork(net);
  const q = qStar ?? propagationLengthFixedPoint(net);
  if (!Number.isFinite(q)) throw new RangeError('the length map has no finite fixed point');
  return net.sigmaW2 * meanSquareSlope(net, q);
}

/**
 * The stable fixed point c* of the correlation map at q*: 1 in the ordered phase (chi_1 <= 1); in the chaotic
 * phase the largest c < 1 where the map crosses the diagonal from above, found by bisection on M(c) - c (the
 * map's slope at 1 is chi_1 > 1, so M(c) < c just below 1). For odd phi and sigma_b^2 = 0 this is c* = 0.
 */
export function propagationCorrelationFixedPoint(net: PropagationNetwork, qStar?: number): number {
  checkNetwork(net);
  const q = qStar ?? propagationLengthFixedPoint(net);
  if (!(q > 0 && Number.isFinite(q))) throw new RangeError(`need a finite q* > 0, got ${q}`);
  if (propagationChi1(net, q) <= 1) return 1;
  const h = (c: number) => correlationMap(q, q, c * q, net) - c;
  let delta = 1e-3;
  while (h(1 - delta) >= 0) {
    delta /= 10;
    if (delta < 1e-12) return 1;
  }
  let hi = 1 - delta;
  let lo = hi;
  do {
    hi = lo;
    lo = Math.max(-1, 1 - (1 - lo) * 4);
  } while (h(lo) < 0 && lo > -1);
  if (h(lo) < 0) return -1;
  for (let i = 0; i < 200 && hi - lo > 1e-14; i++) {
    const mid = (lo + hi) / 2;
    if (h(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The fixed points, chi_1, chi_c and the depth scales of Schoenholz et al. (eqs. 8-9):
 *
 *     xi_q = -1 / ln(dq^{l+1}/dq^l at q*),  dq^{l+1}/dq^l = chi_1 + sigma_w^2 E[phi''(u) phi(u)],  u = sqrt(q*) z,
 *     xi_c = -1 / ln chi_c,                 chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] at (q*, c*)  (= chi_1 when c* = 1).
 *
 * Perturbations of q and c decay like exp(-l / xi); xi_c diverges on the order-chaos boundary, and networks are
 * trainable roughly up to depth ~ 6 xi_c (Schoenholz et al.'s empirical rule, from memory in THEORY.md).
 * Needs phi'' for quadrature activations (tanh has it). A depth scale is Infinity when its slope is >= 1.
 */
export function propagationDepthScales(net: PropagationNetwork): {
  qStar: number;
  cStar: number;
  chi1: number;
  chiC: number;
  lengthSlope: number;
  xiQ: number;
  xiC: number;
} {
  checkNetwork(net);
  const qStar = propagationLengthFixedPoint(net);
  if (!(qStar > 0 && Number.isFinite(qStar))) throw new RangeError(`need a finite q* > 0, got ${qStar}`);
  const chi1 = propagationChi1(net, qStar);
  const cStar = propagationCorrelationFixedPoint(net, qStar);
  const chiC =
    cStar === 1
      ? chi1
      : net.sigmaW2 * nngpPairMoments(net.activation, qStar, qStar, cStar * qStar, net.order).dphiDphi;
  const lengthSlope = chi1 + net.sigmaW2 * phiPhiSecond(net, qStar);
  const xi = (slope: number) => (slope >= 1 ? Infinity : -1 / Math.log(slope));
  return { qStar, cStar, chi1, chiC, lengthSlope, xiQ: xi(lengthSlope), xiC: xi(chiC) };
}

/** E[phi''(u) phi(u)], u = sqrt(q) z (ReLU: 0; erf: closed form from d/dq of its length map). */
function phiPhiSecond(net: PropagationNetwork, q: number): number {
  if (net.activation === 'relu') return 0;
  if (net.activation === 'erf') {
    // d/dq E[erf^2] = E[erf'^2 + erf erf''], and d/dq (2/pi) asin(2q/(1+2q)) = (4/pi) / ((1+2q) sqrt(1+4q)).
    return 4 / Math.PI / ((1 + 2 * q) * Math.sqrt(1 + 4 * q)) - meanSquareSlope(net, q);
  }
  const { phi, ddphi } = nngpNumericActivation(net.activation);
  if (!ddphi) throw new RangeError('the activation needs ddphi for the length depth scale');
  return expect1d((x) => ddphi(x) * phi(x), q);
}

/**
 * The order-chaos boundary: the sigma_w^2 at which chi_1 = 1 for a given sigma_b^2 (Poole et al. Fig. 3;
 * Schoenholz et al. Fig. 1), by bisection in log sigma_w^2 on chi_1(sigma_w^2) - 1 with q* recomputed at each
 * point (THEORY.md implementation notes). The bracket [lo, hi] must straddle the boundary (chi_1 < 1 at lo,
 * > 1 at hi); the result is within relTol of it. Known values: tanh with sigma_b^2 = 0 gives 1; ReLU gives 2
 * for every sigma_b^2 (He init; but the ReLU q map then has no finite fixed point unless sigma_b^2 = 0, so
 * use sigma_b^2 = 0 for ReLU).
 */
export function propagationCriticalSigmaW2(
  sigmaB2: number,
  activation: NngpActivation,
  options: { lo?: number; hi?: number; relTol?: number; order?: number } = {},
): number {
  const { lo = 0.1, hi = 100, relTol = 1e-10, order } = options;
  const excess = (sigmaW2: number) => {
    const net = { activation, sigmaW2, sigmaB2, order };
    const q = propagationLengthFixedPoint(net);
    if (q === Infinity) return Infinity;
    return propagationChi1(net, q) - 1;
  };
  let a = Math.log(lo);
  let b = Math.log(hi);
  if (!(excess(lo) < 0 && excess(hi) > 0))
    throw new RangeError(`chi_1 - 1 does not change sign between sigma_w^2 = ${lo} and ${hi}`);
  while (b - a > relTol) {
    const mid = (a + b) / 2;
    if (excess(Math.exp(mid)) > 0) b = mid;
    else a = mid;
  }
  return Math.exp((a + b) / 2);
}

function checkNetwork(net: PropagationNetwork): void {
  if (!(net.sigmaW2 >= 0 && net.sigmaB2 >= 0 && Number.isFinite(net.sigmaW2 + net.sigmaB2)))
    throw new RangeError(`need finite sigmaW2, sigmaB2 >= 0, got ${net.sigmaW2}, ${net.sigmaB2}`);
}
