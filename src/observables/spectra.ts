import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { marchenkoPasturCdf, marchenkoPasturEdges } from '../theory/heavyTails';

/**
 * Weight-matrix spectra and the two fits of THEORY.md entry 22 (heavy-tailed self-regularization; Martin &
 * Mahoney, JMLR 2021, arXiv:1810.01075): the WeightWatcher power-law fit of the tail (Clauset, Shalizi & Newman,
 * SIAM Rev. 2009, as ported in CalculatedContent/WeightWatcher `WW_powerlaw.py`, class WWFit) and a
 * Marchenko-Pastur fit of the bulk (the law itself is in ../theory/heavyTails.ts).
 */

/** The eigenvalue spectrum (ESD) of one weight matrix, with its orientation. */
export interface WeightSpectrum {
  /** Eigenvalues of W^T W (N x M oriented so that N >= M), ascending, clamped at 0: the squared singular values. */
  eigenvalues: number[];
  /** The same divided by N: the spectrum of X = W^T W / N that the Marchenko-Pastur law describes. */
  correlationEigenvalues: number[];
  n: number;
  m: number;
  /** Aspect ratio Q = N / M >= 1. */
  q: number;
}

/**
 * The ESD of a weight tensor. A 2-D tensor is taken as is; a higher-rank one (a conv kernel
 * [kh, kw, in, out]) is reshaped to [prod(leading dims), last dim]. The matrix is oriented N x M with N >= M,
 * its Gram matrix W^T W (M x M) is formed in tfjs (float32) and read back, and its eigenvalues come from
 * ml-matrix's symmetric eigendecomposition in float64 (tridiagonalization + QL).
 *
 * Normalization: `eigenvalues` are those of W^T W with no 1/N, as WeightWatcher fits them;
 * `correlationEigenvalues` are divided by N, the MP convention (THEORY.md entry 22).
 *
 * Cost: one N x M x M matmul in tfjs, a read-back of M^2 floats and an O(M^3) eigendecomposition in JS
 * (about 0.3 s for M = 256 on one core). Leaks no tensor.
 */
export function weightSpectrum(weight: tf.Tensor): WeightSpectrum {
  if (weight.rank < 2) throw new RangeError(`need a matrix (rank >= 2), got shape [${weight.shape}]`);
  const cols = weight.shape[weight.rank - 1];
  const rows = weight.size / cols;
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const gram = tf.tidy(() => {
    const w = weight.reshape([rows, cols]);
    const oriented = rows >= cols ? w : w.transpose();
    return oriented.matMul(oriented, true, false).arraySync() as number[][];
  });
  const eigenvalues = symmetricEigenvaluesOf(gram).map((v) => Math.max(0, v));
  return { eigenvalues, correlationEigenvalues: eigenvalues.map((v) => v / n), n, m, q: n / m };
}

/** Eigenvalues of a symmetric matrix (float64, ml-matrix EVD), ascending. */
function symmetricEigenvaluesOf(a: number[][]): number[] {
  const evd = new EigenvalueDecomposition(new Matrix(a), { assumeSymmetric: true });
  return [...evd.realEigenvalues].sort((x, y) => x - y);
}

/** The WeightWatcher power-law fit of an ESD's tail (THEORY.md entry 22). */
export interface PowerLawTailFit {
  /** The exponent of the density p(lambda) ~ lambda^-alpha for lambda >= xmin. */
  alpha: number;
  xmin: number;
  /** The KS distance of the chosen fit (WWFit's one-sided form, see `fitPowerLawTail`). */
  ks: number;
  /** Standard error (alpha - 1) / sqrt(nTail) of alpha. */
  sigma: number;
  /** How many eigenvalues are >= xmin. */
  nTail: number;
  /** alpha-hat = alpha * log10(lambda_max) (Martin, Peng & Mahoney's "alpha_weighted"). */
  alphaWeighted: number;
  /** Every candidate: alpha_i and D_i for xmin = lambda_i, for plotting the scan. */
  scan: { xmin: number[]; alpha: number[]; ks: number[] };
}

/**
 * Continuous power-law MLE with the KS scan over x_min (Clauset, Shalizi & Newman 2009), exactly as
 * WeightWatcher's WWFit computes it: sort the positive values ascending, lambda_0 <= ... <= lambda_(n-1); for
 * every candidate x_min = lambda_i, i < n - 1, with tail size n_i = n - i,
 *
 *     alpha_i = 1 + n_i / sum_{j >= i} ln(lambda_j / lambda_i),
 *     D_i     = max_{j >= i} | 1 - (lambda_j / lambda_i)^(1 - alpha_i) - (j - i) / n_i |   (1 if alpha_i <= 1),
 *
 * and keep i* = argmin D_i (first one on ties), with sigma = (alpha - 1) / sqrt(n_i*). D_i compares the
 * fitted CDF with the empirical CDF just below each point ((j - i)/n_i), as WWFit does; the textbook KS
 * statistic would also take (j - i + 1)/n_i. Optional `xmin` / `xmax` restrict the data to
 * [the value nearest xmin, the value nearest xmax] first, as WWFit's arguments do (a given xmin is then the
 * first candidate, not a fixed x_min: WWFit still scans). Values <= 0 (null directions) are dropped, since
 * ln 0 is undefined.
 *
 * Cost: O(n^2) for n values (1e6 operations for n = 1000).
 */
export function fitPowerLawTail(
  values: ArrayLike<number>,
  options: { xmin?: number; xmax?: number } = {},
): PowerLawTailFit {
  let data = Array.from(values)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  const nearest = (x: number) =>
    data.reduce((best, v, i) => (Math.abs(v - x) < Math.abs(data[best] - x) ? i : best), 0);
  const iMin = options.xmin === undefined ? 0 : nearest(options.xmin);
  const iMax = options.xmax === undefined ? data.length - 1 : nearest(options.xmax);
  data = data.slice(iMin, iMax + 1);
  const n = data.length;
  if (n < 2) throw new RangeError(`a power-law fit needs at least 2 positive values, got ${n}`);
  const logs = data.map(Math.log);
  const suffix = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) suffix[j] = suffix[j + 1] + logs[j];
  const scan = { xmin: [] as number[], alpha: [] as number[], ks: [] as number[] };
  let best = 0;
  for (let i = 0; i < n - 1; i++) {
    const tail = n - i;
    const alpha = 1 + tail / (suffix[i] - tail * logs[i]);
    let ks = 1;
    if (alpha > 1) {
      ks = 0;
      for (let j = i; j < n; j++) {
        const theory = 1 - Math.exp((1 - alpha) * (logs[j] - logs[i]));
        ks = Math.max(ks, Math.abs(theory - (j - i) / tail));
      }
    }
    scan.xmin.push(data[i]);
    scan.alpha.push(alpha);
    scan.ks.push(ks);
    if (ks < scan.ks[best]) best = i;
  }
  const alpha = scan.alpha[best];
  const nTail = n - best;
  return {
    alpha,
    xmin: scan.xmin[best],
    ks: scan.ks[best],
    sigma: (alpha - 1) / Math.sqrt(nTail),
    nTail,
    alphaWeighted: alpha * Math.log10(data[n - 1]),
    scan,
  };
}

/**
 * Norm-based summaries of an ESD (WeightWatcher's metrics, THEORY.md entry 22): log_norm = log10 sum lambda
 * (= 2 log10 ||W||_F for the eigenvalues of W^T W), stable rank = sum lambda / lambda_max, and lambda_max.
 */
export function spectrumNormMetrics(eigenvalues: ArrayLike<number>): {
  logNorm: number;
  stableRank: number;
  lambdaMax: number;
} {
  const values = Array.from(eigenvalues);
  if (values.length === 0) throw new RangeError('empty spectrum');
  const sum = values.reduce((s, v) => s + v, 0);
  const lambdaMax = Math.max(...values);
  return { logNorm: Math.log10(sum), stableRank: sum / lambdaMax, lambdaMax };
}

/** A Marchenko-Pastur fit of an ESD (THEORY.md entry 22). */
export interface MarchenkoPasturFit {
  /** Fitted element variance sigma^2. */
  sigma2: number;
  /** Aspect ratio Q = N/M: the given one, or the fitted one when none was given. */
  q: number;
  /** KS distance sup |F_emp - F_MP| between the spectrum and the fitted MP law. */
  ks: number;
  lambdaMinus: number;
  lambdaPlus: number;
  /** How many eigenvalues lie above the fitted bulk edge lambda_+ (spikes, or a heavy tail). */
  aboveEdge: number;
}

/**
 * Fits the Marchenko-Pastur law to the eigenvalues of X = W^T W / N (`WeightSpectrum.correlationEigenvalues`)
 * by minimizing the two-sided KS distance
 *
 *     D(sigma^2, Q) = max_j max(|F_MP(x_j) - j/n|, |F_MP(x_j) - (j+1)/n|)   (x sorted ascending)
 *
 * over sigma^2 (and over Q >= 1 when `q` is not given): a 1-D search in log sigma^2 (a grid of 41 points on
 * [mean/20, 2 mean] around the moment estimate sigma^2 = mean(x), which is exact for an MP spectrum, then
 * golden-section refinement), nested inside the same search in log Q on [1, `qMax`] when Q is fitted.
 * WeightWatcher fits the bulk by matching a histogram instead; the KS criterion is the one THEORY.md's
 * scoring names ("KS distance of the bulk vs MP with fitted sigma^2").
 *
 * Cost: each D evaluation is n MP CDFs of 64 Simpson panels; about 80 evaluations with Q given (negligible),
 * about 80 x 40 with Q fitted (a few seconds for n = 256).
 */
export function fitMarchenkoPastur(
  correlationEigenvalues: ArrayLike<number>,
  options: { q?: number; qMax?: number } = {},
): MarchenkoPasturFit {
  const x = Array.from(correlationEigenvalues).sort((a, b) => a - b);
  const n = x.length;
  if (n < 2) throw new RangeError(`an MP fit needs at least 2 eigenvalues, got ${n}`);
  const mean = x.reduce((s, v) => s + v, 0) / n;
  if (!(mean > 0)) throw new RangeError('the spectrum is all zeros');
  const ks = (sigma2: number, q: number) => {
    let d = 0;
    for (let j = 0; j < n; j++) {
      const f = marchenkoPasturCdf(x[j], sigma2, q, 64);
      d = Math.max(d, Math.abs(f - j / n), Math.abs(f - (j + 1) / n));
    }
    return d;
  };
  const bestSigma2 = (q: number) => {
    const logS = minimize1d((s) => ks(Math.exp(s), q), Math.log(mean / 20), Math.log(2 * mean));
    return { sigma2: Math.exp(logS.x), ks: logS.f };
  };
  let q: number;
  let fit: { sigma2: number; ks: number };
  if (options.q !== undefined) {
    q = options.q;
    if (!(q >= 1)) throw new RangeError(`Q = N/M must be >= 1, got ${q}`);
    fit = bestSigma2(q);
  } else {
    const qMax = options.qMax ?? 50;
    const logQ = minimize1d((lq) => bestSigma2(Math.exp(lq)).ks, 0, Math.log(qMax), 15, 25);
    q = Math.exp(logQ.x);
    fit = bestSigma2(q);
  }
  const { lambdaMinus, lambdaPlus } = marchenkoPasturEdges(fit.sigma2, q);
  return {
    sigma2: fit.sigma2,
    q,
    ks: fit.ks,
    lambdaMinus,
    lambdaPlus,
    aboveEdge: x.filter((v) => v > lambdaPlus).length,
  };
}

/** Grid search on [lo, hi] then golden-section refinement around the best grid point. */
function minimize1d(
  f: (x: number) => number,
  lo: number,
  hi: number,
  gridPoints = 41,
  goldenSteps = 40,
): { x: number; f: number } {
  const h = (hi - lo) / (gridPoints - 1);
  let bestI = 0;
  let bestF = Infinity;
  for (let i = 0; i < gridPoints; i++) {
    const v = f(lo + i * h);
    if (v < bestF) {
      bestF = v;
      bestI = i;
    }
  }
  let a = lo + Math.max(0, bestI - 1) * h;
  let b = lo + Math.min(gridPoints - 1, bestI + 1) * h;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let k = 0; k < goldenSteps; k++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const candidates = [
    { x: lo + bestI * h, f: bestF },
    { x: c, f: fc },
    { x: d, f: fd },
  ];
  return candidates.reduce((best, v) => (v.f < best.f ? v : best));
}
