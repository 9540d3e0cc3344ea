import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  angleBetweenParameters,
  gradientNormsPerLayer,
  parameterNormsPerLayer,
  ParameterUpdateTracker,
} from '../../src/observables/norms';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

/** Runs `body` and checks it left no tensor behind. */
function noLeak<T>(body: () => T): T {
  const before = tf.memory().numTensors;
  const out = body();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return out;
}

const randomMatrix = (rows: number, cols: number, seed: number) => {
  const normal = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, normal));
};
const frobenius = (m: number[][]) => Math.sqrt(m.flat().reduce((s, v) => s + v * v, 0));

describe('norms observables', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('parameterNormsPerLayer: Frobenius norm per tensor and the total', () => {
    const a = randomMatrix(5, 7, 1);
    const tensors = [
      tf.tensor1d([3, 4]),
      tf.tensor2d([
        [0, 0],
        [0, 12],
      ]),
      tf.tensor2d(a),
    ];
    const { perLayer, total } = noLeak(() => parameterNormsPerLayer(tensors));
    assertRelClose(perLayer[0], 5, 1e-7);
    assertRelClose(perLayer[1], 12, 1e-7);
    assertRelClose(perLayer[2], frobenius(a), 1e-6);
    assertRelClose(total, Math.sqrt(169 + frobenius(a) ** 2), 1e-6);
    tf.dispose(tensors);
  });

  it('gradientNormsPerLayer: the norms of the explicit gradient of 1/2 ||A W1 W2 - B||^2', () => {
    // Brute force in plain JS: with R = A W1 W2 - B, dL/dW1 = A^T R W2^T and dL/dW2 = (A W1)^T R.
    const A = randomMatrix(6, 4, 2);
    const W1 = randomMatrix(4, 3, 3);
    const W2 = randomMatrix(3, 2, 4);
    const B = randomMatrix(6, 2, 5);
    const mm = (x: number[][], y: number[][]) =>
      x.map((row) => y[0].map((_, j) => row.reduce((s, v, k) => s + v * y[k][j], 0)));
    const tr = (x: number[][]) => x[0].map((_, j) => x.map((row) => row[j]));
    const AW1 = mm(A, W1);
    const R = mm(AW1, W2).map((row, i) => row.map((v, j) => v - B[i][j]));
    const g1 = mm(mm(tr(A), R), tr(W2));
    const g2 = mm(tr(AW1), R);
    const [a, b] = [tf.tensor2d(A), tf.tensor2d(B)];
    const params = [tf.variable(tf.tensor2d(W1)), tf.variable(tf.tensor2d(W2))];
    const loss = ([w1, w2]: tf.Tensor[]) =>
      a.matMul(w1).matMul(w2).sub(b).square().sum().mul(0.5) as tf.Scalar;
    const { perLayer, total } = noLeak(() => gradientNormsPerLayer(loss, params));
    assertRelClose(perLayer[0], frobenius(g1), 1e-5);
    assertRelClose(perLayer[1], frobenius(g2), 1e-5);
    assertRelClose(total, Math.hypot(frobenius(g1), frobenius(g2)), 1e-5);
    tf.dispose([a, b, ...params]);
  });

  it('angleBetweenParameters: known angles, scale invariance, and float32 precision at tiny angles', () => {
    const e = (v: number[]) => tf.tensor1d(v);
    const a = [e([1, 0]), e([1, 0, 0]), e([2, 2]), e([1, 2, 3])];
    const b = [e([1, 1]), e([0, 5, 0]), e([-1, -1]), e([10, 20, 30])];
    const angles = noLeak(() => angleBetweenParameters(a, b));
    assertRelClose(angles[0], Math.PI / 4, 1e-6);
    assertRelClose(angles[1], Math.PI / 2, 1e-6);
    assertRelClose(angles[2], Math.PI, 1e-6);
    assert.ok(Math.abs(angles[3]) < 1e-6, `parallel vectors: ${angles[3]}`);
    // theta = 1e-4 between two 1000-dim vectors: arccos of a float32 cosine could not resolve it.
    const normal = gaussian(6);
    const u = Array.from({ length: 1000 }, normal);
    const un = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
    const r = Array.from({ length: 1000 }, normal);
    const proj = r.reduce((s, v, i) => s + v * u[i], 0) / (un * un);
    const p = r.map((v, i) => v - proj * u[i]);
    const pn = Math.sqrt(p.reduce((s, v) => s + v * v, 0));
    const theta = 1e-4;
    const v = u.map((x, i) => Math.cos(theta) * x + (Math.sin(theta) * (p[i] * un)) / pn);
    const [tu, tv] = [e(u), e(v)];
    const [tiny] = noLeak(() => angleBetweenParameters([tu], [tv]));
    assertRelClose(tiny, theta, 0.02);
    tf.dispose([...a, ...b, tu, tv]);
  });

  it('ParameterUpdateTracker: update norm lr ||g||, relative update, angle of one SGD step, and no leak', () => {
    const w = tf.variable(tf.tensor2d(randomMatrix(4, 3, 7)));
    const x = tf.tensor2d(randomMatrix(8, 4, 8));
    const lr = 0.05;
    const loss = () => x.matMul(w).square().sum() as tf.Scalar;
    const before = tf.memory().numTensors;
    const tracker = new ParameterUpdateTracker();
    assert.throws(() => tracker.measure([w]), /no snapshot/);
    tracker.snapshot([w]);
    const w0 = w.arraySync() as number[][];
    const { perLayer: g } = gradientNormsPerLayer(() => loss(), [w]);
    tf.tidy(() => {
      const grad = tf.grad(() => loss())(w);
      w.assign(w.sub(grad.mul(lr)));
    });
    const reading = tracker.measure([w], { resnapshot: true });
    assertRelClose(reading.updateNorms[0], lr * g[0], 1e-5);
    assertRelClose(reading.relativeUpdates[0], (lr * g[0]) / frobenius(w0), 1e-5);
    assertRelClose(reading.paramNorms[0], frobenius(w.arraySync() as number[][]), 1e-6);
    assertRelClose(reading.totalRelativeUpdate, reading.relativeUpdates[0], 1e-12);
    // The angle from the explicit vectors.
    const w1 = (w.arraySync() as number[][]).flat();
    const flat0 = w0.flat();
    const cos =
      flat0.reduce((s, v, i) => s + v * w1[i], 0) /
      (Math.sqrt(flat0.reduce((s, v) => s + v * v, 0)) * Math.sqrt(w1.reduce((s, v) => s + v * v, 0)));
    assertRelClose(reading.angles[0], Math.acos(cos), 1e-3);
    // After resnapshot, nothing has moved.
    const again = tracker.measure([w]);
    assert.equal(again.updateNorms[0], 0);
    assert.equal(again.relativeUpdates[0], 0);
    tracker.dispose();
    assert.equal(tf.memory().numTensors, before, 'the tracker leaked or freed a foreign tensor');
    assert.throws(() => tracker.measure([w]), /no snapshot/);
    tf.dispose([w, x]);
  });

  it('rejects mismatched lists', () => {
    const a = [tf.zeros([2, 2])];
    assert.throws(() => angleBetweenParameters(a, []), /expected 1 tensors, got 0/);
    assert.throws(
      () => angleBetweenParameters(a, [tf.zeros([4])]),
      /tensor 0: shape \[2,2\] differs from \[4\]/,
    );
  });
});
