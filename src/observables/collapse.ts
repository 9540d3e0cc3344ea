import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Neural-collapse metrics NC1-NC4 (THEORY.md entry 21; Papyan, Han & Donoho, PNAS 2020, arXiv:2008.08186; the
 * tding1/Neural-Collapse `validate_NC.py` implementation of Zhu et al., NeurIPS 2021, arXiv:2105.02375).
 *
 * Inputs: the penultimate features h_i (N x p, one row per training sample), integer labels y_i in 0..K-1, and
 * the linear head logits = h W + b with W of shape p x K (the kernel of a tfjs dense layer; Papyan's and
 * Zhu's W is its transpose, K x p). With mu_c the class means, mu_G the global mean (over all N samples, so a
 * weighted mean of the mu_c when classes are unbalanced), m_c = mu_c - mu_G and M = [m_1 ... m_K] (p x K):
 *
 *   Sigma_W = (1/N) sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})^T,   Sigma_B = (1/K) sum_c m_c m_c^T,
 *   nc1            = tr(Sigma_W Sigma_B^+) / K
 *   equinorm       = std_c ||m_c|| / mean_c ||m_c||                          (population std, numpy's default)
 *   equiangularity = std_{c<c'} cos(m_c, m_c')
 *   maxAngle       = mean_{c<c'} |cos(m_c, m_c') + 1/(K-1)|                 (Papyan's "shift towards max angle")
 *   meanCosine     = mean_{c<c'} cos(m_c, m_c')                               (target -1/(K-1))
 *   etfW, etfM     = || A A^T / ||A A^T||_F - (I - 11^T/K)/sqrt(K-1) ||_F   for A = W^T (K x p) and A = M^T
 *   nc3            = || W / ||W||_F - M / ||M||_F ||_F^2                    (Papyan's self-duality, squared)
 *   nc3Zhu         = || W^T M / ||W^T M||_F - (I - 11^T/K)/sqrt(K-1) ||_F    (tding1 `compute_W_H_relation`)
 *   nc4            = fraction of samples with argmax_c (h W + b)_c != argmin_c ||h - mu_c||
 *   bias           = || W^T mu_G + b ||                                     (Zhu's bias relation; 0 without b)
 *   betweenShare   = tr Sigma_B / (tr Sigma_W + tr Sigma_B)                  (-> 1 as NC1 -> 0)
 *
 * Sigma_B^+ is the Moore-Penrose pseudo-inverse with scipy.linalg.pinv's cut-off on float32 data (eigenvalues
 * below max(p, K) * 2^-23 * lambda_max are dropped), as tding1 calls it on float32 Sigma_B. It is computed in the
 * K-dimensional span of M: with Sigma_B = M M^T / K and the eigenpairs (lambda_j, v_j) of M^T M / K (K x K),
 * Sigma_B^+ = sum_j u_j u_j^T / lambda_j with u_j = M v_j / sqrt(K lambda_j), so
 * tr(Sigma_W Sigma_B^+) = sum_j (1 / lambda_j) (1/N) sum_i ((h_i - mu_{y_i}) . u_j)^2 without any p x p matrix.
 *
 * Cost: one read-back of the N x p features (and of W, b), then O(N p K + K^3) float64 operations in JS.
 */
export interface NeuralCollapseMetrics {
  nc1: number;
  equinorm: number;
  equiangularity: number;
  maxAngle: number;
  meanCosine: number;
  /** cos(m_c, m_c') for c < c', in the order (0,1), (0,2), ..., (1,2), ... */
  cosines: number[];
  /** ||m_c|| for each class. */
  meanNorms: number[];
  etfW: number | null;
  etfM: number;
  nc3: number | null;
  nc3Zhu: number | null;
  /** cos(w_c, m_c) per class, with w_c the classifier's column for class c (-> 1 under self-duality). */
  selfDualityCosines: number[] | null;
  nc4: number | null;
  bias: number | null;
  betweenShare: number;
  /** Training accuracy of the classifier (null without a classifier). */
  accuracy: number | null;
}

/** The linear head logits = h W + b: W is p x K (tfjs dense-kernel layout), b has K entries. */
export interface CollapseClassifier {
  weight: tf.Tensor | number[][];
  bias?: tf.Tensor | number[];
}

/**
 * The NC metrics of features `features` (N x p) with labels in 0..K-1 (K = `numClasses`, or the classifier's
 * width, or max label + 1), and, when given, the classifier's W (p x K) and b. Every class must have a sample.
 * See the module comment above for the definitions and the cost.
 */
export function neuralCollapseMetrics(
  features: tf.Tensor | number[][],
  labels: tf.Tensor | ArrayLike<number>,
  classifier?: CollapseClassifier,
  numClasses?: number,
): NeuralCollapseMetrics {
  const h = toRows(features, 'features');
  const y = Array.from(labels instanceof tf.Tensor ? labels.dataSync() : labels, (v) =>
    Math.round(Number(v)),
  );
  const n = h.length;
  if (n === 0 || y.length !== n)
    throw new RangeError(`need one label per feature row: ${n} rows, ${y.length} labels`);
  const p = h[0].length;
  const w = classifier ? toRows(classifier.weight, 'classifier weight') : null;
  const k = numClasses ?? (w ? w[0].length : Math.max(...y) + 1);
  if (w && (w.length !== p || w[0].length !== k))
    throw new RangeError(`classifier weight must be p x K = ${p} x ${k}, got ${w.length} x ${w[0].length}`);
  if (k < 2) throw new RangeError('need at least 2 classes');

  const counts = new Array<number>(k).fill(0);
  const mu = Array.from({ length: k }, () => new Float64Array(p));
  const muG = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (!(c >= 0 && c < k)) throw new RangeError(`label ${c} outside 0..${k - 1}`);
    counts[c]++;
    for (let a = 0; a < p; a++) {
      mu[c][a] += h[i][a];
      muG[a] += h[i][a];
    }
  }
  if (counts.some((c) => c === 0)) throw new RangeError(`every class needs a sample, counts ${counts}`);
  for (let c = 0; c < k; c++) for (let a = 0; a < p; a++) mu[c][a] /= counts[c];
  for (let a = 0; a < p; a++) muG[a] /= n;
  const m = mu.map((mc) => mc.map((v, a) => v - muG[a])); // rows m_c
  const mMatrix = new Matrix(m.map((row) => Array.from(row))); // K x p

  // Sigma_B^+ in the span of the m_c.
  const gram = mMatrix.mmul(mMatrix.transpose()).div(k); // M^T M / K in the p x K convention: K x K
  const evd = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const lambdas = evd.realEigenvalues;
  const lambdaMax = Math.max(...lambdas);
  const cutoff = Math.max(p, k) * 2 ** -23 * lambdaMax;
  const directions: Float64Array[] = [];
  const kept: number[] = [];
  lambdas.forEach((lambda, j) => {
    if (!(lambda > cutoff)) return;
    const v = evd.eigenvectorMatrix.getColumn(j);
    const u = new Float64Array(p);
    for (let c = 0; c < k; c++) for (let a = 0; a < p; a++) u[a] += m[c][a] * v[c];
    const s = 1 / Math.sqrt(k * lambda);
    for (let a = 0; a < p; a++) u[a] *= s;
    directions.push(u);
    kept.push(lambda);
  });
  let nc1Sum = 0;
  let traceW = 0;
  const proj = new Float64Array(directions.length);
  for (let i = 0; i < n; i++) {
    const mc = mu[y[i]];
    proj.fill(0);
    for (let a = 0; a < p; a++) {
      const d = h[i][a] - mc[a];
      traceW += d * d;
      for (let j = 0; j < directions.length; j++) proj[j] += d * directions[j][a];
    }
    for (let j = 0; j < directions.length; j++) nc1Sum += (proj[j] * proj[j]) / kept[j];
  }
  const nc1 = nc1Sum / n / k;
  traceW /= n;
  const traceB = lambdas.reduce((s, l) => s + l, 0);

  // NC2 on the class means.
  const meanNorms = m.map((mc) => Math.hypot(...mc));
  const cosines: number[] = [];
  for (let c = 0; c < k; c++)
    for (let d = c + 1; d < k; d++) cosines.push(dot(m[c], m[d]) / (meanNorms[c] * meanNorms[d]));
  const etfCos = -1 / (k - 1);
  const equinorm = std(meanNorms) / mean(meanNorms);
  const equiangularity = std(cosines);
  const maxAngle = mean(cosines.map((c) => Math.abs(c - etfCos)));
  const meanCosine = mean(cosines);
  const etfM = etfDistance(mMatrix);

  const result: NeuralCollapseMetrics = {
    nc1,
    equinorm,
    equiangularity,
    maxAngle,
    meanCosine,
    cosines,
    meanNorms,
    etfW: null,
    etfM,
    nc3: null,
    nc3Zhu: null,
    selfDualityCosines: null,
    nc4: null,
    bias: null,
    betweenShare: traceB / (traceW + traceB),
    accuracy: null,
  };
  if (!w || !classifier) return result;

  const wT = new Matrix(w).transpose(); // K x p, rows w_c
  const b = classifier.bias
    ? Array.from(classifier.bias instanceof tf.Tensor ? classifier.bias.dataSync() : classifier.bias)
    : new Array<number>(k).fill(0);
  if (b.length !== k) throw new RangeError(`bias must have K = ${k} entries, got ${b.length}`);
  result.etfW = etfDistance(wT);
  const wNorm = wT.norm('frobenius');
  const mNorm = mMatrix.norm('frobenius');
  result.nc3 = wT.clone().div(wNorm).sub(mMatrix.clone().div(mNorm)).norm('frobenius') ** 2;
  const wm = wT.mmul(mMatrix.transpose()); // K x K: (W^T M)_{c c'} = w_c . m_c'
  result.nc3Zhu = wm.div(wm.norm('frobenius')).sub(etfTarget(k)).norm('frobenius');
  result.selfDualityCosines = Array.from({ length: k }, (_, c) => {
    const wc = wT.getRow(c);
    return dot(wc, m[c]) / (Math.hypot(...wc) * meanNorms[c]);
  });
  result.bias = Math.hypot(...Array.from({ length: k }, (_, c) => dot(wT.getRow(c), muG) + b[c]));

  let mismatch = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let bestLogit = -Infinity;
    let net = 0;
    let bestDist = Infinity;
    let ncc = 0;
    for (let c = 0; c < k; c++) {
      let logit = b[c];
      let dist = 0;
      for (let a = 0; a < p; a++) {
        logit += h[i][a] * w[a][c];
        dist += (h[i][a] - mu[c][a]) ** 2;
      }
      if (logit > bestLogit) [bestLogit, net] = [logit, c];
      if (dist < bestDist) [bestDist, ncc] = [dist, c];
    }
    if (net !== ncc) mismatch++;
    if (net === y[i]) correct++;
  }
  result.nc4 = mismatch / n;
  result.accuracy = correct / n;
  return result;
}

/** (I - 11^T/K) / sqrt(K - 1): the Gram matrix of a unit-Frobenius-norm simplex ETF. */
function etfTarget(k: number): Matrix {
  return Matrix.eye(k)
    .sub(Matrix.ones(k, k).div(k))
    .div(Math.sqrt(k - 1));
}

/** || A A^T / ||A A^T||_F - (I - 11^T/K)/sqrt(K-1) ||_F for A with K rows (tding1 `compute_ETF`). */
function etfDistance(a: Matrix): number {
  const g = a.mmul(a.transpose());
  return g.div(g.norm('frobenius')).sub(etfTarget(a.rows)).norm('frobenius');
}

function toRows(x: tf.Tensor | number[][], what: string): number[][] {
  const rows = x instanceof tf.Tensor ? (x.arraySync() as unknown) : x;
  if (!Array.isArray(rows) || !Array.isArray(rows[0]))
    throw new RangeError(`${what} must be a 2-D tensor or array`);
  return rows as number[][];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function mean(v: number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

function std(v: number[]): number {
  const mu = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - mu) ** 2, 0) / v.length);
}
