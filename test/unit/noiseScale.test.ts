import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import {
  GradientNoiseScale,
  noiseScaleGradSq,
  noiseScaleTwoBatch,
  perExampleBNoise,
  perExampleNoiseScale,
} from '../../src/observables/noiseScale';
import { criticalBatchNoiseScales } from '../../src/theory/criticalBatch';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

/** A finite "dataset" of per-example gradient vectors (n x P) and its exact |G|^2, tr(Sigma). */
function dataset(n: number, p: number, seed: number) {
  const g = gaussian(seed);
  const mean = Array.from({ length: p }, () => 0.3 * g());
  const rows = Array.from({ length: n }, () => mean.map((m) => m + g() * 1.5));
  const gBar = mean.map((_, k) => rows.reduce((s, r) => s + r[k], 0) / n);
  const gradSq = gBar.reduce((s, x) => s + x * x, 0);
  const meanSq = rows.reduce((s, r) => s + r.reduce((a, x) => a + x * x, 0), 0) / n;
  return { rows, gradSq, traceSigma: meanSq - gradSq };
}

/** |G_B|^2 of a batch of B rows drawn uniformly with (or without) replacement. */
function batchGradSq(rows: number[][], batch: number, uniform: () => number, replace = true): number {
  const p = rows[0].length;
  const m = new Array<number>(p).fill(0);
  const pool = rows.map((_, i) => i);
  for (let b = 0; b < batch; b++) {
    let i: number;
    if (replace) i = Math.floor(uniform() * rows.length);
    else {
      const j = b + Math.floor(uniform() * (pool.length - b));
      [pool[b], pool[j]] = [pool[j], pool[b]];
      i = pool[b];
    }
    for (let k = 0; k < p; k++) m[k] += rows[i][k] / batch;
  }
  return m.reduce((s, x) => s + x * x, 0);
}

describe('noiseScaleTwoBatch', () => {
  it('inverts E|G_B|^2 = |G|^2 + tr(Sigma)/B exactly', () => {
    const gradSq = 2;
    const trace = 30;
    const est = noiseScaleTwoBatch(
      { batch: 4, gradSq: gradSq + trace / 4 },
      { batch: 64, gradSq: gradSq + trace / 64 },
    );
    assertRelClose(est.gradSq, 2, 1e-14);
    assertRelClose(est.traceSigma, 30, 1e-14);
  });

  it('rejects B_small >= B_big', () => {
    assert.throws(() => noiseScaleTwoBatch({ batch: 8, gradSq: 1 }, { batch: 8, gradSq: 1 }), RangeError);
  });
});

describe('GradientNoiseScale on sampled batches (Monte Carlo)', () => {
  const { rows, gradSq, traceSigma } = dataset(40, 6, 3);

  it('averages to the exact |G|^2, tr(Sigma) and B_simple of the dataset (batches with replacement)', () => {
    const uniform = seedrandom('noise:1');
    const scale = new GradientNoiseScale({ decay: 1 });
    for (let k = 0; k < 20000; k++)
      scale.update(
        { batch: 2, gradSq: batchGradSq(rows, 2, uniform) },
        { batch: 16, gradSq: batchGradSq(rows, 16, uniform) },
      );
    assertRelClose(scale.traceSigma, traceSigma, 0.02, 'tr Sigma');
    assertRelClose(scale.gradSq, gradSq, 0.05, '|G|^2');
    assertRelClose(scale.bSimple, traceSigma / gradSq, 0.06, 'B_simple');
  });

  it('underestimates tr(Sigma) by (n - B)/(n - 1) without replacement (the documented caveat)', () => {
    const uniform = seedrandom('noise:2');
    let sum = 0;
    const draws = 20000;
    for (let k = 0; k < draws; k++) sum += batchGradSq(rows, 16, uniform, false);
    const noise = sum / draws - gradSq;
    assertRelClose(noise, ((traceSigma / 16) * (40 - 16)) / 39, 0.03);
    assert.ok(noise < 0.7 * (traceSigma / 16));
  });
});

describe('GradientNoiseScale averaging', () => {
  it('is a bias-corrected EMA: constant estimates give that constant from the first update', () => {
    const scale = new GradientNoiseScale({ decay: 0.9 });
    assert.ok(Number.isNaN(scale.bSimple) && Number.isNaN(scale.gradSq));
    scale.add({ gradSq: 2, traceSigma: 10 });
    assertRelClose(scale.gradSq, 2, 1e-14);
    scale.add({ gradSq: 2, traceSigma: 10 });
    assertRelClose(scale.traceSigma, 10, 1e-14);
    assertRelClose(scale.bSimple, 5, 1e-14);
  });

  it('weighs recent estimates by decay^age, and decay = 1 is the plain mean', () => {
    const ema = new GradientNoiseScale({ decay: 0.5 });
    ema.add({ gradSq: 1, traceSigma: 4 });
    ema.add({ gradSq: 3, traceSigma: 0 });
    // weights 0.5 and 1: (0.5 * 1 + 3) / 1.5, (0.5 * 4 + 0) / 1.5
    assertRelClose(ema.gradSq, 3.5 / 1.5, 1e-14);
    assertRelClose(ema.traceSigma, 2 / 1.5, 1e-14);
    assertRelClose(ema.bSimple, 2 / 3.5, 1e-14);
    const mean = new GradientNoiseScale({ decay: 1 });
    [1, 2, 6].forEach((x) => mean.add({ gradSq: x, traceSigma: 2 * x }));
    assertRelClose(mean.gradSq, 3, 1e-14);
    mean.reset();
    assert.equal(mean.count, 0);
    assert.ok(Number.isNaN(mean.gradSq));
  });

  it('is NaN (not a negative batch size) while the |G|^2 average is <= 0', () => {
    const scale = new GradientNoiseScale();
    scale.add({ gradSq: -0.1, traceSigma: 5 });
    assert.ok(Number.isNaN(scale.bSimple));
  });
});

describe('perExampleNoiseScale and noiseScaleGradSq on a linear model', () => {
  // l_i = 1/2 (w.x_i + b - y_i)^2, g_i = r_i (x_i, 1): the per-example gradients in closed form.
  const n = 12;
  const g = gaussian(5);
  const x = Array.from({ length: n }, () => [g(), g(), g()]);
  const y = x.map(() => g());
  const w = [0.5, -1, 0.25];
  const b = 0.1;
  const perExample = x.map((xi, i) => {
    const r = xi.reduce((s, v, k) => s + v * w[k], b) - y[i];
    return [...xi.map((v) => r * v), r];
  });
  const gBar = [0, 1, 2, 3].map((k) => perExample.reduce((s, e) => s + e[k], 0) / n);
  const gradSq = gBar.reduce((s, v) => s + v * v, 0);
  const traceSigma = perExample.reduce((s, e) => s + e.reduce((a, v) => a + v * v, 0), 0) / n - gradSq;
  const xT = tf.tensor2d(x);
  const yT = tf.tensor2d(y, [n, 1]);
  const lossOn = (params: tf.Tensor[], xs: tf.Tensor, ys: tf.Tensor) =>
    xs.matMul(params[0]).add(params[1]).sub(ys).square().mean().mul(0.5) as tf.Scalar;

  it('matches the closed-form |G|^2, tr(Sigma) and B_simple, leaking nothing', () => {
    const params = [tf.tensor2d(w, [3, 1]), tf.tensor1d([b])];
    const before = tf.memory().numTensors;
    const exact = perExampleNoiseScale(
      (p, i) => lossOn(p, xT.slice([i, 0], [1, -1]), yT.slice([i, 0], [1, -1])),
      params,
      n,
    );
    assertRelClose(exact.gradSq, gradSq, 1e-5, '|G|^2');
    assertRelClose(exact.traceSigma, traceSigma, 1e-5, 'tr Sigma');
    assertRelClose(exact.bSimple, traceSigma / gradSq, 1e-5, 'B_simple');
    assertRelClose(
      noiseScaleGradSq((p) => lossOn(p, xT, yT), params),
      gradSq,
      1e-5,
      'full-batch |G|^2',
    );
    assert.equal(tf.memory().numTensors, before);
  });

  it('B_noise = tr(H Sigma)/(G^T H G) by HVPs matches the explicit matrices (H = mean x x^T)', () => {
    const params = [tf.tensor2d(w, [3, 1]), tf.tensor1d([b])];
    const xt = x.map((xi) => [...xi, 1]);
    const hessian = [0, 1, 2, 3].map((a) =>
      [0, 1, 2, 3].map((c) => xt.reduce((s, r) => s + r[a] * r[c], 0) / n),
    );
    const covariance = [0, 1, 2, 3].map((a) =>
      [0, 1, 2, 3].map((c) => perExample.reduce((s, e) => s + (e[a] - gBar[a]) * (e[c] - gBar[c]), 0) / n),
    );
    const want = criticalBatchNoiseScales({ gradient: gBar, hessian, covariance });
    const exampleLoss = (p: tf.Tensor[], i: number) =>
      lossOn(p, xT.slice([i, 0], [1, -1]), yT.slice([i, 0], [1, -1]));
    const got = perExampleBNoise(exampleLoss, (p) => lossOn(p, xT, yT), params, n);
    assertRelClose(got.bNoise, want.bNoise, 1e-3, 'B_noise');
    assertRelClose(got.bSimple, want.bSimple, 1e-5, 'B_simple');
    assertRelClose(got.curvature, want.curvature, 1e-3, 'G^T H G');
    assert.ok(Math.abs(want.bNoise - want.bSimple) > 0.05 * want.bSimple, 'the two scales differ here');
    // Subsampling tr(H Sigma) over 6 of the 12 examples is unbiased: its mean over 40 shuffles is the full value
    // within 4 standard errors.
    const sub = Array.from({ length: 40 }, (_, seed) =>
      perExampleBNoise(exampleLoss, (p) => lossOn(p, xT, yT), params, n, { samples: 6, seed }),
    );
    const mean = sub.reduce((acc, r) => acc + r.traceHSigma, 0) / sub.length;
    const sd = Math.sqrt(sub.reduce((acc, r) => acc + (r.traceHSigma - mean) ** 2, 0) / (sub.length - 1));
    const se = sd / Math.sqrt(sub.length);
    assert.ok(Math.abs(mean - got.traceHSigma) < 4 * se, `${mean} +- ${se} vs ${got.traceHSigma}`);
    assert.ok(
      sub.some((r) => Math.abs(r.traceHSigma / got.traceHSigma - 1) > 0.05),
      'subsamples vary',
    );
  });
});
