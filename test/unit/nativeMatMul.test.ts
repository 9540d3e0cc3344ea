import * as tf from '@tensorflow/tfjs';
import { assertAgrees, t, useBlasBackend } from './nativeAgreement';

describe('the native blas backend agrees with the CPU backend: products and gradients', function () {
  useBlasBackend();

  describe('matrix products (forward)', () => {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      it(`matMul 7x5 by 5x9 with transposeA=${transposeA}, transposeB=${transposeB}`, () =>
        assertAgrees('matMul', () =>
          tf.matMul(
            t(transposeA ? [5, 7] : [7, 5], 1),
            t(transposeB ? [9, 5] : [5, 9], 2),
            transposeA,
            transposeB,
          ),
        ));
    }

    it('batched, and with a broadcast batch dimension on either side', async () => {
      await assertAgrees('batched', () => tf.matMul(t([3, 4, 5], 3), t([3, 5, 6], 4)));
      await assertAgrees('broadcast a', () => tf.matMul(t([1, 4, 5], 5), t([3, 5, 6], 6)));
      await assertAgrees('broadcast b', () => tf.matMul(t([2, 3, 4, 5], 7), t([5, 6], 8)));
      await assertAgrees('transposed batched', () =>
        tf.matMul(t([3, 5, 4], 9), t([3, 6, 5], 10), true, true),
      );
    });

    it('large enough to be split across threads, in every transpose', async () => {
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        const a = tA ? [300, 130] : [130, 300];
        const b = tB ? [70, 300] : [300, 70];
        await assertAgrees(`130x300x70 ${tA} ${tB}`, () => tf.matMul(t(a, 11), t(b, 12), tA, tB), 1e-5, 1e-5);
      }
    });

    it('a tensor times its own transpose (ssyrk), on one thread and split across two, and a^T a', async () => {
      await assertAgrees('a a^T', () => {
        const a = t([9, 7], 14);
        return [tf.matMul(a, a, false, true), tf.matMul(a, a, true, false)];
      });
      // Long rows split the inner dimension across threads (partial products summed); the odd lengths leave
      // a shorter last share. Short rows split a's rows instead.
      for (const shape of [
        [100, 3000],
        [37, 5001],
        [300, 400],
      ]) {
        await assertAgrees(
          `large a a^T, a ${shape.join('x')}`,
          () => {
            const a = t(shape, 15);
            return [tf.matMul(a, a, false, true), tf.matMul(a.transpose(), a.transpose(), true, false)];
          },
          1e-5,
          1e-4,
        );
      }
    });

    it('an empty inner dimension gives zeros and an empty outer one an empty result', async () => {
      await assertAgrees('k = 0', () => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])));
      await assertAgrees('m = 0', () => tf.matMul(tf.zeros([0, 3]), t([3, 4], 13)));
    });

    it('int32 products fall back to the CPU kernel', () =>
      assertAgrees('int32', () =>
        tf.matMul(tf.tensor2d([[1, 2]], [1, 2], 'int32'), tf.tensor2d([[3], [4]], [2, 1], 'int32')),
      ));
  });

  describe('fused products: bias and activation', () => {
    for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu', 'prelu'] as const) {
      it(`bias row + ${activation}`, () =>
        assertAgrees(
          activation,
          () =>
            tf.fused.matMul({
              a: t([6, 5], 20, 3),
              b: t([5, 8], 21, 3),
              bias: t([8], 22),
              activation,
              preluActivationWeights: activation === 'prelu' ? t([8], 23) : undefined,
              leakyreluAlpha: 0.1,
            }),
          2e-6,
          1e-6,
        ));
    }

    it('a scalar bias, a full-shape bias, a column bias (CPU fallback), and no bias', async () => {
      const product = (bias?: tf.Tensor) => () =>
        tf.fused.matMul({ a: t([6, 5], 24), b: t([5, 8], 25), bias, activation: 'relu' });
      await assertAgrees('scalar', product(tf.scalar(0.25)));
      await assertAgrees('full', () => product(t([6, 8], 26))());
      await assertAgrees('column', () => product(t([6, 1], 27))());
      await assertAgrees('none', product());
      await assertAgrees('transposed', () =>
        tf.fused.matMul({
          a: t([5, 6], 28),
          b: t([8, 5], 29),
          transposeA: true,
          transposeB: true,
          bias: t([8], 30),
          activation: 'relu',
        }),
      );
    });
  });

  describe('gradients of matmul-heavy graphs', () => {
    it('a small MLP with relu and tanh under softmax cross-entropy: loss and every parameter gradient', () =>
      assertAgrees('mlp', () => {
        const x = t([16, 8], 40);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
        const params = [
          t([8, 32], 41, 0.5),
          t([32], 42, 0.1),
          t([32, 32], 43, 0.3),
          t([32], 44, 0.1),
          t([32, 4], 45, 0.3),
          t([4], 46, 0.1),
        ];
        const loss = (
          w1: tf.Tensor,
          b1: tf.Tensor,
          w2: tf.Tensor,
          b2: tf.Tensor,
          w3: tf.Tensor,
          b3: tf.Tensor,
        ) => {
          const h1 = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
          const h2 = tf.tanh(h1.matMul(w2).add(b2));
          return tf.losses.softmaxCrossEntropy(labels, h2.matMul(w3).add(b3)) as tf.Scalar;
        };
        const { value, grads } = tf.valueAndGrads(loss)(params);
        return [value, ...grads];
      }));

    it('batched products with transposed operands, through a squared-sum loss', () =>
      assertAgrees('batched grads', () => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, true, false).square().sum() as tf.Scalar;
        return tf.grads(f)([t([3, 5, 4], 50), t([3, 5, 6], 51)]);
      }));

    it('a fused product with bias and relu: gradients for a, b and the bias', () =>
      assertAgrees('fused grads', () => {
        const f = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
          tf.fused.matMul({ a, b, bias, activation: 'relu' }).square().mean() as tf.Scalar;
        return tf.grads(f)([t([12, 7], 52), t([7, 9], 53), t([9], 54)]);
      }));
  });
});
