import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import seedrandom from 'seedrandom';
import {
  eigenlearningCurve,
  eigenlearningHypercubeSpectrum,
  eigenlearningKappa,
  eigenlearningKrrFit,
  eigenlearningLearnabilities,
  eigenlearningOverfittingCoefficient,
  eigenlearningPoolEigensystem,
  eigenlearningPrediction,
} from '../../src/theory/eigenlearning';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

const powerLaw = (modes: number, a: number) => Array.from({ length: modes }, (_, k) => (k + 1) ** -a);

describe('eigenlearningKappa', () => {
  it('solves the kappa equation: sum m lambda/(lambda + kappa) + delta/kappa = n', () => {
    const lambdas = powerLaw(500, 1.5);
    const mult = lambdas.map((_, i) => 1 + (i % 3));
    for (const [n, ridge] of [
      [3, 0],
      [50, 0],
      [50, 0.1],
      [400, 1e-3],
    ]) {
      const kappa = eigenlearningKappa(lambdas, n, { ridge, multiplicities: mult });
      const sum = lambdas.reduce((s, l, i) => s + (mult[i] * l) / (l + kappa), ridge / kappa);
      assertRelClose(sum, n, 1e-12, `n = ${n}, ridge = ${ridge}`);
    }
  });

  it('has the closed forms of small cases: two equal modes at n = 1 give kappa = 1; ridge only gives delta/n', () => {
    assertRelClose(eigenlearningKappa([1, 1], 1), 1, 1e-13);
    assertRelClose(eigenlearningKappa([2, 2, 2, 2], 1), 6, 1e-13); // 4 * 2/(2 + kappa) = 1
    assertRelClose(eigenlearningKappa([0], 4, { ridge: 2 }), 0.5, 1e-13);
  });

  it('tends to (sum lambda + delta)/n as n -> 0 (kappa >> every lambda)', () => {
    const lambdas = powerLaw(200, 2);
    const trace = lambdas.reduce((s, l) => s + l, 0);
    for (const ridge of [0, 0.3]) {
      const n = 1e-4;
      assertRelClose(eigenlearningKappa(lambdas, n, { ridge }), (trace + ridge) / n, 1e-3, `ridge ${ridge}`);
    }
    assert.equal(eigenlearningKappa(lambdas, 0), Infinity);
  });

  it('follows the large-n power law kappa ~ ((pi/a)/sin(pi/a) / (n + 1/2))^a for lambda_k = k^-a', () => {
    // sum_k 1/(1 + kappa k^a) ~ integral_0^inf dk/(1 + kappa k^a) - 1/2 = kappa^(-1/a) (pi/a)/sin(pi/a) - 1/2
    // (Euler-Maclaurin). For a = 3, n = 300, 2e5 modes, scipy's brentq on the same sum gives a relative
    // deviation of 1.9e-6 from this form (4.5e-3 without the 1/2).
    const a = 3;
    const lambdas = powerLaw(200_000, a);
    const n = 300;
    const c = Math.PI / a / Math.sin(Math.PI / a);
    assertRelClose(eigenlearningKappa(lambdas, n), (c / (n + 0.5)) ** a, 2e-5);
  });

  it('goes to 0 in the ridgeless interpolation limit n >= rank, and stays > 0 with a ridge', () => {
    const lambdas = [1, 0.5, 0.25, 0, 0];
    assert.equal(eigenlearningKappa(lambdas, 3), 0);
    assert.equal(eigenlearningKappa(lambdas, 10), 0);
    const justBelow = eigenlearningKappa(lambdas, 2.999);
    assert.ok(justBelow > 0 && justBelow < 1e-3, `kappa(n = 2.999) = ${justBelow}`);
    assert.ok(eigenlearningKappa(lambdas, 10, { ridge: 1e-3 }) > 0);
  });

  it('decreases in n and increases with the ridge', () => {
    const lambdas = powerLaw(300, 1.2);
    let previous = Infinity;
    for (const n of [1, 2, 5, 10, 50, 100, 250]) {
      const kappa = eigenlearningKappa(lambdas, n);
      assert.ok(kappa < previous, `n = ${n}`);
      assert.ok(eigenlearningKappa(lambdas, n, { ridge: 0.1 }) > kappa);
      previous = kappa;
    }
  });

  it('rejects negative inputs', () => {
    assert.throws(() => eigenlearningKappa([1, -1], 1), RangeError);
    assert.throws(() => eigenlearningKappa([1], -1), RangeError);
    assert.throws(() => eigenlearningKappa([1], 1, { ridge: -1 }), RangeError);
  });
});

describe('eigenlearningPrediction', () => {
  it('matches a hand computation: two equal modes, target on one, n = 1', () => {
    // kappa = 1, L = 1/2, E0 = 1/(1 - 2/4) = 2, test = 2 (1/4 * 1 + 0.1) = 0.7
    const p = eigenlearningPrediction({ eigenvalues: [1, 1], targetPower: [1, 0], noiseVariance: 0.1 }, 1);
    assertRelClose(p.kappa, 1, 1e-13);
    assert.deepEqual(
      p.learnabilities.map((l) => +l.toFixed(12)),
      [0.5, 0.5],
    );
    assertRelClose(p.overfittingCoefficient, 2, 1e-12);
    assertRelClose(p.testMse, 0.7, 1e-12);
    assertRelClose(p.learnability, 0.5, 1e-12);
    assert.equal(p.trainMse, 0); // ridgeless: interpolates
  });

  it('predicts the prior at n = 0 and the noise floor amplified by n/(n - R) past interpolation', () => {
    const problem = { eigenvalues: [1, 0.5], targetPower: [0.3, 0.2], noiseVariance: 0.05 };
    const zero = eigenlearningPrediction(problem, 0);
    assertRelClose(zero.testMse, 0.55, 1e-14);
    assert.equal(zero.overfittingCoefficient, 1);
    const past = eigenlearningPrediction(problem, 4);
    assert.equal(past.kappa, 0);
    assertRelClose(past.overfittingCoefficient, 2, 1e-14); // 4 / (4 - 2)
    assertRelClose(past.testMse, 0.1, 1e-14);
    assert.equal(eigenlearningPrediction(problem, 2).overfittingCoefficient, Infinity);
  });

  it('conserves learnability: sum_i m_i L_i = n - delta/kappa', () => {
    const eigenvalues = powerLaw(200, 1.3);
    const multiplicities = eigenvalues.map((_, i) => (i % 2) + 1);
    const targetPower = eigenvalues.map(() => 1 / 200);
    const p = eigenlearningPrediction({ eigenvalues, multiplicities, targetPower, ridge: 0.01 }, 40);
    const sum = p.learnabilities.reduce((s, l, i) => s + multiplicities[i] * l, 0);
    assertRelClose(sum, 40 - 0.01 / p.kappa, 1e-12);
    assertRelClose(p.trainMse, (0.01 / (40 * p.kappa)) ** 2 * p.testMse, 1e-12);
  });

  it('learning curve decreases in n for a noiseless target', () => {
    const eigenvalues = powerLaw(400, 1.5);
    const targetPower = eigenvalues.map((_, i) => (i + 1) ** -1.5);
    const curve = eigenlearningCurve({ eigenvalues, targetPower }, [1, 4, 16, 64, 256]);
    for (let i = 1; i < curve.length; i++) assert.ok(curve[i] < curve[i - 1], `${curve}`);
  });

  it('computes E0 from learnabilities and multiplicities', () => {
    assertRelClose(eigenlearningOverfittingCoefficient([0.5, 0.5], 2, [2, 2]), 2, 1e-15); // 2/(2 - 1)
    assert.deepEqual(eigenlearningLearnabilities([1, 0], 0), [1, 0]);
    assert.deepEqual(eigenlearningLearnabilities([1, 3], Infinity), [0, 0]);
  });
});

describe('eigenlearningHypercubeSpectrum', () => {
  it("gives cosh(s)^(d-k) sinh(s)^k for the product kernel exp(s x.x')", () => {
    const d = 10;
    const s = 0.4;
    const { eigenvalues, multiplicities } = eigenlearningHypercubeSpectrum(
      (h) => Math.exp(s * (d - 2 * h)),
      d,
    );
    for (let k = 0; k <= d; k++) {
      assertRelClose(eigenvalues[k], Math.cosh(s) ** (d - k) * Math.sinh(s) ** k, 1e-9, `k = ${k}`);
    }
    assert.deepEqual(multiplicities, [1, 10, 45, 120, 210, 252, 210, 120, 45, 10, 1]);
  });

  it('agrees with the eigendecomposition of the full 2^d x 2^d kernel matrix (d = 7)', () => {
    const d = 7;
    const g = (h: number) => Math.exp(-Math.sqrt(4 * h) / Math.sqrt(d));
    const points = 2 ** d;
    const popcount = (v: number) => v.toString(2).split('1').length - 1;
    const kernel = Matrix.zeros(points, points);
    for (let i = 0; i < points; i++)
      for (let j = 0; j < points; j++) kernel.set(i, j, g(popcount(i ^ j)) / points);
    const brute = new EigenvalueDecomposition(kernel, { assumeSymmetric: true }).realEigenvalues.sort(
      (p, q) => q - p,
    );
    const { eigenvalues, multiplicities } = eigenlearningHypercubeSpectrum(g, d);
    const expanded = eigenvalues
      .flatMap((l, k) => new Array<number>(multiplicities[k]).fill(l))
      .sort((p, q) => q - p);
    assert.equal(expanded.length, points);
    expanded.forEach((l, i) => assertRelClose(l, brute[i], 1e-9, `eigenvalue ${i}`));
  });
});

describe('eigenlearningPoolEigensystem', () => {
  it('recovers lambda = eig(K)/M and the target power (u^T f)^2/M, summing to E[f^2]', () => {
    // The cube with all 2^d points as the pool: a parity of degree 2 has all its power on the k = 2 level.
    const d = 5;
    const points = 2 ** d;
    const g = (h: number) => Math.exp(-h / 2);
    const popcount = (v: number) => v.toString(2).split('1').length - 1;
    const bit = (v: number, i: number) => ((v >> i) & 1 ? 1 : -1);
    const kernel = Array.from({ length: points }, (_, i) =>
      Array.from({ length: points }, (_, j) => g(popcount(i ^ j))),
    );
    const f = Array.from({ length: points }, (_, i) => 0.8 * bit(i, 0) * bit(i, 1) + 0.3);
    const pool = eigenlearningPoolEigensystem(kernel, f);
    const exact = eigenlearningHypercubeSpectrum(g, d);
    assertRelClose(pool.eigenvalues[0], Math.max(...exact.eigenvalues), 1e-10);
    const total = pool.targetPower.reduce((s, p) => s + p, 0);
    assertRelClose(total, 0.64 + 0.09, 1e-10);
    const onLevel2 = pool.eigenvalues.reduce(
      (s, l, i) => (Math.abs(l - exact.eigenvalues[2]) < 1e-12 ? s + pool.targetPower[i] : s),
      0,
    );
    assertRelClose(onLevel2, 0.64, 1e-9);
  });
});

describe('eigenlearningKrrFit', () => {
  it('interpolates the training set when ridgeless and shrinks towards 0 with a ridge', () => {
    const x = [0, 0.3, 0.7, 1];
    const k = (a: number, b: number) => Math.exp(-Math.abs(a - b));
    const kernelTrain = x.map((a) => x.map((b) => k(a, b)));
    const y = [1, -1, 0.5, 2];
    const fit = eigenlearningKrrFit({ kernelTrain, kernelTestTrain: kernelTrain, yTrain: y, yTest: y });
    assert.ok(fit.testMse < 1e-20, `${fit.testMse}`);
    const ridged = eigenlearningKrrFit({
      kernelTrain,
      kernelTestTrain: kernelTrain,
      yTrain: y,
      yTest: y,
      ridge: 10,
    });
    assert.ok(ridged.testMse > 0.1);
  });
});

/**
 * Brute force: ridge and ridgeless kernel regression on the d = 12 hypercube (4096 points, all used as the test
 * set, so the test MSE of each draw is exact, against the noiseless target: `targetMse`), training sets of n
 * distinct uniform points, averaged over draws.
 * The eigenlearning prediction must fall within 3 standard errors of the Monte Carlo mean (plus 3%, the
 * finite-size bias the theory itself carries at n ~ 50; THEORY.md entry 12 reports ~15% at worst).
 */
describe('eigenlearning against brute-force kernel regression', () => {
  const d = 12;
  const points = 2 ** d;
  const g = (h: number) => Math.exp(-Math.sqrt(4 * h) / Math.sqrt(d));
  const kernelOfXor = Array.from({ length: points }, (_, v) => {
    let c = 0;
    for (let u = v; u; u &= u - 1) c++;
    return g(c);
  });
  const bit = (v: number, i: number) => ((v >> i) & 1 ? 1 : -1);
  const f = (v: number) =>
    0.8 * bit(v, 0) + 0.5 * bit(v, 0) * bit(v, 1) + 0.3 * bit(v, 0) * bit(v, 1) * bit(v, 2);
  const yAll = Array.from({ length: points }, (_, v) => f(v));
  const spectrum = eigenlearningHypercubeSpectrum(g, d);
  const targetPower = spectrum.eigenvalues.map((_, k) => [0, 0.64, 0.25, 0.09][k] ?? 0);

  function monteCarlo(n: number, ridge: number, noise: number, draws: number, seed: number) {
    const uniform = seedrandom(`eigenlearning:${seed}`);
    const normal = gaussian(seed);
    const mses: number[] = [];
    const lrn1: number[] = [];
    for (let r = 0; r < draws; r++) {
      const chosen = new Set<number>();
      while (chosen.size < n) chosen.add(Math.floor(uniform() * points));
      const train = [...chosen];
      const kernelTrain = train.map((a) => train.map((b) => kernelOfXor[a ^ b]));
      const kernelTestTrain = yAll.map((_, v) => train.map((b) => kernelOfXor[v ^ b]));
      const yTrain = train.map((v) => f(v) + noise * normal());
      const fit = eigenlearningKrrFit({ kernelTrain, kernelTestTrain, yTrain, yTest: yAll, ridge });
      mses.push(fit.testMse);
      lrn1.push(fit.predictions.reduce((s, p, v) => s + p * bit(v, 0), 0) / points / 0.8);
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const se = (a: number[]) =>
      Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / (a.length - 1) / a.length);
    return { mse: mean(mses), mseSe: se(mses), lrn1: mean(lrn1), lrn1Se: se(lrn1) };
  }

  for (const { n, ridge, noise } of [
    { n: 24, ridge: 0, noise: 0 },
    { n: 60, ridge: 0, noise: 0.3 },
    { n: 60, ridge: 1, noise: 0.3 },
  ]) {
    it(`agrees at n = ${n}, ridge = ${ridge}, noise = ${noise} within the Monte Carlo error`, () => {
      const mc = monteCarlo(n, ridge, noise, 100, n + ridge);
      const theory = eigenlearningPrediction(
        { ...spectrum, targetPower, ridge, noiseVariance: noise ** 2 },
        n,
      );
      const mseTol = 3 * mc.mseSe + 0.03 * theory.targetMse;
      assert.ok(
        Math.abs(mc.mse - theory.targetMse) <= mseTol,
        `test MSE: Monte Carlo ${mc.mse} +- ${mc.mseSe}, theory ${theory.targetMse}`,
      );
      // The reference's test MSE is on noisy test labels: it exceeds the error against f by exactly eps^2.
      assert.ok(Math.abs(theory.testMse - theory.targetMse - noise ** 2) < 1e-12);
      const lrnTol = 3 * mc.lrn1Se + 0.03 * theory.learnabilities[1];
      assert.ok(
        Math.abs(mc.lrn1 - theory.learnabilities[1]) <= lrnTol,
        `degree-1 learnability: Monte Carlo ${mc.lrn1} +- ${mc.lrn1Se}, theory ${theory.learnabilities[1]}`,
      );
    });
  }

  it('is not a tautology: a theory off by 20% in kappa falls outside the Monte Carlo error', () => {
    const mc = monteCarlo(60, 0, 0, 100, 60);
    const kappa = eigenlearningKappa(spectrum.eigenvalues, 60, { multiplicities: spectrum.multiplicities });
    const wrong = eigenlearningLearnabilities(spectrum.eigenvalues, 1.2 * kappa);
    assert.ok(Math.abs(mc.lrn1 - wrong[1]) > 3 * mc.lrn1Se, `${mc.lrn1} vs ${wrong[1]}`);
  });
});
