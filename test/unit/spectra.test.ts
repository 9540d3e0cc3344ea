import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import seedrandom from 'seedrandom';
import {
  fitMarchenkoPastur,
  fitPowerLawTail,
  spectrumNormMetrics,
  weightSpectrum,
} from '../../src/observables/spectra';
import {
  heavyTailRegime,
  marchenkoPasturCdf,
  marchenkoPasturDensity,
  marchenkoPasturEdges,
  marchenkoPasturTopEigenvalue,
} from '../../src/theory/heavyTails';
import { gaussian } from './gaussian';

function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} +- ${tol}, got ${actual}`);
}

/** n samples of the continuous Pareto law p(x) = (alpha - 1) xmin^(alpha-1) x^-alpha, x >= xmin (inverse CDF). */
function pareto(n: number, alpha: number, xmin: number, seed: string): number[] {
  const u = seedrandom(seed);
  return Array.from({ length: n }, () => xmin * (1 - u()) ** (-1 / (alpha - 1)));
}

function gaussianMatrix(rows: number, cols: number, sd: number, seed: number): number[][] {
  const g = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => sd * g()));
}

/** The spectrum of a matrix given as rows, through a tensor disposed afterwards. */
function spectrumOf(rows: number[][]) {
  const t = tf.tensor2d(rows);
  try {
    return weightSpectrum(t);
  } finally {
    t.dispose();
  }
}

describe('fitPowerLawTail (WeightWatcher WWFit)', () => {
  it('reproduces a hand-derived WWFit scan on [1, 2, 4, 8]', () => {
    // x_min = 1: alpha = 1 + 4 / (6 ln 2), D = max_j |1 - 2^(-j (alpha-1)) - j/4| = 3/4 - e^(-2/3) (at j = 1);
    // x_min = 2: alpha = 1 + 1/ln 2, D = 2/3 - e^-1;   x_min = 4: alpha = 1 + 2/ln 2, D = 1/2 - e^-2.
    const fit = fitPowerLawTail([8, 1, 4, 2]);
    const ln2 = Math.LN2;
    assert.deepEqual(fit.scan.xmin, [1, 2, 4]);
    [1 + 2 / (3 * ln2), 1 + 1 / ln2, 1 + 2 / ln2].forEach((a, i) => assertClose(fit.scan.alpha[i], a, 1e-12));
    [0.75 - Math.exp(-2 / 3), 2 / 3 - Math.exp(-1), 0.5 - Math.exp(-2)].forEach((d, i) =>
      assertClose(fit.scan.ks[i], d, 1e-12, `D_${i}`),
    );
    assert.equal(fit.xmin, 1);
    assertClose(fit.alpha, 1 + 2 / (3 * ln2), 1e-12);
    assertClose(fit.ks, 0.75 - Math.exp(-2 / 3), 1e-12);
    assertClose(fit.sigma, (fit.alpha - 1) / 2, 1e-12);
    assert.equal(fit.nTail, 4);
    assertClose(fit.alphaWeighted, fit.alpha * Math.log10(8), 1e-12);
  });

  it('recovers alpha of samples drawn from a Pareto law: the MLE within 4 standard errors, the scan close by', () => {
    for (const alpha of [2, 3.5, 5]) {
      const n = 4000;
      const fit = fitPowerLawTail(pareto(n, alpha, 1, `pareto ${alpha}`));
      // The candidate x_min = smallest sample is the plain MLE on all n points, SE (alpha - 1)/sqrt(n).
      assertClose(fit.scan.alpha[0], alpha, (4 * (alpha - 1)) / Math.sqrt(n), `MLE, alpha = ${alpha}`);
      // The KS-selected fit uses a smaller tail; it must stay within 4 of its own standard errors.
      assertClose(fit.alpha, alpha, 4 * fit.sigma, `scanned fit, alpha = ${alpha}`);
      assertClose(fit.sigma, (fit.alpha - 1) / Math.sqrt(fit.nTail), 1e-12);
      assert.ok(fit.xmin < 1.5, `x_min = ${fit.xmin} (true 1)`);
    }
  });

  it('picks the true x_min when a non-power-law body sits below it', () => {
    // Uniform body on [0.05, 2] (1500 points) below a Pareto tail from x_min = 2 with alpha = 2.5 (1500 points).
    const u = seedrandom('body');
    const body = Array.from({ length: 1500 }, () => 0.05 + 1.95 * u());
    const fit = fitPowerLawTail([...body, ...pareto(1500, 2.5, 2, 'tail')]);
    assert.ok(fit.xmin > 1.8 && fit.xmin < 2.6, `x_min = ${fit.xmin}`);
    assertClose(fit.alpha, 2.5, 0.25, 'alpha');
    // A fit forced to start at the smallest value (x_min = 0.05) is far worse by KS.
    assert.ok(fit.scan.ks[0] > 5 * fit.ks, `D(0.05) = ${fit.scan.ks[0]} vs D* = ${fit.ks}`);
  });

  it('restricts the data to [xmin, xmax] like WWFit before scanning, and drops values <= 0', () => {
    const fit = fitPowerLawTail([0, -1, 1, 2, 4, 8, 16], { xmin: 1.9, xmax: 9 });
    assert.deepEqual(fit.scan.xmin, [2, 4]);
    assert.throws(() => fitPowerLawTail([0, 3]), RangeError);
  });
});

describe('Marchenko-Pastur law', () => {
  it('has the edges sigma^2 (1 -+ 1/sqrt(Q))^2', () => {
    const { lambdaMinus, lambdaPlus } = marchenkoPasturEdges(2, 4);
    assertClose(lambdaMinus, 0.5, 1e-15);
    assertClose(lambdaPlus, 4.5, 1e-15);
    assert.throws(() => marchenkoPasturEdges(1, 0.5), RangeError);
  });

  it('its CDF matches a brute-force integral of the density, integrates to 1 and has mean sigma^2', () => {
    for (const q of [1.5, 4]) {
      const sigma2 = 0.3;
      const { lambdaMinus, lambdaPlus } = marchenkoPasturEdges(sigma2, q);
      // Midpoint rule with 2e5 cells (the sqrt edges converge slowly, so the tolerance is 1e-5).
      const cells = 200_000;
      const h = (lambdaPlus - lambdaMinus) / cells;
      let mass = 0;
      let mean = 0;
      const checkpoints = [0.25, 0.5, 0.75].map((f) => lambdaMinus + f * (lambdaPlus - lambdaMinus));
      const massAt: number[] = [];
      for (let i = 0; i < cells; i++) {
        const l = lambdaMinus + (i + 0.5) * h;
        const d = marchenkoPasturDensity(l, sigma2, q) * h;
        if (checkpoints.length > massAt.length && l > checkpoints[massAt.length]) massAt.push(mass);
        mass += d;
        mean += l * d;
      }
      assertClose(mass, 1, 1e-5, `mass, Q = ${q}`);
      assertClose(mean, sigma2, 1e-5, `mean, Q = ${q}`);
      checkpoints.forEach((l, k) =>
        assertClose(marchenkoPasturCdf(l, sigma2, q), massAt[k], 1e-4, `F(${l})`),
      );
      assert.equal(marchenkoPasturCdf(lambdaPlus * 1.01, sigma2, q), 1);
      assert.equal(marchenkoPasturCdf(lambdaMinus * 0.99, sigma2, q), 0);
    }
  });

  it('at Q = 1 (lambda_- = 0, density ~ lambda^-1/2) its CDF matches the density integrated in u = sqrt(lambda)', () => {
    // F(1) = int_0^1 rho(u^2) 2u du, a smooth integrand after the substitution: midpoint rule, 1e5 cells.
    let mass = 0;
    const cells = 100_000;
    const h = 1 / cells;
    for (let i = 0; i < cells; i++) {
      const u = (i + 0.5) * h;
      mass += marchenkoPasturDensity(u * u, 1, 1) * 2 * u * h;
    }
    assertClose(marchenkoPasturCdf(1, 1, 1), mass, 1e-6);
    // Closed form: F(1) = 1/3 + sqrt(3)/(2 pi) (integrate sqrt(4 - l)/(2 pi sqrt(l)) from 0 to 1).
    assertClose(marchenkoPasturCdf(1, 1, 1), 1 / 3 + Math.sqrt(3) / (2 * Math.PI), 1e-9);
  });
});

describe('weightSpectrum', () => {
  it('returns the squared singular values of W (ml-matrix SVD), oriented N >= M, and their /N version', () => {
    const rows = gaussianMatrix(7, 12, 1, 1); // wide: N = 12, M = 7 after transposing
    const spectrum = spectrumOf(rows);
    const svd = new SingularValueDecomposition(new Matrix(rows), { autoTranspose: true });
    const expected = svd.diagonal.map((s) => s * s).sort((a, b) => a - b);
    assert.equal(spectrum.n, 12);
    assert.equal(spectrum.m, 7);
    assertClose(spectrum.q, 12 / 7, 1e-15);
    expected.forEach((e, i) => assertClose(spectrum.eigenvalues[i], e, 1e-4 * expected[6]));
    spectrum.eigenvalues.forEach((e, i) => assertClose(spectrum.correlationEigenvalues[i], e / 12, 1e-12));
  });

  it('reshapes a conv kernel [kh, kw, in, out] to [kh kw in, out] and leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const kernel = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 3);
    const spectrum = weightSpectrum(kernel);
    assert.equal(spectrum.n, 36);
    assert.equal(spectrum.m, 5);
    const norm2 = tf.tidy(() => kernel.square().sum().dataSync()[0]);
    assertClose(
      spectrum.eigenvalues.reduce((s, v) => s + v, 0),
      norm2,
      1e-4 * norm2,
      'trace = ||W||_F^2',
    );
    kernel.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('summarizes the ESD as log_norm, stable rank and lambda_max', () => {
    const m = spectrumNormMetrics([1, 2, 7]);
    assertClose(m.logNorm, 1, 1e-15);
    assertClose(m.stableRank, 10 / 7, 1e-15);
    assert.equal(m.lambdaMax, 7);
  });
});

describe('fitMarchenkoPastur on random Gaussian matrices', () => {
  it('recovers sigma^2 with Q given, and both sigma^2 and Q when Q is fitted', function () {
    this.timeout(60_000);
    const sd = 0.7;
    const rows = gaussianMatrix(600, 200, sd, 7); // Q = 3
    const spectrum = spectrumOf(rows);
    const fixed = fitMarchenkoPastur(spectrum.correlationEigenvalues, { q: spectrum.q });
    assertClose(fixed.sigma2 / (sd * sd), 1, 0.02, 'sigma^2 (Q given)');
    assert.ok(fixed.ks < 0.05, `KS = ${fixed.ks}`);
    assertClose(fixed.lambdaPlus, marchenkoPasturEdges(fixed.sigma2, 3).lambdaPlus, 1e-12);
    const free = fitMarchenkoPastur(spectrum.correlationEigenvalues);
    assertClose(free.q / 3, 1, 0.15, 'Q (fitted)');
    assertClose(free.sigma2 / (sd * sd), 1, 0.03, 'sigma^2 (Q fitted)');
    assert.ok(free.aboveEdge <= 3, `${free.aboveEdge} eigenvalues above lambda_+`);
  });

  it('finds a spike above the bulk: a rank-one signal of strength well past the BBP threshold', () => {
    const rows = gaussianMatrix(400, 200, 1, 11);
    const g = gaussian(12);
    const u = Array.from({ length: 400 }, () => g() / Math.sqrt(400));
    const v = Array.from({ length: 200 }, () => g() / Math.sqrt(200));
    const spiked = rows.map((row, i) => row.map((w, j) => w + 60 * u[i] * v[j]));
    const spectrum = spectrumOf(spiked);
    const fit = fitMarchenkoPastur(spectrum.correlationEigenvalues, { q: 2 });
    assert.equal(fit.aboveEdge, 1);
    assertClose(fit.sigma2, 1, 0.05);
  });
});

describe('marchenkoPasturTopEigenvalue (Johnstone 2001)', () => {
  it('predicts the mean of lambda_max of Gaussian 200 x 100 matrices within 3 standard errors', () => {
    const reps = 30;
    const top = marchenkoPasturTopEigenvalue(200, 100, 1);
    const tops = Array.from({ length: reps }, (_, r) => {
      const spectrum = spectrumOf(gaussianMatrix(200, 100, 1, 100 + r));
      return spectrum.correlationEigenvalues[99];
    });
    const mean = tops.reduce((s, v) => s + v, 0) / reps;
    assertClose(mean, top.mean, (3 * top.sd) / Math.sqrt(reps), 'mean lambda_max');
    assert.ok(top.mean < top.lambdaPlus, 'the finite-N mean sits below the asymptotic edge');
  });
});

describe('heavyTailRegime', () => {
  it('classifies alpha by the Martin-Mahoney ranges', () => {
    assert.equal(heavyTailRegime(1.5), 'veryHeavy');
    assert.equal(heavyTailRegime(2), 'wellTrained');
    assert.equal(heavyTailRegime(4), 'wellTrained');
    assert.equal(heavyTailRegime(6), 'wellTrained');
    assert.equal(heavyTailRegime(8), 'randomLike');
  });
});
