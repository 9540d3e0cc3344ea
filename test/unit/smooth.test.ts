import assert from 'node:assert/strict';
import { smoothEma, smoothEmaLn } from '../../src/series/smooth';
import { smoothIncrementally } from '../../src/series/smoothCache';

/**
 * The reference, written directly from the definition: smoothed_t is the weighted mean of the finite (and in
 * log space positive) samples seen so far, sample j weighted by (1 - w) w^(t - j), divided by the weight sum
 * 1 - w^(t + 1); computed in O(n^2) with Math.pow, independently of the recursive form.
 */
function referenceEma(y: number[], w: number, log = false): number[] {
  const kept: number[] = [];
  return y.map((v) => {
    const ok = log ? v > 0 && Number.isFinite(v) : Number.isFinite(v);
    if (!ok) return NaN;
    kept.push(log ? Math.log(v) : v);
    const t = kept.length - 1;
    let sum = 0;
    for (let j = 0; j <= t; j++) sum += (1 - w) * Math.pow(w, t - j) * kept[j];
    const s = sum / (1 - Math.pow(w, t + 1));
    return log ? Math.exp(s) : s;
  });
}

function assertAllClose(actual: ArrayLike<number>, expected: number[], relTol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i])) {
      assert.ok(Number.isNaN(actual[i]), `index ${i}: expected NaN, got ${actual[i]}`);
      continue;
    }
    const tol = relTol * Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `index ${i}: expected ${expected[i]} +- ${tol}, got ${actual[i]}`,
    );
  }
}

describe('smoothEma', () => {
  it('matches hand values: [1, 2, 3] at w = 0.5 is [1, 5/3, 17/7]', () => {
    assertAllClose(smoothEma([1, 2, 3], 0.5), [1, 5 / 3, 17 / 7], 1e-15);
  });

  it('is unbiased: a constant series smooths to itself from the first sample on', () => {
    assertAllClose(smoothEma(new Array(500).fill(4.2), 0.99), new Array(500).fill(4.2), 1e-12);
  });

  it('agrees with the direct weighted-mean reference on a noisy series (1e-12 relative)', () => {
    const y = Array.from({ length: 400 }, (_, i) => Math.exp(-i / 80) + 0.1 * Math.sin(i * 1.7));
    for (const w of [0, 0.3, 0.9, 0.99]) assertAllClose(smoothEma(y, w), referenceEma(y, w), 1e-12);
  });

  it('is the identity at w = 0', () => {
    assert.deepEqual([...smoothEma([3, -1, 7], 0)], [3, -1, 7]);
  });

  it('skips non-finite values without poisoning the average or advancing the debias count', () => {
    const got = smoothEma([1, NaN, 3, Infinity, -Infinity, 5], 0.5);
    assertAllClose(got, [1, NaN, 7 / 3, NaN, NaN, 27 / 7], 1e-15); // as [1, 3, 5]: s = 0.5, 1.75, 3.375
    assertAllClose(got, referenceEma([1, NaN, 3, Infinity, -Infinity, 5], 0.5), 1e-15);
  });

  it('is causal: appending samples leaves the earlier smoothed values unchanged', () => {
    const y = Array.from({ length: 50 }, (_, i) => Math.cos(i));
    const head = smoothEma(y.slice(0, 20), 0.8);
    assert.deepEqual([...smoothEma(y, 0.8).slice(0, 20)], [...head]);
  });

  it('in log space smooths ln y and exponentiates: [1, 100] at w = 0.5 is [1, 100^(2/3)]', () => {
    assertAllClose(smoothEma([1, 100], 0.5, { log: true }), [1, 100 ** (2 / 3)], 1e-13);
  });

  it('in log space follows a power law exactly where the arithmetic mean is biased upward', () => {
    const y = Array.from({ length: 300 }, (_, i) => (i + 1) ** -2);
    const log = smoothEma(y, 0.9, { log: true });
    const linear = smoothEma(y, 0.9);
    assertAllClose(log, referenceEma(y, 0.9, true), 1e-12);
    assert.ok(linear[299] > log[299], 'the arithmetic EMA sits above the geometric one on a convex decay');
  });

  it('in log space skips non-positive values and counts only the kept ones for the debias', () => {
    const y = [1, 0, -3, 100, NaN, 10];
    assertAllClose(smoothEma(y, 0.5, { log: true }), referenceEma(y, 0.5, true), 1e-13);
    assert.ok(Number.isNaN(smoothEma(y, 0.5, { log: true })[1]));
  });

  it('smoothEmaLn is the log-space EMA before exponentiation (1e-13 relative)', () => {
    const y = [2, 0, 3, -1, 50, NaN, 7];
    const ln = smoothEmaLn(y, 0.7);
    assertAllClose(ln, referenceEma(y, 0.7, true).map(Math.log), 1e-13);
  });

  it('rejects a weight outside [0, 1), naming it', () => {
    assert.throws(() => smoothEma([1], 1), /weight must be in \[0, 1\), got 1/);
    assert.throws(() => smoothEma([1], -0.1), /got -0.1/);
    assert.throws(() => smoothEma([1], NaN), /got NaN/);
    assert.throws(() => smoothEmaLn([1], 1.5), /got 1.5/);
  });
});

describe('smoothIncrementally', () => {
  /** A growing buffer handing out views of its filled part, as the host's live series do. */
  function growingViews(values: number[], sizes: number[]): Float64Array[] {
    const buffer = new Float64Array(values.length);
    buffer.set(values);
    return sizes.map((n) => buffer.subarray(0, n));
  }

  const values = Array.from({ length: 1000 }, (_, i) =>
    i % 97 === 0 ? NaN : Math.exp(-i / 300) + 0.05 * Math.sin(i),
  );

  it('extends the smoothing of a growing series to exactly the whole-series values', () => {
    for (const view of growingViews(values, [1, 10, 10, 400, 999, 1000])) {
      assert.deepEqual([...smoothIncrementally(view, 0.9, false)], [...smoothEma(view, 0.9)]);
    }
  });

  it('does the same in log space', () => {
    const positive = values.map((v) => v + 0.1);
    for (const view of growingViews(positive, [5, 500, 1000])) {
      assert.deepEqual([...smoothIncrementally(view, 0.8, true)], [...smoothEmaLn(view, 0.8)]);
    }
  });

  it('keeps separate state per weight and mode', () => {
    const [view] = growingViews(values, [600]);
    const a = [...smoothIncrementally(view, 0.5, false)];
    const b = [...smoothIncrementally(view, 0.99, false)];
    assert.deepEqual(a, [...smoothEma(view, 0.5)]);
    assert.deepEqual(b, [...smoothEma(view, 0.99)]);
  });

  it('starts over when the cached prefix no longer matches (a shorter or rewritten series)', () => {
    const data = Float64Array.from(values);
    smoothIncrementally(data, 0.9, false);
    data[999] = 42;
    assert.deepEqual([...smoothIncrementally(data, 0.9, false)], [...smoothEma(data, 0.9)]);
    const shorter = data.subarray(0, 300);
    assert.deepEqual([...smoothIncrementally(shorter, 0.9, false)], [...smoothEma(shorter, 0.9)]);
  });
});
