import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  BalanceDriftTracker,
  layerBalanceGaps,
  layerBalanceMatrices,
  layerBalanceNorms,
  neuronBalance,
} from '../../src/observables/balance';
import { gaussian } from './gaussian';

type M = number[][];

function randomMatrix(rows: number, cols: number, next: () => number, scale = 1): M {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * next()));
}
const transpose = (a: M): M => a[0].map((_, j) => a.map((row) => row[j]));
const matMul = (a: M, b: M): M =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const sumSq = (v: number[]) => v.reduce((s, x) => s + x * x, 0);

function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  what = '',
): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= atol,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]} (atol ${atol})`,
    );
  }
}

/** Brute force in float64: delta_j = ||row j of W_l||^2 + b_j^2 - ||column j of W_{l+1}||^2 (outIn layout). */
function bruteNeuronBalance(ws: M[], bs: (number[] | null)[] = []): number[] {
  const out: number[] = [];
  for (let l = 0; l + 1 < ws.length; l++) {
    ws[l].forEach((row, j) => {
      out.push(sumSq(row) + (bs[l]?.[j] ?? 0) ** 2 - sumSq(ws[l + 1].map((r) => r[j])));
    });
  }
  return out;
}

describe('balance observables', () => {
  const next = gaussian(7);
  // outIn layout: W1 [5, 3], W2 [4, 5], W3 [2, 4]; hidden widths 5 and 4.
  const ws = [randomMatrix(5, 3, next), randomMatrix(4, 5, next, 0.5), randomMatrix(2, 4, next, 2)];
  const bs = [randomMatrix(1, 5, next)[0], randomMatrix(1, 4, next)[0], null];

  it('neuronBalance and layerBalanceGaps match a float64 brute force, with and without biases', () => {
    const delta = bruteNeuronBalance(ws);
    const deltaB = bruteNeuronBalance(ws, bs);
    tf.tidy(() => {
      const t = ws.map((w) => tf.tensor2d(w));
      const tb = bs.map((b) => (b ? tf.tensor1d(b) : null));
      assertAllClose(neuronBalance(t).dataSync(), delta, 1e-5, 'delta');
      assertAllClose(neuronBalance(t, { biases: tb }).dataSync(), deltaB, 1e-5, 'delta with biases');
      const gaps = [-delta.slice(0, 5).reduce((a, b) => a + b), -delta.slice(5).reduce((a, b) => a + b)];
      assertAllClose(layerBalanceGaps(t).dataSync(), gaps, 1e-5, 'D');
      // D_l = ||W_{l+1}||^2 - ||W_l||^2 directly.
      assertAllClose(
        layerBalanceGaps(t).dataSync(),
        [0, 1].map((l) => sumSq(ws[l + 1].flat()) - sumSq(ws[l].flat())),
        1e-5,
        'D as norms',
      );
    });
  });

  it('gives the same values for the tfjs layout [in, out] (transposed weights)', () => {
    tf.tidy(() => {
      const outIn = ws.map((w) => tf.tensor2d(w));
      const inOut = ws.map((w) => tf.tensor2d(transpose(w)));
      const tb = bs.map((b) => (b ? tf.tensor1d(b) : null));
      assertAllClose(
        neuronBalance(inOut, { layout: 'inOut', biases: tb }).dataSync(),
        neuronBalance(outIn, { biases: tb }).dataSync(),
        1e-6,
      );
      assertAllClose(
        layerBalanceNorms(inOut, { layout: 'inOut' }).dataSync(),
        layerBalanceNorms(outIn).dataSync(),
        1e-5,
      );
    });
  });

  it('layerBalanceMatrices is W_{l+1}^T W_{l+1} - W_l W_l^T - b_l b_l^T, and its norm the Frobenius norm', () => {
    const expected = [0, 1].map((l) => {
      const a = matMul(transpose(ws[l + 1]), ws[l + 1]);
      const b = matMul(ws[l], transpose(ws[l]));
      return a.map((row, i) => row.map((v, j) => v - b[i][j] - bs[l]![i] * bs[l]![j]));
    });
    tf.tidy(() => {
      const t = ws.map((w) => tf.tensor2d(w));
      const ms = layerBalanceMatrices(t, { biases: bs.map((b) => (b ? tf.tensor1d(b) : null)) });
      ms.forEach((m, l) => assertAllClose(m.dataSync(), expected[l].flat(), 1e-5, `M_${l}`));
      // Diagonal of M_l (no bias) = -delta_j; norms are Frobenius.
      const plain = layerBalanceMatrices(t);
      const delta = bruteNeuronBalance(ws);
      assertAllClose(
        Array.from({ length: 5 }, (_, j) => -plain[0].arraySync()[j][j]),
        delta.slice(0, 5),
        1e-5,
        'diag',
      );
      assertAllClose(
        layerBalanceNorms(t).dataSync(),
        plain.map((m) => Math.sqrt(sumSq(Array.from(m.dataSync())))),
        1e-4,
        'norms',
      );
    });
  });

  it('reads conv kernels per channel ([kh, kw, in, out] in the tfjs layout)', () => {
    tf.tidy(() => {
      const k1 = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 1);
      const k2 = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 2);
      const a = k1.arraySync() as number[][][][];
      const b = k2.arraySync() as number[][][][];
      const expected = Array.from({ length: 4 }, (_, j) => {
        let inNorm = 0;
        let outNorm = 0;
        for (let y = 0; y < 3; y++)
          for (let x = 0; x < 3; x++) {
            for (let i = 0; i < 2; i++) inNorm += a[y][x][i][j] ** 2;
            for (let o = 0; o < 5; o++) outNorm += b[y][x][j][o] ** 2;
          }
        return inNorm - outNorm;
      });
      assertAllClose(neuronBalance([k1, k2], { layout: 'inOut' }).dataSync(), expected, 1e-4);
    });
  });

  it('rejects layers whose widths do not chain', () => {
    tf.tidy(() => {
      const bad = [tf.zeros([5, 3]), tf.zeros([4, 6])];
      assert.throws(() => neuronBalance(bad), RangeError);
      assert.throws(() => layerBalanceMatrices(bad), RangeError);
      assert.throws(() => layerBalanceMatrices([tf.zeros([2, 2, 1, 1]), tf.zeros([2, 2])]), RangeError);
    });
  });
});

describe('BalanceDriftTracker', () => {
  /** A bias-carrying 3-layer ReLU net in the tfjs layout, trained by hand with GD and weight decay. */
  function trainRelu(steps: number, lr: number, weightDecay: number) {
    const x = tf.randomNormal([32, 6], 0, 1, 'float32', 3);
    const y = tf.randomNormal([32, 2], 0, 1, 'float32', 4);
    const variable = (shape: number[], std: number, seed: number) =>
      tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, 'float32', seed)));
    const weights = [variable([6, 16], 0.8, 5), variable([16, 8], 0.3, 6), variable([8, 2], 0.5, 7)];
    const biases = [variable([16], 0.5, 8), variable([8], 0.5, 9)];
    const params = [...weights, ...biases];
    const loss = () => {
      const h1 = tf.relu(x.matMul(weights[0]).add(biases[0]));
      const h2 = tf.relu(h1.matMul(weights[1]).add(biases[1]));
      return h2.matMul(weights[2]).sub(y).square().mean() as tf.Scalar;
    };
    const options = { layout: 'inOut' as const, biases };
    const tracker = new BalanceDriftTracker(weights, options);
    const d0 = tf.tidy(() => layerBalanceGaps(weights, options).arraySync());
    const keep = Math.fround(1 - lr * weightDecay);
    for (let t = 0; t < steps; t++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss, params);
        const g = params.map((p) => grads[p.name]);
        tracker.record({ grads: g.slice(0, 3), biasGrads: g.slice(3), lr, weightDecay: (1 - keep) / lr });
        params.forEach((p, i) => p.assign(p.mul(keep).sub(g[i].mul(lr))));
      });
    }
    const result = tf.tidy(() => ({
      measured: layerBalanceGaps(weights, options).arraySync(),
      predicted: tracker.predictedGaps().arraySync(),
      conserved: tracker.conservedGaps().arraySync(),
      measuredDrift: tracker.measuredDrift(weights).arraySync(),
      predictedDrift: tracker.predictedDrift().arraySync(),
      measuredNeurons: neuronBalance(weights, options).arraySync(),
      predictedNeurons: tracker.predictedNeuronBalance().arraySync(),
      d0,
      decay: tracker.decayFactor,
    }));
    tracker.dispose();
    [x, y, ...params].forEach((t) => t.dispose());
    return result;
  }

  it('predicts D_l and every delta_j after 80 GD steps with weight decay from the recorded gradients', () => {
    const r = trainRelu(80, 0.2, 0.05);
    r.measuredDrift.forEach((drift, l) => {
      // The drift must be far above the agreement we ask for, or the test could not fail.
      assert.ok(Math.abs(drift) > 1e-2, `pair ${l}: drift ${drift} is too small to test`);
      assert.ok(
        Math.abs(r.predictedDrift[l] - drift) <= 1e-3 * Math.abs(drift),
        `pair ${l}: drift ${drift} vs predicted ${r.predictedDrift[l]}`,
      );
      assert.ok(
        Math.abs(r.predicted[l] - r.measured[l]) <= 1e-5 * Math.abs(r.measured[l]) + 1e-5,
        `pair ${l}: D ${r.measured[l]} vs predicted ${r.predicted[l]}`,
      );
    });
    assertAllClose(r.predictedNeurons, r.measuredNeurons, 1e-4, 'delta_j');
    // The gradient-flow law is the decayed initial value, and misses exactly the drift.
    assertAllClose(
      r.conserved,
      r.d0.map((d) => d * r.decay),
      1e-4,
      'conserved',
    );
    assertAllClose(
      r.measured.map((d, l) => d - r.conserved[l]),
      r.measuredDrift,
      1e-4,
      'drift',
    );
  });

  it('drifts by O(lr^2) per step: halving lr quarters the drift after one step', () => {
    const drift = [0.1, 0.05].map((lr) => trainRelu(1, lr, 0).measuredDrift);
    drift[0].forEach((d, l) => {
      const ratio = d / drift[1][l];
      assert.ok(Math.abs(ratio - 4) < 0.01, `pair ${l}: ratio ${ratio}`);
    });
  });

  it('is exact for the matrix law of a linear net: M(t+1) - M(t) = lr^2 (G2^T G2 - G1 G1^T)', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([20, 4], 0, 1, 'float32', 11);
      const y = tf.randomNormal([20, 3], 0, 1, 'float32', 12);
      const w = [tf.randomNormal([4, 6], 0, 1, 'float32', 13), tf.randomNormal([6, 3], 0, 1, 'float32', 14)];
      const lr = 0.3;
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => x.matMul(a).matMul(b).sub(y).square().mean())(w);
      const next = w.map((v, i) => v.sub(grads[i].mul(lr)));
      const before = layerBalanceMatrices(w, { layout: 'inOut' })[0];
      const after = layerBalanceMatrices(next, { layout: 'inOut' })[0];
      const predicted = layerBalanceMatrices(grads, { layout: 'inOut' })[0].mul(lr * lr);
      const change = after.sub(before);
      const scale = predicted.abs().max().dataSync()[0];
      assert.ok(scale > 1e-2, `the lr^2 term ${scale} must be visible`);
      assertAllClose(change.dataSync(), predicted.dataSync(), 1e-3 * scale, 'Delta M');
    });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    trainRelu(3, 0.1, 0.1);
    tf.tidy(() => {
      const t = [tf.ones([3, 2]), tf.ones([4, 3])];
      neuronBalance(t);
      layerBalanceGaps(t);
      layerBalanceNorms(t);
      layerBalanceMatrices(t);
    });
    assert.equal(tf.memory().numTensors, before);
  });
});
