import assert from 'node:assert/strict';
import {
  CHINCHILLA_BESIROGLU,
  CHINCHILLA_HOFFMANN,
  CHINCHILLA_HOFFMANN_UNROUNDED,
  chinchillaBootstrap,
  chinchillaComputeOptimal,
  chinchillaExtrapolation,
  chinchillaFit,
  chinchillaLoss,
  type ChinchillaParams,
  type ScalingRun,
  scalingPowerLawExtrapolation,
  scalingPowerLawFit,
  scalingPowerLawLoss,
} from '../../src/theory/scalingLaw';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

/** Log-spaced values 10^from ... 10^to in steps of 10^by. */
const logRange = (from: number, to: number, by: number) =>
  Array.from({ length: Math.round((to - from) / by) + 1 }, (_, i) => 10 ** (from + i * by));

/** A 7 x 6 sweep in the range of Hoffmann's runs (N 1e7..1e10, D 1e9..3e11), loss x exp(noise * z). */
function sweep(truth: ChinchillaParams, noise: number, seed: number): ScalingRun[] {
  const z = gaussian(seed);
  return logRange(7, 10, 0.5).flatMap((N) =>
    logRange(9, 11.5, 0.5).map((D) => ({ N, D, loss: chinchillaLoss(truth, N, D) * Math.exp(noise * z()) })),
  );
}

describe('chinchillaComputeOptimal', () => {
  it('implies Hoffmann et al. Table 2 (Approach 3) exponents a = 0.46, b = 0.54 from the unrounded fit', () => {
    const opt = chinchillaComputeOptimal(CHINCHILLA_HOFFMANN_UNROUNDED, 1e21);
    assert.equal(opt.a.toFixed(2), '0.46');
    assert.equal(opt.b.toFixed(2), '0.54');
    // With the rounded exponents printed in App. D.2 (alpha = 0.34, beta = 0.28): a = 0.28/0.62.
    assertRelClose(chinchillaComputeOptimal(CHINCHILLA_HOFFMANN, 1e21).a, 0.28 / 0.62, 1e-14);
  });

  it('puts the Besiroglu et al. refit at Chinchilla: N ~ 70B, ~20 tokens per parameter at C = 5.76e23', () => {
    const opt = chinchillaComputeOptimal(CHINCHILLA_BESIROGLU, 5.76e23);
    assertRelClose(opt.a, 0.3658 / (0.3478 + 0.3658), 1e-14);
    assertRelClose(opt.a + opt.b, 1, 1e-15);
    assertRelClose(6 * opt.N * opt.D, 5.76e23, 1e-12);
    assertRelClose(opt.N, 7e10, 0.05, 'N_opt vs Chinchilla 70B');
    const tokensPerParameter = opt.D / opt.N;
    assert.ok(tokensPerParameter > 15 && tokensPerParameter < 25, `D/N = ${tokensPerParameter}`);
  });

  it('is the minimum of L along the isoFLOP line (brute-force search over log N)', () => {
    for (const params of [CHINCHILLA_BESIROGLU, CHINCHILLA_HOFFMANN]) {
      for (const compute of [1e18, 1e21, 5.76e23]) {
        const opt = chinchillaComputeOptimal(params, compute);
        let best = { logN: 0, loss: Infinity };
        for (let logN = 5; logN <= 13; logN += 1e-5) {
          const N = 10 ** logN;
          const loss = chinchillaLoss(params, N, compute / (6 * N));
          if (loss < best.loss) best = { logN, loss };
        }
        assert.ok(
          Math.abs(best.logN - Math.log10(opt.N)) < 2e-4,
          `C = ${compute}: ${best.logN} vs ${Math.log10(opt.N)}`,
        );
        assert.ok(opt.loss <= best.loss + 1e-12);
      }
    }
  });

  it('scales N_opt as C^a and D_opt as C^b', () => {
    const lo = chinchillaComputeOptimal(CHINCHILLA_BESIROGLU, 1e20);
    const hi = chinchillaComputeOptimal(CHINCHILLA_BESIROGLU, 1e24);
    assertRelClose(Math.log10(hi.N / lo.N) / 4, lo.a, 1e-12);
    assertRelClose(Math.log10(hi.D / lo.D) / 4, lo.b, 1e-12);
  });
});

describe('chinchillaFit', () => {
  it('recovers the Besiroglu et al. constants exactly from noise-free losses', () => {
    const fit = chinchillaFit(sweep(CHINCHILLA_BESIROGLU, 0, 1));
    for (const key of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
      assertRelClose(fit.params[key], CHINCHILLA_BESIROGLU[key], 1e-4, key);
    }
    assert.equal(fit.starts, 4500);
    assert.ok(fit.objective < 1e-12, `objective ${fit.objective}`);
  });

  it('recovers the Hoffmann et al. constants from losses with 0.5% noise', () => {
    const fit = chinchillaFit(sweep(CHINCHILLA_HOFFMANN, 0.005, 2));
    assertRelClose(fit.params.alpha, 0.34, 0.1, 'alpha');
    assertRelClose(fit.params.beta, 0.28, 0.1, 'beta');
    assertRelClose(fit.params.E, 1.69, 0.05, 'E');
    assertRelClose(chinchillaComputeOptimal(fit.params, 1e21).a, 0.28 / 0.62, 0.05, 'a');
  });

  it('sums the Huber terms (duplicating every run doubles the objective), as Besiroglu et al. corrected', () => {
    const runs = sweep(CHINCHILLA_BESIROGLU, 0.01, 3).slice(0, 12);
    const once = chinchillaFit(runs);
    const twice = chinchillaFit([...runs, ...runs], { grid: false, starts: [once.logParams] });
    assertRelClose(twice.objective, 2 * once.objective, 1e-6);
  });

  it('shrugs off an outlier that pulls a least-squares fit (delta = 1e-3 vs delta = 10)', () => {
    const runs = sweep(CHINCHILLA_BESIROGLU, 0, 4);
    const largest = runs.reduce((i, r, j) => (r.N * r.D > runs[i].N * runs[i].D ? j : i), 0);
    runs[largest] = { ...runs[largest], loss: runs[largest].loss * 1.3 };
    const huber = chinchillaFit(runs);
    assertRelClose(huber.params.alpha, CHINCHILLA_BESIROGLU.alpha, 0.01, 'Huber alpha');
    assertRelClose(huber.params.beta, CHINCHILLA_BESIROGLU.beta, 0.01, 'Huber beta');
    const squares = chinchillaFit(runs, { delta: 10 });
    const errors = [
      Math.abs(squares.params.E / CHINCHILLA_BESIROGLU.E - 1),
      Math.abs(squares.params.beta / 0.3658 - 1),
    ];
    assert.ok(
      Math.max(...errors) > 0.03,
      `least squares should be pulled: ${JSON.stringify(squares.params)}`,
    );
  });

  it('rejects non-positive sizes and losses', () => {
    assert.throws(() => chinchillaFit([{ N: 0, D: 1, loss: 1 }]), RangeError);
    assert.throws(() => chinchillaFit([{ N: 1, D: 1, loss: -1 }]), RangeError);
  });
});

describe('chinchillaBootstrap', () => {
  it('gives 95% intervals that cover the true exponents, E and a = beta/(alpha + beta), and are +-0.1 wide or less', () => {
    const { fit, intervals, samples } = chinchillaBootstrap(sweep(CHINCHILLA_BESIROGLU, 0.005, 5), {
      resamples: 100,
      seed: 1,
    });
    assert.equal(samples.length, 100);
    const truth = { ...CHINCHILLA_BESIROGLU, a: 0.3658 / 0.7136, b: 0.3478 / 0.7136 };
    for (const key of ['E', 'alpha', 'beta', 'a', 'b'] as const) {
      const { lo, hi, estimate } = intervals[key];
      assert.ok(lo <= truth[key] && truth[key] <= hi, `${key}: [${lo}, ${hi}] misses ${truth[key]}`);
      assert.ok(
        lo <= estimate && estimate <= hi,
        `${key}: the estimate ${estimate} is outside [${lo}, ${hi}]`,
      );
    }
    for (const key of ['alpha', 'beta', 'a'] as const) {
      assert.ok(intervals[key].hi - intervals[key].lo < 0.2, `${key} interval too wide`);
    }
    assert.equal(fit.starts, 4500);
  });

  it('is reproducible with a seed and shrinks with less noise', () => {
    const runs = sweep(CHINCHILLA_BESIROGLU, 0.01, 6);
    const a = chinchillaBootstrap(runs, { resamples: 20, seed: 7 });
    const b = chinchillaBootstrap(runs, { resamples: 20, seed: 7 });
    assert.deepEqual(a.intervals, b.intervals);
    const quiet = chinchillaBootstrap(sweep(CHINCHILLA_BESIROGLU, 0.001, 6), { resamples: 20, seed: 7 });
    const width = (x: typeof a) => x.intervals.alpha.hi - x.intervals.alpha.lo;
    assert.ok(width(quiet) < width(a) / 3, `${width(quiet)} vs ${width(a)}`);
  });
});

describe('chinchillaExtrapolation', () => {
  it('predicts the largest 30% of models within 2% when the law holds (0.5% noise)', () => {
    const result = chinchillaExtrapolation(sweep(CHINCHILLA_BESIROGLU, 0.005, 8));
    assert.ok(
      result.heldOut.every((r) => r.N > 10 ** 9.2),
      'held out: the largest N',
    );
    assert.equal(result.heldOut.length, 12); // N = 10^9.5, 10^10: 2 of 7 sizes x 6 data sizes
    assert.ok(result.maxRelError < 0.02, `max relative error ${result.maxRelError}`);
  });

  it('exposes a law that breaks beyond the fitted range (the N term steepens past N = 1e9)', () => {
    // A broken power law (Caballero et al.): A N^-alpha (1 + N/1e9)^-1 instead of A N^-alpha.
    const runs = sweep(CHINCHILLA_BESIROGLU, 0, 9).map((r) => ({
      ...r,
      loss:
        chinchillaLoss(CHINCHILLA_BESIROGLU, r.N, r.D) - (482.01 / r.N ** 0.3478) * (1 - 1 / (1 + r.N / 1e9)),
    }));
    const result = chinchillaExtrapolation(runs);
    assert.ok(result.maxRelError > 0.02, `max relative error ${result.maxRelError}`);
  });
});

describe('scalingPowerLawFit', () => {
  const truth = { E: 0.12, A: 8, alpha: 0.45 };
  const xs = logRange(3, 6, 0.25);

  it('recovers E + A/x^alpha exactly from noise-free losses', () => {
    const fit = scalingPowerLawFit(xs.map((x) => ({ x, loss: scalingPowerLawLoss(truth, x) })));
    assertRelClose(fit.params.E, truth.E, 1e-5, 'E');
    assertRelClose(fit.params.A, truth.A, 1e-5, 'A');
    assertRelClose(fit.params.alpha, truth.alpha, 1e-5, 'alpha');
    assert.equal(fit.starts, 150);
  });

  it('extrapolates to the largest 30% of x within 2% with 0.5% noise', () => {
    const z = gaussian(10);
    const points = xs.map((x) => ({ x, loss: scalingPowerLawLoss(truth, x) * Math.exp(0.005 * z()) }));
    const result = scalingPowerLawExtrapolation(points);
    assert.equal(result.heldOut.length, 4);
    assert.ok(result.maxRelError < 0.02, `max relative error ${result.maxRelError}`);
    assertRelClose(result.fit.params.alpha, truth.alpha, 0.15, 'alpha');
  });
});
