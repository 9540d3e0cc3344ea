import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Matrix } from 'ml-matrix';
import {
  empiricalNtk,
  NtkDrift,
  ntkJacobian,
  ntkSpectrum,
  ntkTargetAlignment,
  type NtkModelFn,
} from '../../src/observables/ntk';
import { gaussian } from './gaussian';

function assertMatrixClose(actual: number[][], expected: number[][], rel: number, what = ''): void {
  const scale = Math.max(...expected.flat().map(Math.abs));
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `${what}: row ${i} length`);
    row.forEach((v, j) => {
      const err = Math.abs(v - expected[i][j]) / scale;
      assert.ok(err <= rel, `${what}[${i}][${j}]: ${v} vs ${expected[i][j]} (error ${err} of the scale)`);
    });
  });
}

const draw = (seed: number, rows: number, cols: number) => {
  const random = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => random()));
};

/** A tiny tanh MLP in NTK parameterization, f(x) = v^T tanh(W x / sqrt(d) + b) / sqrt(m), as tfjs and as plain JS. */
const mlp: NtkModelFn = ([w, b, v], x) => {
  const d = x.shape[1]!;
  const m = w.shape[1]!;
  return x.matMul(w).div(Math.sqrt(d)).add(b).tanh().matMul(v).div(Math.sqrt(m)).reshape([-1]);
};
function mlpPlain(theta: number[], x: number[], d: number, m: number): number {
  let f = 0;
  for (let j = 0; j < m; j++) {
    let h = theta[d * m + j]; // b_j
    for (let k = 0; k < d; k++) h += (x[k] * theta[k * m + j]) / Math.sqrt(d); // W[k][j], row-major
    f += (theta[d * m + m + j] * Math.tanh(h)) / Math.sqrt(m); // v_j
  }
  return f;
}

describe('ntk observables', () => {
  it('gives exactly X X^T for a linear model f(w, x) = x w', () => {
    const xs = draw(1, 5, 3);
    const k = tf.tidy(() =>
      empiricalNtk(
        ([w], x) => x.matMul(w).reshape([-1]),
        [tf.tensor2d(draw(2, 3, 1))],
        tf.tensor2d(xs),
      ).arraySync(),
    );
    const expected = new Matrix(xs).mmul(new Matrix(xs).transpose()).to2DArray();
    assertMatrixClose(k, expected, 1e-6, 'linear NTK');
  });

  it('gives the cross kernel X1 X2^T and the block kernel (x_i . x_j) delta_ab for k outputs', () => {
    const x1 = draw(3, 4, 3);
    const x2 = draw(4, 2, 3);
    const linear: NtkModelFn = ([w], x) => x.matMul(w);
    const [cross, block] = tf.tidy(() => {
      const w = tf.tensor2d(draw(5, 3, 2)); // 2 outputs
      return [
        empiricalNtk(
          ([v], x) => x.matMul(v).reshape([-1]),
          [tf.tensor2d(draw(6, 3, 1))],
          tf.tensor2d(x1),
          tf.tensor2d(x2),
        ).arraySync(),
        empiricalNtk(linear, [w], tf.tensor2d(x1)).arraySync(),
      ];
    });
    assertMatrixClose(cross, new Matrix(x1).mmul(new Matrix(x2).transpose()).to2DArray(), 1e-6, 'cross');
    const gram = new Matrix(x1).mmul(new Matrix(x1).transpose());
    const expected = Array.from({ length: 8 }, (_, r) =>
      Array.from({ length: 8 }, (__, s) => (r % 2 === s % 2 ? gram.get(r >> 1, s >> 1) : 0)),
    );
    assertMatrixClose(block, expected, 1e-6, 'two-output block kernel');
  });

  it('matches J J^T with J from float64 central differences on a tiny tanh MLP', () => {
    const d = 3;
    const m = 4;
    const xs = draw(7, 5, d);
    const w = draw(8, d, m);
    const b = draw(9, 1, m)[0].map((v) => 0.3 * v);
    const v = draw(10, m, 1);
    const theta = [...w.flat(), ...b, ...v.flat()];
    const eps = 1e-6;
    const jacobian = xs.map((x) =>
      theta.map((_, p) => {
        const plus = theta.slice();
        const minus = theta.slice();
        plus[p] += eps;
        minus[p] -= eps;
        return (mlpPlain(plus, x, d, m) - mlpPlain(minus, x, d, m)) / (2 * eps);
      }),
    );
    const expected = new Matrix(jacobian).mmul(new Matrix(jacobian).transpose()).to2DArray();
    const [k, jac] = tf.tidy(() => {
      const params = [tf.tensor2d(w), tf.tensor1d(b), tf.tensor2d(v)];
      return [
        empiricalNtk(mlp, params, tf.tensor2d(xs)).arraySync(),
        ntkJacobian(mlp, params, tf.tensor2d(xs)).arraySync(),
      ];
    });
    assertMatrixClose(jac, jacobian, 1e-5, 'Jacobian');
    assertMatrixClose(k, expected, 1e-5, 'NTK');
  });

  it('leaks no tensor (the Gram matrix is the only tensor it returns)', () => {
    const params = [tf.tensor2d(draw(11, 3, 4)), tf.zeros([4]), tf.tensor2d(draw(12, 4, 1))];
    const x = tf.tensor2d(draw(13, 6, 3));
    const before = tf.memory().numTensors;
    const k = empiricalNtk(mlp, params, x);
    assert.equal(tf.memory().numTensors, before + 1);
    k.dispose();
    const drift = new NtkDrift(mlp, params, x);
    drift.relativeChange(params);
    drift.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([...params, x]);
  });

  it('lists a symmetric matrix eigenvalues in descending order', () => {
    assert.deepEqual(
      ntkSpectrum([
        [2, 1],
        [1, 2],
      ]).map((v) => +v.toFixed(12)),
      [3, 1],
    );
    const a = new Matrix(draw(14, 6, 4));
    const gram = a.mmul(a.transpose());
    const values = ntkSpectrum(
      tf.tidy(() => tf.tensor2d(gram.to2DArray())),
      3,
    );
    assert.equal(values.length, 3);
    // Nonzero eigenvalues of A A^T are the squared singular values of A; the trace is their sum.
    const trace = gram.trace();
    const all = ntkSpectrum(gram.to2DArray());
    assert.ok(Math.abs(all.reduce((s, x) => s + x, 0) - trace) < 1e-4 * trace);
    assert.ok(Math.abs(all[4]) < 1e-4 * all[0] && Math.abs(all[5]) < 1e-4 * all[0], 'rank 4');
    assert.ok(values[0] >= values[1] && values[1] >= values[2]);
  });

  it('computes Cristianini alignment: 1 for K = y y^T, 1/sqrt(n) for K = I', () => {
    const y = [1, -2, 0.5, 3];
    const yyT = y.map((a) => y.map((b) => a * b));
    assert.ok(Math.abs(ntkTargetAlignment(yyT, y, { centered: false }) - 1) < 1e-12);
    const eye = Matrix.eye(4).to2DArray();
    assert.ok(Math.abs(ntkTargetAlignment(eye, y, { centered: false }) - 0.5) < 1e-12);
  });

  it('centers the kernel as THEORY.md entry 23 writes it: brute force C K C, and blind to K + alpha 1 1^T', () => {
    const a = new Matrix(draw(15, 5, 3));
    const k = a.mmul(a.transpose()).to2DArray();
    const y = draw(16, 5, 2); // two target columns: Y Y^T
    const n = 5;
    const c = (i: number, j: number) => (i === j ? 1 : 0) - 1 / n;
    const kc = k.map((_, i) =>
      k.map((__, j) => {
        let s = 0;
        for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) s += c(i, p) * k[p][q] * c(q, j);
        return s;
      }),
    );
    const yy = y.map((r) => y.map((s) => r[0] * s[0] + r[1] * s[1]));
    const inner = kc.flat().reduce((s, v, i) => s + v * yy.flat()[i], 0);
    const norm = (m: number[][]) => Math.sqrt(m.flat().reduce((s, v) => s + v * v, 0));
    const expected = inner / (norm(kc) * norm(yy));
    const centered = ntkTargetAlignment(k, y);
    assert.ok(Math.abs(centered - expected) < 1e-12, `${centered} vs ${expected}`);
    const shifted = k.map((row) => row.map((v) => v + 7));
    assert.ok(Math.abs(ntkTargetAlignment(shifted, y) - expected) < 1e-12, 'centered ignores a constant');
    assert.ok(
      Math.abs(ntkTargetAlignment(shifted, y, { centered: false }) - expected) > 1e-3,
      'uncentered does not',
    );
  });

  it('tracks the relative kernel change: 0 for a linear model, 3 when a quadratic model doubles its weights', () => {
    const x = tf.tensor2d(draw(17, 4, 3));
    const linear: NtkModelFn = ([w], z) => z.matMul(w).reshape([-1]);
    const w0 = tf.tensor2d(draw(18, 3, 1));
    const w1 = tf.tensor2d(draw(19, 3, 1));
    const lin = new NtkDrift(linear, [w0], x);
    assert.ok(lin.relativeChange([w1]) < 1e-6);
    // f = (x . w)^2 / 2 has J_i = (x_i . w) x_i, so K scales as |w|^2: doubling w multiplies K by 4.
    const quadratic: NtkModelFn = ([w], z) => z.matMul(w).square().div(2).reshape([-1]);
    const quad = new NtkDrift(quadratic, [w0], x);
    const w2 = tf.mul(w0, 2);
    assert.ok(Math.abs(quad.relativeChange([w2]) - 3) < 1e-5);
    const k = empiricalNtk(quadratic, [w2], x);
    assert.ok(Math.abs(quad.relativeChangeOf(k) - 3) < 1e-5);
    tf.dispose([x, w0, w1, w2, k]);
    lin.dispose();
    quad.dispose();
  });
});
