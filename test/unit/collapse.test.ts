import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Matrix, pseudoInverse, QrDecomposition } from 'ml-matrix';
import { neuralCollapseMetrics } from '../../src/observables/collapse';
import { neuralCollapseLimits, simplexEtf, simplexEtfCosine } from '../../src/theory/neuralCollapse';
import { gaussian } from './gaussian';

function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} +- ${tol}, got ${actual}`);
}

/** A random p x p orthogonal matrix (Q of a Gaussian matrix's QR). */
function randomRotation(p: number, seed: number): Matrix {
  const g = gaussian(seed);
  return new QrDecomposition(Matrix.from1DArray(p, p, Array.from({ length: p * p }, g))).orthogonalMatrix;
}

/** K class means forming a rotated, shifted simplex ETF of norm r in R^p, as K rows. */
function rotatedEtf(k: number, p: number, r: number, seed: number): { means: number[][]; offset: number[] } {
  const rotation = randomRotation(p, seed);
  const etf = new Matrix(simplexEtf(k, p, r)).mmul(rotation);
  const offset = Array.from({ length: p }, (_, a) => 0.3 * (a + 1));
  return { means: etf.to2DArray().map((row) => row.map((v, a) => v + offset[a])), offset };
}

/**
 * Brute force, straight from the definitions with explicit p x p matrices: Sigma_W, Sigma_B summed sample by
 * sample and class by class, Sigma_B^+ from ml-matrix's SVD-based pseudoInverse, cosines and norms by loops, NC3
 * and NC4 from the formulas of Papyan, Han & Donoho (W is p x K, logits = h W + b).
 */
function bruteForce(h: number[][], y: number[], k: number, w: number[][], b: number[]) {
  const n = h.length;
  const p = h[0].length;
  const mu = Array.from({ length: k }, (_, c) => {
    const rows = h.filter((_, i) => y[i] === c);
    return Array.from({ length: p }, (_, a) => rows.reduce((s, r) => s + r[a], 0) / rows.length);
  });
  const muG = Array.from({ length: p }, (_, a) => h.reduce((s, r) => s + r[a], 0) / n);
  const sw = Matrix.zeros(p, p);
  h.forEach((row, i) => {
    const d = Matrix.columnVector(row.map((v, a) => v - mu[y[i]][a]));
    sw.add(d.mmul(d.transpose()));
  });
  sw.div(n);
  const sb = Matrix.zeros(p, p);
  const m = mu.map((mc) => mc.map((v, a) => v - muG[a]));
  m.forEach((mc) => {
    const d = Matrix.columnVector(mc);
    sb.add(d.mmul(d.transpose()));
  });
  sb.div(k);
  const nc1 = sw.mmul(pseudoInverse(sb, 1e-10)).trace() / k;
  const norms = m.map((mc) => Math.sqrt(mc.reduce((s, v) => s + v * v, 0)));
  const cosines: number[] = [];
  for (let c = 0; c < k; c++)
    for (let d = c + 1; d < k; d++)
      cosines.push(m[c].reduce((s, v, a) => s + v * m[d][a], 0) / (norms[c] * norms[d]));
  const wMat = new Matrix(w);
  const mMat = new Matrix(m).transpose(); // p x K
  const nc3 = wMat.clone().div(wMat.norm()).sub(mMat.clone().div(mMat.norm())).norm() ** 2;
  let mismatch = 0;
  h.forEach((row) => {
    const logits = b.map((bc, c) => bc + row.reduce((s, v, a) => s + v * w[a][c], 0));
    const dists = mu.map((mc) => mc.reduce((s, v, a) => s + (row[a] - v) ** 2, 0));
    if (logits.indexOf(Math.max(...logits)) !== dists.indexOf(Math.min(...dists))) mismatch++;
  });
  return { nc1, norms, cosines, nc3, nc4: mismatch / n };
}

describe('simplexEtf', () => {
  it('builds K vectors of norm r with pairwise cosine -1/(K-1) summing to 0', () => {
    for (const k of [2, 3, 5, 10]) {
      const etf = simplexEtf(k, k + 2, 3);
      etf.forEach((v) => assertClose(Math.hypot(...v), 3, 1e-12, `K = ${k} norm`));
      for (let c = 0; c < k; c++)
        for (let d = c + 1; d < k; d++)
          assertClose(
            etf[c].reduce((s, v, a) => s + v * etf[d][a], 0) / 9,
            -1 / (k - 1),
            1e-12,
            `K = ${k} cos`,
          );
      for (let a = 0; a < k + 2; a++)
        assertClose(
          etf.reduce((s, v) => s + v[a], 0),
          0,
          1e-12,
        );
    }
    assert.equal(simplexEtfCosine(10), -1 / 9);
    assert.deepEqual(neuralCollapseLimits(4).cosine, -1 / 3);
    assert.throws(() => simplexEtf(5, 3), RangeError);
  });
});

describe('neuralCollapseMetrics', () => {
  it('gives NC1 = NC2 = NC3 = NC4 = 0 on an exact (rotated, shifted) simplex ETF with no within-class spread', () => {
    const k = 5;
    const p = 8;
    const { means, offset } = rotatedEtf(k, p, 2, 1);
    const labels = Array.from({ length: 4 * k }, (_, i) => i % k);
    const features = labels.map((c) => means[c]);
    // Self-dual classifier W = M (p x K columns m_c = mu_c - mu_G), with the bias that zeroes W^T mu_G + b.
    const w = Array.from({ length: p }, (_, a) => means.map((mc) => mc[a] - offset[a]));
    const b = means.map((_, c) => -w.reduce((s, row, a) => s + row[c] * offset[a], 0));
    const r = neuralCollapseMetrics(tf.tensor2d(features), labels, { weight: tf.tensor2d(w), bias: b });
    assertClose(r.nc1, 0, 1e-12, 'NC1');
    assertClose(r.equinorm, 0, 1e-6, 'equinorm');
    assertClose(r.equiangularity, 0, 1e-6, 'equiangularity');
    assertClose(r.maxAngle, 0, 1e-6, 'max-angle');
    assertClose(r.meanCosine, -1 / (k - 1), 1e-6);
    r.cosines.forEach((c) => assertClose(c, -0.25, 1e-6, 'cos'));
    assertClose(r.etfM, 0, 1e-6, 'ETF(M)');
    assertClose(r.etfW!, 0, 1e-6, 'ETF(W)');
    assertClose(r.nc3!, 0, 1e-10, 'NC3');
    assertClose(r.nc3Zhu!, 0, 1e-6, 'NC3 (Zhu)');
    r.selfDualityCosines!.forEach((c) => assertClose(c, 1, 1e-6));
    assert.equal(r.nc4, 0);
    assert.equal(r.accuracy, 1);
    assertClose(r.bias!, 0, 1e-5, 'bias relation');
    assertClose(r.betweenShare, 1, 1e-12);
  });

  it('matches a brute-force p x p computation on perturbed features, balanced and unbalanced', () => {
    const g = gaussian(2);
    for (const unbalanced of [false, true]) {
      const k = 4;
      const p = 6;
      const { means } = rotatedEtf(k, p, 1, 3);
      const labels = Array.from({ length: 37 }, (_, i) => (unbalanced ? Math.min(i % 7, k - 1) : i % k));
      const h = labels.map((c) => means[c].map((v) => v + 0.4 * g()));
      const w = Array.from({ length: p }, () => Array.from({ length: k }, () => g()));
      const b = Array.from({ length: k }, () => g());
      const r = neuralCollapseMetrics(h, labels, { weight: w, bias: b });
      const bf = bruteForce(h, labels, k, w, b);
      assertClose(r.nc1, bf.nc1, 1e-9 * bf.nc1, `NC1 (unbalanced: ${unbalanced})`);
      assert.ok(r.nc1 > 0.01, 'the perturbation is not negligible');
      bf.norms.forEach((v, c) => assertClose(r.meanNorms[c], v, 1e-12));
      bf.cosines.forEach((v, i) => assertClose(r.cosines[i], v, 1e-12));
      assertClose(r.nc3!, bf.nc3, 1e-12, 'NC3');
      assertClose(r.nc4!, bf.nc4, 0, 'NC4');
    }
  });

  it('drops directions of Sigma_B below the float32 cut-off of scipy pinv, max(p, K) 2^-23 lambda_max', () => {
    // Class means (1, 0), (-1, 0), (0, 1e-5): Sigma_B's second eigenvalue is ~1e-11 of the first, below the
    // cut-off, so only the spread along x counts. Each class gets the same 4 offsets (+-0.1, +-0.1), so the
    // empirical means are exact. Without the cut-off NC1 would be ~0.01 / 1e-11.
    const means = [
      [1, 0],
      [-1, 0],
      [0, 1e-5],
    ];
    const offsets = [
      [0.1, 0.1],
      [-0.1, -0.1],
      [0.1, -0.1],
      [-0.1, 0.1],
    ];
    const labels = [0, 1, 2].flatMap((c) => offsets.map(() => c));
    const h = labels.map((c, i) => means[c].map((v, a) => v + offsets[i % 4][a]));
    const r = neuralCollapseMetrics(h, labels);
    // By hand: Sigma_W = 0.01 I; Sigma_B ~ diag(2/3, ~0); NC1 = (0.01 / (2/3)) / 3 = 0.005.
    assertClose(r.nc1, 0.005, 1e-8);
    assert.equal(r.nc4, null);
  });

  it('counts samples where the classifier and the nearest class centre disagree (NC4)', () => {
    // Two classes on a line, means at -1 and +1; the classifier's threshold sits at 0.5 instead of 0, so the
    // class-1 sample at 0.2 is classified 0 by the network but is nearer to the class-1 mean (by NCC).
    const h = [[-1.2], [-0.8], [0.2], [1.8], [1.0]];
    const labels = [0, 0, 1, 1, 1];
    // logits = h W + b with W = [[-1, 1]], b = [0.5, -0.5]: decides class 1 iff 2h > 1, i.e. h > 0.5.
    const r = neuralCollapseMetrics(h, labels, { weight: [[-1, 1]], bias: [0.5, -0.5] });
    assert.equal(r.nc4, 1 / 5);
    assert.equal(r.accuracy, 4 / 5);
  });

  it('is invariant to scaling the features (NC1, NC2) and to rotating features and classifier together', () => {
    const g = gaussian(5);
    const k = 3;
    const p = 4;
    const labels = Array.from({ length: 24 }, (_, i) => i % k);
    const h = labels.map((c) => Array.from({ length: p }, (_, a) => (a === c ? 2 : 0) + 0.5 * g()));
    const w = Array.from({ length: p }, () => Array.from({ length: k }, () => g()));
    const base = neuralCollapseMetrics(h, labels, { weight: w });
    const scaled = neuralCollapseMetrics(
      h.map((row) => row.map((v) => 7 * v)),
      labels,
      { weight: w },
    );
    assertClose(scaled.nc1, base.nc1, 1e-9 * base.nc1);
    assertClose(scaled.equinorm, base.equinorm, 1e-12);
    const rot = randomRotation(p, 6);
    const rotated = neuralCollapseMetrics(new Matrix(h).mmul(rot).to2DArray(), labels, {
      weight: rot.transpose().mmul(new Matrix(w)).to2DArray(),
    });
    assertClose(rotated.nc1, base.nc1, 1e-9 * base.nc1);
    assertClose(rotated.nc3!, base.nc3!, 1e-9);
    assert.equal(rotated.nc4, base.nc4);
  });
});
