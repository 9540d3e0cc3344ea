import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { broadcastLayout } from '../../src/runner/native/kernels/elementwise';
import { BLAS_BACKEND, type BlasBackend } from '../../src/runner/native/blasBackend';
import { BufferPool, ROW_MIN, SMALL_LENGTH } from '../../src/runner/native/bufferPool';
import { assertAgrees, t, useBlasBackend } from './nativeAgreement';

describe('the native blas backend agrees with the CPU backend: element-wise, reductions, copies', function () {
  useBlasBackend();

  describe('element-wise and reduction kernels', () => {
    // Tiled past the size under which kernels stay on the CPU backend (TINY), so that the native ones run.
    const special = () =>
      tf.tile(tf.tensor1d([-3, -1, -0.5, 0, 0.5, 1, 3, NaN, Infinity, -Infinity, 1e-30, 40]), [3]);

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
          // Above the size under which trailing-axis reductions stay on the CPU kernel.
          const x = t([6, 7, 8], 70);
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

  it("relativeGap: max |a - b| / max |b| in one pass, NaN for a NaN anywhere (replay's proof)", async () => {
    await tf.setBackend(BLAS_BACKEND);
    const { native } = tf.backend() as BlasBackend;
    // Lengths around the vector widths, and one long enough for every unrolled path.
    for (const n of [1, 7, 16, 33, 100003]) {
      const b = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3 - 4);
      const a = b.map((v, i) => v + (i === n - 1 ? -0.25 : i % 5 === 0 ? 0.125 : 0));
      const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const gap = 0.25; // the last element's; the others differ by 0.125 or not at all
      assert.ok(Math.abs(native.relativeGap!(a, b) - gap / scale) < 1e-6 * (gap / scale), `n=${n}`);
      for (const bad of [0, n - 1]) {
        const withNaN = a.slice();
        withNaN[bad] = NaN;
        assert.ok(Number.isNaN(native.relativeGap!(withNaN, b)), `NaN at ${bad} of ${n}`);
        assert.ok(Number.isNaN(native.relativeGap!(b, withNaN)), `NaN at ${bad} of ${n}, other side`);
      }
    }
    assert.equal(native.relativeGap!(new Float32Array(4), new Float32Array(4)), 0);
    assert.throws(() => native.relativeGap!(new Float32Array(3), new Float32Array(4)), /lengths differ/);
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

    // Per-example gradients flattened into rows, stacked into a Jacobian (src/observables/ntk.ts's way).
    const row = (i: number) =>
      tf.concat([t([32, 40], 110 + i).reshape([-1]), t([40], 120 + i), t([1], 130 + i)]);

    it('a Jacobian stacked from concatenated rows, its Gram matrix, and stacks of slices', () =>
      assertAgrees('jacobian', () => {
        const rows = [0, 1, 2, 3, 4].map(row);
        const j = tf.stack(rows);
        const sliced = tf.unstack(j);
        return [j, j.matMul(j, false, true), tf.stack([sliced[3], sliced[1]]), tf.concat([rows[2], rows[3]])];
      }));

    it('stacks such rows as a view of them, which later rows do not overwrite', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const backend = tf.backend() as BlasBackend;
      const buffer = (x: tf.Tensor) => (backend.data.get(x.dataId).values as Float32Array).buffer;
      const kept = tf.tidy(() => {
        const rows = [0, 1, 2].map(row);
        const j = tf.stack(rows);
        assert.equal(buffer(j), buffer(rows[0]), 'the stack is a view of the rows');
        const expected = rows.map((r) => Array.from(r.dataSync()));
        return { j: tf.keep(j), expected };
      });
      for (let i = 0; i < 10; i++) tf.tidy(() => tf.stack([row(40 + i), row(50 + i)]).add(1));
      assert.deepEqual(kept.j.arraySync(), kept.expected);
      kept.j.dispose();
    });
  });

  describe('buffer reuse', () => {
    it('a slice of a tensor keeps its values after the tensor and later results are disposed', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const kept = tf.tidy(() => {
        const product = tf.matMul(t([8, 8], 80), t([8, 8], 81));
        const expected = Array.from(product.dataSync()).slice(8, 16);
        return { slice: tf.keep(product.slice([1, 0], [1, 8])), expected };
      });
      for (let i = 0; i < 20; i++) tf.tidy(() => tf.matMul(t([8, 8], 82 + i), t([8, 8], 83)).add(1));
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

describe('which tensors the native kernels take', function () {
  useBlasBackend();

  it('leaves tiny tensors and small trailing-axis reductions to the CPU kernels, and takes the rest', async () => {
    await tf.setBackend(BLAS_BACKEND);
    const backend = tf.backend() as BlasBackend & { native: Record<string, unknown> };
    const native = backend.native;
    const calls: string[] = [];
    const spy =
      (name: string) =>
      (...args: unknown[]) => {
        calls.push(name);
        return (native[name] as (...a: unknown[]) => unknown)(...args);
      };
    // The addon's functions are read-only: the backend gets a spying copy for the test.
    backend.native = { ...native, unary: spy('unary'), binary: spy('binary'), reduce: spy('reduce') };
    try {
      const count = (f: () => tf.Tensor) => {
        calls.length = 0;
        tf.tidy(f);
        return calls.length;
      };
      assert.equal(
        count(() => t([4, 4], 1).square()),
        0,
      );
      assert.equal(
        count(() => t([4, 4], 2).add(t([4, 4], 3))),
        0,
      );
      assert.equal(
        count(() => t([16, 16], 4).sum()),
        0,
      );
      assert.equal(
        count(() => t([5, 5], 5).square()),
        1,
      );
      assert.equal(
        count(() => t([4, 5], 6).add(1)),
        1,
      );
      assert.equal(
        count(() => t([40, 40], 7).sum()),
        1,
      );
      assert.equal(
        count(() => t([16, 16], 8).sum(0)),
        1,
      );
    } finally {
      backend.native = native;
    }
  });
});

describe('the buffer pool', () => {
  it('hands a released buffer out again, only after the last view of it is released', () => {
    const pool = new BufferPool();
    const a = pool.alloc(100);
    pool.retain(a);
    const view = a.subarray(10, 20);
    pool.retain(view);
    pool.release(a);
    assert.notEqual(pool.alloc(100).buffer, a.buffer);
    pool.release(view);
    assert.equal(pool.alloc(100).buffer, a.buffer);
  });

  it('owns only what it allocated: not small arrays, user arrays, nor copies made from its arrays', () => {
    const pool = new BufferPool();
    const a = pool.alloc(100);
    assert.ok(pool.owns(a) && pool.owns(a.subarray(1)));
    assert.ok(!pool.owns(a.slice()));
    assert.ok(!pool.owns(new Float32Array(100)));
    assert.ok(!pool.owns(pool.alloc(SMALL_LENGTH)));
    pool.retain(a);
    pool.release(a.slice());
    pool.release(a);
    assert.equal(pool.alloc(100).buffer, a.buffer);
  });
});

describe('the buffer pool: runs of rows', () => {
  const rowsOf = (pool: BufferPool, n: number, length = ROW_MIN) =>
    Array.from({ length: n }, () => {
      const r = pool.allocRow(length);
      pool.retain(r);
      return r;
    });

  it('carves rows back to back, spans them in one view, and starts over once none is in use', () => {
    const pool = new BufferPool();
    const rows = rowsOf(pool, 3);
    for (let i = 1; i < 3; i++) {
      assert.equal(rows[i].buffer, rows[0].buffer);
      assert.equal(rows[i].byteOffset, rows[i - 1].byteOffset + rows[i - 1].byteLength);
    }
    const span = pool.span(rows)!;
    assert.ok(span && pool.owns(span));
    assert.deepEqual(
      [span.buffer, span.byteOffset, span.length],
      [rows[0].buffer, rows[0].byteOffset, 3 * ROW_MIN],
    );
    pool.retain(span);
    rows.forEach((r) => pool.release(r));
    // The span still uses the run: the next row comes after it.
    const [next] = rowsOf(pool, 1);
    assert.equal(next.byteOffset, rows[2].byteOffset + rows[2].byteLength);
    pool.release(next);
    pool.release(span);
    assert.equal(rowsOf(pool, 1)[0].byteOffset, rows[0].byteOffset);
  });

  it('spans nothing out of order, repeated, from separate buffers, or of a single part', () => {
    const pool = new BufferPool();
    const rows = rowsOf(pool, 3);
    const [a, b] = [pool.alloc(ROW_MIN), pool.alloc(ROW_MIN)];
    assert.equal(pool.span([rows[1], rows[0]]), undefined);
    assert.equal(pool.span([rows[0], rows[0]]), undefined);
    assert.equal(pool.span([rows[0], rows[2]]), undefined);
    assert.equal(pool.span([a, b]), undefined);
    assert.equal(pool.span([rows[0]]), undefined);
    assert.equal(pool.span([new Float32Array(ROW_MIN), new Float32Array(ROW_MIN)]), undefined);
  });

  it('a full run hands over to a new one, and a stack wider than a run makes later runs hold it', () => {
    const pool = new BufferPool(undefined, undefined, undefined, 4 * 4 * ROW_MIN);
    const first = rowsOf(pool, 6);
    assert.notEqual(first[4].buffer, first[0].buffer);
    assert.equal(pool.span(first), undefined);
    first.forEach((r) => pool.release(r));
    const second = rowsOf(pool, 6);
    assert.ok(pool.span(second));
    // None in use: the larger run starts over.
    second.forEach((r) => pool.release(r));
    assert.equal(rowsOf(pool, 1)[0].byteOffset, second[0].byteOffset);
  });

  it('never hands out a released run as an ordinary buffer while it is open', () => {
    const pool = new BufferPool(undefined, undefined, undefined, 4 * 4 * ROW_MIN);
    const [r] = rowsOf(pool, 1);
    pool.release(r);
    assert.notEqual(pool.alloc(4 * ROW_MIN).buffer, r.buffer);
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
