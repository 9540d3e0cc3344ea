import assert from 'node:assert/strict';
import { bucketEdges, downsample, type Downsampled } from '../../src/series/downsample';

/** A small deterministic generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noisySeries(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rand = random(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let step = 0;
  for (let i = 0; i < n; i++) {
    step += 1 + Math.floor(rand() * 3); // uneven spacing, ascending
    x[i] = step;
    y[i] = Math.exp(-step / 2000) + 0.3 * (rand() - 0.5) + (rand() < 0.002 ? 5 : 0); // decay, noise, spikes
  }
  return { x, y };
}

/**
 * The reference: each sample assigned to its bucket by a direct search over edges computed here from the
 * closed form (min + (max - min) k / n, or min (max / min)^(k / n)), the last bucket closed on the right;
 * then min, max and arithmetic (or geometric) means by plain loops.
 */
function referenceBuckets(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  min: number,
  max: number,
  n: number,
  opts: { xLog?: boolean; yLog?: boolean } = {},
): Array<{ x: number; y: number; lo: number; hi: number; count: number }> {
  const edge = (k: number) => (opts.xLog ? min * (max / min) ** (k / n) : min + ((max - min) * k) / n);
  const members: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < x.length; i++) {
    if (x[i] < min || x[i] > max || !Number.isFinite(y[i]) || (opts.yLog && y[i] <= 0)) continue;
    let k = 0;
    while (k < n - 1 && x[i] >= edge(k + 1)) k++;
    members[k].push(i);
  }
  return members
    .filter((m) => m.length > 0)
    .map((m) => {
      const ys = m.map((i) => y[i]);
      const meanY = opts.yLog
        ? Math.exp(ys.reduce((s, v) => s + Math.log(v), 0) / ys.length)
        : ys.reduce((s, v) => s + v, 0) / ys.length;
      return {
        x: m.reduce((s, i) => s + x[i], 0) / m.length,
        y: meanY,
        lo: Math.min(...ys),
        hi: Math.max(...ys),
        count: m.length,
      };
    });
}

/** The bucket points of a result (count > 0), i.e. without the kept first/last/outside samples. */
function bucketPoints(d: Downsampled) {
  return d.count
    .map((count, i) => ({ x: d.x[i], y: d.y[i], lo: d.lo[i], hi: d.hi[i], count }))
    .filter((p) => p.count > 0);
}

function assertClose(actual: number, expected: number, relTol: number, what: string): void {
  const tol = relTol * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected} +- ${tol}, got ${actual}`);
}

describe('bucketEdges', () => {
  it('spaces linear edges evenly from min to max', () => {
    assert.deepEqual([...bucketEdges(10, 20, 4, false)], [10, 12.5, 15, 17.5, 20]);
  });

  it('spaces log edges by a constant ratio and ends exactly at max', () => {
    const edges = bucketEdges(1, 1e6, 6, true);
    for (let k = 0; k <= 6; k++) assertClose(edges[k], 10 ** k, 1e-12, `edge ${k}`);
    assert.equal(edges[6], 1e6);
  });

  it('names the bad value of a precondition', () => {
    assert.throws(() => bucketEdges(0, 10, 4, true), /log bucket edges need min > 0, got 0/);
    assert.throws(() => bucketEdges(0, 10, 0, false), /integer >= 1, got 0/);
  });
});

describe('downsample', () => {
  it('matches the hand-worked example of its documentation', () => {
    const d = downsample([0, 1, 2, 3, 4, 5], [5, 1, 4, 2, 3, 0], { buckets: 2 });
    assert.deepEqual(d.x, [0, 1, 4, 5]);
    assert.deepEqual(d.lo, [5, 1, 0, 0]);
    assert.deepEqual(d.hi, [5, 5, 3, 0]);
    assert.deepEqual(d.count, [0, 3, 3, 0]);
    assertClose(d.y[1], 10 / 3, 1e-15, 'mean of 5, 1, 4');
    assertClose(d.y[2], 5 / 3, 1e-15, 'mean of 2, 3, 0');
  });

  it('agrees with a direct reference on linear buckets (means to 1e-12 relative, min/max exactly)', () => {
    const { x, y } = noisySeries(20_000, 1);
    const d = downsample(x, y, { buckets: 137 });
    const ref = referenceBuckets(x, y, x[0], x[x.length - 1], 137);
    const got = bucketPoints(d);
    assert.equal(got.length, ref.length);
    got.forEach((p, i) => {
      assert.equal(p.count, ref[i].count, `count of bucket ${i}`);
      assert.equal(p.lo, ref[i].lo, `min of bucket ${i}`);
      assert.equal(p.hi, ref[i].hi, `max of bucket ${i}`);
      assertClose(p.x, ref[i].x, 1e-12, `mean x of bucket ${i}`);
      assertClose(p.y, ref[i].y, 1e-12, `mean y of bucket ${i}`);
    });
  });

  it('agrees with the reference on log-spaced buckets with a geometric mean on a log y axis', () => {
    const rand = random(2);
    const x = Float64Array.from({ length: 5000 }, (_, i) => 0.5 + i * 1.37 + rand() * 0.01);
    const y = x.map((v) => 3 * v ** -0.7 * (1 + 0.2 * rand()));
    const d = downsample(x, y, { buckets: 64, xLog: true, yLog: true });
    const ref = referenceBuckets(x, y, x[0], x[x.length - 1], 64, { xLog: true, yLog: true });
    const got = bucketPoints(d);
    assert.equal(got.length, ref.length);
    got.forEach((p, i) => {
      assert.equal(p.count, ref[i].count, `count of bucket ${i}`);
      assertClose(p.y, ref[i].y, 1e-12, `geometric mean of bucket ${i}`);
      assert.equal(p.lo, ref[i].lo);
      assert.equal(p.hi, ref[i].hi);
    });
  });

  it('on ln y (yLn) draws the same points as on y with a log axis, up to rounding (1e-12 relative)', () => {
    const rand = random(5);
    const x = Float64Array.from({ length: 3000 }, (_, i) => i + 1);
    const y = x.map((v) => v ** -1.5 * (1 + rand()));
    const direct = downsample(x, y, { buckets: 40, yLog: true });
    const viaLn = downsample(x, y.map(Math.log), { buckets: 40, yLn: true });
    assert.deepEqual(viaLn.x, direct.x);
    assert.deepEqual(viaLn.count, direct.count);
    for (const key of ['y', 'lo', 'hi'] as const) {
      direct[key].forEach((v, i) => assertClose(viaLn[key][i], v, 1e-12, `${key}[${i}]`));
    }
  });

  it('puts every sample inside the min/max envelope of the bucket that summarises it', () => {
    const { x, y } = noisySeries(50_000, 3);
    const d = downsample(x, y, { buckets: 300 });
    let i = 0;
    for (const p of bucketPoints(d)) {
      for (let j = 0; j < p.count; j++, i++) {
        assert.ok(y[i] >= p.lo && y[i] <= p.hi, `sample ${i} = ${y[i]} outside [${p.lo}, ${p.hi}]`);
      }
      assert.ok(p.y >= p.lo && p.y <= p.hi, 'the mean lies inside the envelope');
    }
    assert.equal(i, x.length, 'the buckets summarise every sample once, in order');
    assert.equal(d.samples, x.length);
    assert.ok(d.reduced);
    assert.ok(d.x.length <= 300 + 2, `at most buckets + 2 points, got ${d.x.length}`);
  });

  it('keeps the first and last samples exactly, so the curve ends at the latest value', () => {
    const { x, y } = noisySeries(10_000, 4);
    const d = downsample(x, y, { buckets: 50 });
    assert.equal(d.x[0], x[0]);
    assert.equal(d.y[0], y[0]);
    assert.equal(d.x.at(-1), x[x.length - 1]);
    assert.equal(d.y.at(-1), y[y.length - 1]);
    for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1], 'x stays strictly ascending');
  });

  it('returns every sample unreduced when there are no more than the bucket count', () => {
    const d = downsample([1, 2, 3], [4, 5, 6], { buckets: 3 });
    assert.deepEqual(d, {
      x: [1, 2, 3],
      y: [4, 5, 6],
      lo: [4, 5, 6],
      hi: [4, 5, 6],
      count: [1, 1, 1],
      samples: 3,
      hidden: { x: 0, y: 0 },
      nonFinite: 0,
      reduced: false,
    });
  });

  it('counts samples <= 0 on log axes per axis instead of dropping them silently', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [1, -1, 2, 0, 3, 4];
    const d = downsample(x, y, { buckets: 10, xLog: true, yLog: true });
    assert.deepEqual(d.hidden, { x: 1, y: 2 }, 'x = 0 hidden on x; y = -1 and y = 0 hidden on y');
    assert.deepEqual(d.x, [2, 4, 5]);
    const many = downsample(
      Float64Array.from({ length: 1000 }, (_, i) => i),
      Float64Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 0 : i)),
      { buckets: 20, xLog: true, yLog: true },
    );
    assert.deepEqual(many.hidden, { x: 1, y: 99 }, 'x = 0 counted once, on x only');
    assert.equal(many.samples, 900);
    assert.ok(many.lo.every((v) => v > 0));
  });

  it('skips non-finite values without poisoning their bucket and counts them', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Float64Array.from({ length: 100 }, (_, i) => (i === 5 ? NaN : i === 6 ? Infinity : 1));
    const d = downsample(x, y, { buckets: 10 });
    assert.equal(d.nonFinite, 2);
    assert.ok(d.y.every((v) => v === 1) && d.lo.every((v) => v === 1) && d.hi.every((v) => v === 1));
  });

  it('restricts to the range, buckets over it, and adds the nearest sample outside each side', () => {
    const x = Float64Array.from({ length: 1001 }, (_, i) => i);
    const y = x.map((v) => v * 2);
    const d = downsample(x, y, { buckets: 10, range: { min: 100.5, max: 300 } });
    assert.equal(d.samples, 200, 'steps 101..300 inclusive');
    assert.equal(d.x[0], 100, 'outside neighbour on the left');
    assert.equal(d.x.at(-1), 301, 'outside neighbour on the right');
    assert.equal(d.x[1], 101, 'first visible sample kept');
    assert.equal(d.x.at(-2), 300, 'last visible sample kept (inclusive bound)');
    assert.equal(bucketPoints(d).length, 10);
    const ref = referenceBuckets(x, y, 100.5, 300, 10);
    bucketPoints(d).forEach((p, i) => assert.equal(p.count, ref[i].count, `count of bucket ${i}`));
  });

  it('envelopes a band with its min lo and max hi instead of the line itself', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => i);
    const y = x.map(() => 1);
    const lo = x.map((v) => 0.5 - v / 100);
    const hi = x.map((v) => 1.5 + v / 100);
    const d = downsample(x, y, { buckets: 4, band: { lo, hi } });
    const buckets = bucketPoints(d);
    // buckets hold samples 0-9, 10-19, 20-29, 30-39; lo falls with x, so its minimum is each bucket's last
    [0.41, 0.31, 0.21, 0.11].forEach((v, k) => assertClose(buckets[k].lo, v, 1e-15, `min lo of bucket ${k}`));
    assert.ok(buckets.every((p) => p.y === 1));
    assertClose(buckets[3].hi, 1.5 + 0.39, 1e-15, 'max hi of the last bucket');
  });

  it('handles an empty series and a single repeated x', () => {
    assert.equal(downsample([], [], { buckets: 5 }).x.length, 0);
    const d = downsample([7, 7, 7, 7], [1, 2, 3, 4], { buckets: 2 });
    assert.deepEqual([d.x, d.y, d.lo, d.hi], [[7], [2.5], [1], [4]]);
  });

  it('rejects a descending x, a length mismatch and a bad bucket count, naming the value', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => (i === 7 ? 0 : i));
    assert.throws(() => downsample(x, new Float64Array(10), { buckets: 2 }), /x\[7\] = 0 comes after 6/);
    assert.throws(() => downsample([1, 2], [1], { buckets: 2 }), /x has 2 samples but y has 1/);
    assert.throws(() => downsample([1], [1], { buckets: 1.5 }), /buckets must be an integer >= 1, got 1.5/);
  });
});
