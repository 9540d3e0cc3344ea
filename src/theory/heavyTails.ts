/**
 * Random-matrix predictions for the eigenvalue spectrum (ESD) of a layer's weights, at init and after training
 * (THEORY.md entry 22; Martin & Mahoney, JMLR 2021, arXiv:1810.01075; Martin, Peng & Mahoney, Nat. Commun. 2021,
 * arXiv:2002.06716; reference implementation CalculatedContent/WeightWatcher).
 *
 * Normalization (THEORY.md entry 22): W is N x M with N >= M (transpose it otherwise), Q = N / M >= 1, and the
 * Marchenko-Pastur (MP) law describes the M eigenvalues of the correlation matrix X = W^T W / N when the entries
 * of W are i.i.d. with mean 0 and variance sigma^2. (WeightWatcher fits its power law to the eigenvalues of W^T W
 * without the 1/N; the power-law exponent alpha does not depend on that scale.)
 */

/** The MP bulk edges lambda_-+ = sigma^2 (1 -+ 1/sqrt(Q))^2 of X = W^T W / N, Q = N/M >= 1. */
export function marchenkoPasturEdges(sigma2: number, q: number): { lambdaMinus: number; lambdaPlus: number } {
  checkMp(sigma2, q);
  const r = 1 / Math.sqrt(q);
  return { lambdaMinus: sigma2 * (1 - r) ** 2, lambdaPlus: sigma2 * (1 + r) ** 2 };
}

/**
 * The MP density of the eigenvalues of X = W^T W / N (entries of variance sigma^2, Q = N/M >= 1):
 *
 *     rho(lambda) = Q / (2 pi sigma^2 lambda) sqrt((lambda_+ - lambda)(lambda - lambda_-))  on [lambda_-, lambda_+],
 *
 * and 0 outside. It integrates to 1 (no atom at 0 for Q >= 1) and has mean sigma^2.
 */
export function marchenkoPasturDensity(lambda: number, sigma2: number, q: number): number {
  const { lambdaMinus, lambdaPlus } = marchenkoPasturEdges(sigma2, q);
  if (!(lambda > lambdaMinus && lambda < lambdaPlus)) return 0;
  return (q / (2 * Math.PI * sigma2 * lambda)) * Math.sqrt((lambdaPlus - lambda) * (lambda - lambdaMinus));
}

/**
 * The MP cumulative distribution F(lambda) = integral of `marchenkoPasturDensity` from lambda_- to lambda.
 * Computed with the substitution lambda = m - r cos(theta) (m, r the centre and half-width of the bulk), which
 * turns the square-root edges into the smooth integrand Q r^2 sin^2(theta) / (2 pi sigma^2 lambda(theta)),
 * integrated by composite Simpson with `panels` panels (the integrand is smooth, also at Q = 1 where lambda_- = 0,
 * so the default 256 panels give an error far below the 1/M resolution of any empirical spectrum).
 */
export function marchenkoPasturCdf(lambda: number, sigma2: number, q: number, panels = 256): number {
  const { lambdaMinus, lambdaPlus } = marchenkoPasturEdges(sigma2, q);
  if (lambda <= lambdaMinus) return 0;
  if (lambda >= lambdaPlus) return 1;
  const m = (lambdaPlus + lambdaMinus) / 2;
  const r = (lambdaPlus - lambdaMinus) / 2;
  const thetaEnd = Math.acos(Math.min(1, Math.max(-1, (m - lambda) / r)));
  const f = (theta: number) => {
    const l = m - r * Math.cos(theta);
    // At Q = 1 (lambda_- = 0, m = r) and theta = 0 the ratio is 0/0; its limit r (1 + cos theta) is finite.
    const ratio = l > 0 ? (r * r * Math.sin(theta) ** 2) / l : r * (1 + Math.cos(theta));
    return (q * ratio) / (2 * Math.PI * sigma2);
  };
  const n = 2 * Math.max(1, Math.ceil(panels / 2));
  const h = thetaEnd / n;
  let sum = f(0) + f(thetaEnd);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return Math.min(1, Math.max(0, (sum * h) / 3));
}

/**
 * Finite-size position of the largest eigenvalue at init: for a real Gaussian N x M matrix (Johnstone 2001,
 * Ann. Stat. 29:295) the top eigenvalue of W^T W / sigma^2 is centre + scale * TW1 with
 *
 *     centre = (sqrt(N - 1) + sqrt(M))^2,   scale = (sqrt(N - 1) + sqrt(M)) (1/sqrt(N - 1) + 1/sqrt(M))^(1/3),
 *
 * and TW1 the Tracy-Widom law (mean -1.2065, standard deviation 1.2680). Returned in the units of
 * X = W^T W / N: `mean` (expected lambda_max), `sd` (its standard deviation) and the asymptotic edge lambda_+.
 * This is the "finite-N Tracy-Widom edge fluctuation" THEORY.md allows above lambda_+ at init.
 */
export function marchenkoPasturTopEigenvalue(
  n: number,
  m: number,
  sigma2: number,
): { mean: number; sd: number; lambdaPlus: number } {
  if (!(n >= m && m >= 1)) throw new RangeError(`need N >= M >= 1, got N = ${n}, M = ${m}`);
  const a = Math.sqrt(n - 1) + Math.sqrt(m);
  const centre = a * a;
  const scale = a * (1 / Math.sqrt(n - 1) + 1 / Math.sqrt(m)) ** (1 / 3);
  const unit = sigma2 / n;
  return {
    mean: (centre + TRACY_WIDOM1_MEAN * scale) * unit,
    sd: TRACY_WIDOM1_SD * scale * unit,
    lambdaPlus: marchenkoPasturEdges(sigma2, n / m).lambdaPlus,
  };
}

/** Mean and standard deviation of the Tracy-Widom law for real matrices (beta = 1), Tracy & Widom 1996. */
export const TRACY_WIDOM1_MEAN = -1.206533574582;
export const TRACY_WIDOM1_SD = 1.2680340580111;

/**
 * The empirical alpha ranges of Martin & Mahoney (THEORY.md entry 22). They are regularities observed on
 * trained production models, not exact formulas:
 * - `randomLike`: alpha > 6, an under-trained layer whose ESD is close to MP (a finite MP bulk fitted by a power
 *   law gives a large alpha, the fit's tail being the steep bulk edge);
 * - `wellTrained`: 2 <= alpha <= 6 (typically 2-4), a heavy-tailed ESD;
 * - `veryHeavy`: alpha < 2, very heavy-tailed / over-regularized.
 */
export const HEAVY_TAIL_ALPHA_RANGES = {
  veryHeavy: { lo: 1, hi: 2 },
  wellTrained: { lo: 2, hi: 6 },
  randomLike: { lo: 6, hi: Infinity },
} as const;

export type HeavyTailRegime = keyof typeof HEAVY_TAIL_ALPHA_RANGES;

/** Which of the Martin-Mahoney ranges a fitted power-law exponent alpha falls in (boundaries go to wellTrained). */
export function heavyTailRegime(alpha: number): HeavyTailRegime {
  if (!Number.isFinite(alpha) && alpha !== Infinity)
    throw new RangeError(`alpha must be a number, got ${alpha}`);
  if (alpha < HEAVY_TAIL_ALPHA_RANGES.wellTrained.lo) return 'veryHeavy';
  if (alpha > HEAVY_TAIL_ALPHA_RANGES.wellTrained.hi) return 'randomLike';
  return 'wellTrained';
}

function checkMp(sigma2: number, q: number): void {
  if (!(sigma2 > 0 && Number.isFinite(sigma2))) throw new RangeError(`sigma^2 must be > 0, got ${sigma2}`);
  if (!(q >= 1 && Number.isFinite(q))) throw new RangeError(`Q = N/M must be >= 1 (N >= M), got ${q}`);
}
