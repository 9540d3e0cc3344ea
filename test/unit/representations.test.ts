import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import {
  effectiveRanksFromSingularValues,
  linearCka,
  RepresentationCheckpoint,
  representationEffectiveRank,
} from '../../src/observables/representations';
import { gaussian } from './gaussian';

function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} +- ${tol}, got ${actual}`);
}

function gaussianRows(rows: number, cols: number, seed: number): number[][] {
  const g = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, g));
}

/** Linear CKA in float64 by the HSIC form tr(K H L H) / sqrt(tr(K H K H) tr(L H L H)), K = X X^T, H = I - 11^T/n. */
function ckaBruteForce(x: number[][], y: number[][]): number {
  const n = x.length;
  const h = Matrix.eye(n).sub(Matrix.ones(n, n).div(n));
  const kx = new Matrix(x).mmul(new Matrix(x).transpose());
  const ky = new Matrix(y).mmul(new Matrix(y).transpose());
  const hsic = (a: Matrix, b: Matrix) => a.mmul(h).mmul(b).mmul(h).trace();
  return hsic(kx, ky) / Math.sqrt(hsic(kx, kx) * hsic(ky, ky));
}

const cka = (x: number[][], y: number[][]) =>
  tf.tidy(() => linearCka(tf.tensor2d(x), tf.tensor2d(y)).dataSync()[0]);

function withTensor<T>(rows: number[][], f: (t: tf.Tensor2D) => T): T {
  const t = tf.tensor2d(rows);
  try {
    return f(t);
  } finally {
    t.dispose();
  }
}

describe('linearCka', () => {
  it('is 1 under orthogonal transforms, isotropic scaling and translation', () => {
    const x = gaussianRows(50, 6, 1);
    const q = new QrDecomposition(new Matrix(gaussianRows(6, 6, 2))).orthogonalMatrix;
    const y = new Matrix(x)
      .mmul(q)
      .mul(-3.5)
      .to2DArray()
      .map((row) => row.map((v, a) => v + a));
    assertClose(cka(x, y), 1, 1e-5);
    assertClose(cka(x, x), 1, 1e-6);
  });

  it('agrees with the float64 HSIC form, and is below 1 under an anisotropic scaling', () => {
    const x = gaussianRows(40, 5, 3);
    const stretched = x.map((row) => row.map((v, a) => v * (a + 1) ** 2));
    const expected = ckaBruteForce(x, stretched);
    assert.ok(expected < 0.9, `anisotropic CKA = ${expected}`);
    assertClose(cka(x, stretched), expected, 1e-5);
    const other = gaussianRows(40, 3, 4);
    assertClose(cka(x, other), ckaBruteForce(x, other), 1e-5);
  });

  it('uses the Gram form when features outnumber samples, with the same value', () => {
    const x = gaussianRows(10, 30, 5);
    const y = gaussianRows(10, 4, 6);
    assertClose(cka(x, y), ckaBruteForce(x, y), 1e-5);
    assert.throws(
      () => linearCka(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([4, 2]) as tf.Tensor2D),
      RangeError,
    );
  });
});

describe('effective rank', () => {
  it('is r for r equal singular values, both forms', () => {
    const r = effectiveRanksFromSingularValues([2, 2, 2, 0, 0]);
    assertClose(r.entropyRank, 3, 1e-12);
    assertClose(r.participationRatio, 3, 1e-12);
  });

  it('matches hand values for singular values (3, 1): exp(H(3/4, 1/4)) and 100/82', () => {
    const r = effectiveRanksFromSingularValues([1, 3]);
    assertClose(r.entropyRank, Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))), 1e-12);
    assertClose(r.participationRatio, 100 / 82, 1e-12);
    assert.deepEqual(r.singularValues, [3, 1]);
  });

  it('of a representation: singular values of the centred matrix (ml-matrix SVD), exact rank 2 recovered', () => {
    const a = new Matrix(gaussianRows(30, 2, 7));
    const b = new Matrix(gaussianRows(2, 8, 8));
    const rank2 = a.mmul(b).add(Matrix.ones(30, 8)); // the constant offset disappears when centred
    const ranks = withTensor(rank2.to2DArray(), representationEffectiveRank);
    const centred = rank2.clone().subRowVector(rank2.mean('column'));
    const s = new SingularValueDecomposition(centred).diagonal;
    const expected = effectiveRanksFromSingularValues(s.map((v) => (v > 1e-9 ? v : 0)));
    assertClose(ranks.entropyRank, expected.entropyRank, 1e-4);
    assertClose(ranks.participationRatio, expected.participationRatio, 1e-4);
    assert.ok(ranks.entropyRank > 1 && ranks.entropyRank <= 2 + 1e-9, `entropy rank ${ranks.entropyRank}`);
    assert.equal(ranks.singularValues.filter((v) => v > 0).length, 2);
  });
});

describe('RepresentationCheckpoint', () => {
  it('compares later representations with the captured one and leaks nothing after dispose', () => {
    const before = tf.memory().numTensors;
    const checkpoint = new RepresentationCheckpoint();
    const x = gaussianRows(20, 4, 9);
    const y = gaussianRows(20, 4, 10);
    tf.tidy(() => checkpoint.capture(tf.tensor2d(x)));
    assert.ok(checkpoint.captured);
    assertClose(
      tf.tidy(() => checkpoint.cka(tf.tensor2d(x).mul(2) as tf.Tensor2D)),
      1,
      1e-5,
    );
    assertClose(
      tf.tidy(() => checkpoint.cka(tf.tensor2d(y))),
      ckaBruteForce(x, y),
      1e-5,
    );
    checkpoint.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => checkpoint.cka(tf.zeros([20, 4]) as tf.Tensor2D));
  });
});
