import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { broadcastLayout } from '../../src/runner/native/kernels/elementwise';
import { BLAS_BACKEND } from '../../src/runner/native/blasBackend';
import { assertAgrees, t, useBlasBackend } from './nativeAgreement';

describe('the native blas backend agrees with the CPU backend: element-wise, reductions, copies', function () {
  useBlasBackend();

  describe('element-wise and reduction kernels', () => {
    const special = () => tf.tensor1d([-3, -1, -0.5, 0, 0.5, 1, 3, NaN, Infinity, -Infinity, 1e-30, 40]);

    it('unary kernels, including NaN, infinities and zero', () =>
      assertAgrees(
        'unary',
        () => {
          const x = special();
          const positive = x.abs();
          return [
            tf.relu(x),
            tf.step(x, 0.3),
            tf.tanh(x),
            tf.sigmoid(x),
            tf.exp(x),
            tf.log(positive),
            tf.sqrt(positive),
            tf.square(x),
            tf.neg(x),
            tf.abs(x),
            tf.rsqrt(positive),
            tf.reciprocal(x),
            tf.relu6(x),
            tf.elu(x),
            tf.leakyRelu(x, 0.1),
          ];
        },
        2e-6,
        1e-7,
      ));

    it('binary kernels over every broadcast layout, and one the addon leaves to the CPU', async () => {
      const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference];
      const pairs: [number[], number[]][] = [
        [
          [4, 5],
          [4, 5],
        ],
        [[4, 5], []],
        [[], [4, 5]],
        [[4, 5], [5]],
        [[5], [4, 5]],
        [
          [4, 5],
          [4, 1],
        ],
        [
          [4, 1],
          [4, 5],
        ],
        [
          [2, 3, 4],
          [1, 3, 1],
        ],
        [
          [4, 1],
          [1, 5],
        ],
      ];
      for (const [sa, sb] of pairs) {
        await assertAgrees(`${sa} with ${sb}`, () => ops.map((op) => op(t(sa, 60), t(sb, 61).add(2))));
      }
      await assertAgrees('NaN in max and min', () => [tf.maximum(special(), 0), tf.minimum(0, special())]);
    });

    it('large enough to be split across threads, with a broadcast row and column', () =>
      assertAgrees(
        'parallel',
        () => {
          const x = t([300, 301], 62);
          return [x.add(t([301], 63)), x.mul(t([300, 1], 64)), tf.tanh(x), x.mul(0.5)];
        },
        2e-6,
      ));

    it('sums, means, maxima and minima over leading, trailing, middle, all and non-contiguous axes', () =>
      assertAgrees(
        'reduce',
        () => {
          const x = t([3, 4, 5], 70);
          const out: tf.Tensor[] = [];
          for (const axis of [0, 2, 1, [0, 1], [1, 2], [0, 1, 2], [0, 2]]) {
            out.push(x.sum(axis), x.mean(axis, true), x.max(axis), x.min(axis));
          }
          out.push(t([500, 300], 71).sum(0), special().max(), special().min());
          return out;
        },
        1e-5,
        1e-6,
      ));
  });

  describe('concatenation', () => {
    it('concat along every axis, with an empty input, and stack along the first, middle and last axis', () =>
      assertAgrees('concat', () => {
        const [a, b] = [t([2, 3, 4], 100), t([2, 5, 4], 101)];
        return [
          tf.concat([t([2, 3, 4], 102), t([1, 3, 4], 103)], 0),
          tf.concat([a, b], 1),
          tf.concat([t([2, 3, 1], 104), t([2, 3, 4], 105)], -1),
          tf.concat([a, tf.zeros([2, 0, 4]), a], 1),
          tf.stack([a, a.add(1), a.mul(2)], 0),
          tf.stack([a, a.add(1)], 1),
          tf.stack([a, a.add(1)], 3),
          tf.concat([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3], 'int32')]),
        ];
      }));
  });

  describe('buffer reuse', () => {
    it('a slice of a tensor keeps its values after the tensor and later results are disposed', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const kept = tf.tidy(() => {
        const product = tf.matMul(t([4, 4], 80), t([4, 4], 81));
        const expected = Array.from(product.dataSync()).slice(4, 8);
        return { slice: tf.keep(product.slice([1, 0], [1, 4])), expected };
      });
      for (let i = 0; i < 20; i++) tf.tidy(() => tf.matMul(t([4, 4], 82 + i), t([4, 4], 83)).add(1));
      assert.deepEqual(Array.from(kept.slice.dataSync()), kept.expected);
      kept.slice.dispose();
    });

    it('dataSync returns a copy that later kernels do not overwrite', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const read = tf.tidy(() => tf.add(t([64], 90), 1).dataSync());
      const before = Array.from(read);
      for (let i = 0; i < 20; i++) tf.tidy(() => tf.add(t([64], 91 + i), 2));
      assert.deepEqual(Array.from(read), before);
    });

    it('leaves no tensors behind in a training step', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const w = tf.variable(t([8, 4], 95));
      const optimizer = tf.train.sgd(0.1);
      const step = () =>
        optimizer.minimize(
          () =>
            tf
              .matMul(t([16, 8], 96), w)
              .relu()
              .square()
              .mean() as tf.Scalar,
        );
      step();
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) step();
      assert.equal(tf.memory().numTensors, tensors);
      w.dispose();
      optimizer.dispose();
    });
  });
});

describe('broadcast layouts the native binary kernels cover', () => {
  it('repeats a row every n elements and a column n times, from either side', () => {
    assert.deepEqual(broadcastLayout([4, 5], [4, 5], [4, 5]), { inner: 1, swap: false });
    assert.deepEqual(broadcastLayout([4, 5], [5], [4, 5]), { inner: 1, swap: false });
    assert.deepEqual(broadcastLayout([4, 5], [4, 1], [4, 5]), { inner: 5, swap: false });
    assert.deepEqual(broadcastLayout([1, 5], [4, 5], [4, 5]), { inner: 1, swap: true });
    assert.deepEqual(broadcastLayout([2, 3, 4], [1, 3, 1], [2, 3, 4]), { inner: 4, swap: false });
    assert.deepEqual(broadcastLayout([], [4, 5], [4, 5]), { inner: 1, swap: true });
  });

  it('declines a broadcast on both sides or a pattern that is not one contiguous run', () => {
    assert.equal(broadcastLayout([4, 1], [1, 5], [4, 5]), undefined);
    assert.equal(broadcastLayout([2, 3, 4], [2, 1, 4], [2, 3, 4]), undefined);
  });
});
