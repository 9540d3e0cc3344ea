import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import {
  criticalBatchExamples,
  criticalBatchNoiseScales,
  criticalBatchOptimalStep,
  criticalBatchSteps,
  fitCriticalBatch,
} from '../../src/theory/criticalBatch';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

describe('critical batch: steps/examples trade-off', () => {
  const model = { sMin: 200, bNoise: 64 };

  it('takes 2 S_min steps and 2 E_min examples at B = B_noise', () => {
    assert.equal(criticalBatchSteps(64, model), 400);
    assert.equal(criticalBatchExamples(64, model), 2 * 200 * 64);
  });

  it('lies on the Pareto hyperbola (S/S_min - 1)(E/E_min - 1) = 1 and E = B S', () => {
    for (const b of [1, 7, 64, 1000, 1e5]) {
      const s = criticalBatchSteps(b, model);
      const e = criticalBatchExamples(b, model);
      assertRelClose(e, b * s, 1e-14, `E = B S at ${b}`);
      assertRelClose((s / 200 - 1) * (e / (200 * 64) - 1), 1, 1e-10, `B = ${b}`);
    }
  });

  it('approaches S_min at large B and E_min at small B', () => {
    assertRelClose(criticalBatchSteps(1e9, model), 200, 1e-6);
    assertRelClose(criticalBatchExamples(1e-6, model), 200 * 64, 1e-6);
  });
});

describe('fitCriticalBatch', () => {
  const batches = [4, 16, 64, 256, 1024];

  it('recovers S_min, E_min and B_crit exactly from points on the hyperbola', () => {
    const runs = batches.map((batch) => ({
      batch,
      steps: criticalBatchSteps(batch, { sMin: 150, bNoise: 80 }),
    }));
    const fit = fitCriticalBatch(runs);
    assertRelClose(fit.sMin, 150, 1e-8, 'sMin');
    assertRelClose(fit.eMin, 150 * 80, 1e-8, 'eMin');
    assertRelClose(fit.bCrit, 80, 1e-8, 'bCrit');
    assert.ok(fit.r2log > 1 - 1e-12);
    fit.fittedSteps.forEach((s, i) => assertRelClose(s, runs[i].steps, 1e-8));
  });

  it('stays within ~15% of B_crit with 5% multiplicative noise on the steps (20 seeds)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const g = gaussian(100 + seed);
      const runs = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].map((batch) => ({
        batch,
        steps: criticalBatchSteps(batch, { sMin: 100, bNoise: 50 }) * Math.exp(0.05 * g()),
      }));
      const fit = fitCriticalBatch(runs);
      assertRelClose(fit.bCrit, 50, 0.15, `seed ${seed}`);
      assert.ok(fit.r2log > 0.98, `seed ${seed}: r2log ${fit.r2log}`);
    }
  });

  it('reports a poor log-space R^2 when the sweep is not a hyperbola', () => {
    // Steps that grow with the batch: no trade-off at all.
    const fit = fitCriticalBatch(batches.map((batch, i) => ({ batch, steps: 100 * (1 + (i % 2)) })));
    assert.ok(fit.r2log < 0.5, `${fit.r2log}`);
  });

  it('rejects sweeps it cannot fit', () => {
    assert.throws(() => fitCriticalBatch([{ batch: 8, steps: 10 }]), RangeError);
    assert.throws(
      () =>
        fitCriticalBatch([
          { batch: 8, steps: 10 },
          { batch: 8, steps: 12 },
        ]),
      RangeError,
    );
    assert.throws(
      () =>
        fitCriticalBatch([
          { batch: 8, steps: 0 },
          { batch: 16, steps: 12 },
        ]),
      RangeError,
    );
  });
});

describe('criticalBatchOptimalStep: the local quadratic model, simulated', () => {
  // L(theta) = 1/2 theta^T H theta with n per-example gradients g_i whose mean is exactly G = H theta.
  const h = [
    [3, 0.5, 0],
    [0.5, 1, 0.2],
    [0, 0.2, 0.3],
  ];
  const theta = [0.4, -0.8, 1.5];
  const mul = (m: number[][], v: number[]) => m.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
  const dotv = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const loss = (t: number[]) => 0.5 * dotv(t, mul(h, t));
  const gTrue = mul(h, theta);
  const n = 20;
  const g = gaussian(11);
  const raw = Array.from({ length: n }, () => [3 * g(), 2 * g(), 4 * g()]);
  const meanRaw = [0, 1, 2].map((k) => raw.reduce((s, r) => s + r[k], 0) / n);
  const examples = raw.map((r) => r.map((x, k) => x - meanRaw[k] + gTrue[k]));
  const sigma = [0, 1, 2].map((a) =>
    [0, 1, 2].map((b) => examples.reduce((s, e) => s + (e[a] - gTrue[a]) * (e[b] - gTrue[b]), 0) / n),
  );
  const local = { gradient: gTrue, hessian: h, covariance: sigma };

  it('B_noise = tr(H Sigma)/(G^T H G) and B_simple = tr(Sigma)/|G|^2, equal when H = c I', () => {
    const s = criticalBatchNoiseScales(local);
    assert.ok(s.bNoise > 0 && s.bSimple > 0);
    assert.notEqual(s.bNoise.toFixed(3), s.bSimple.toFixed(3));
    const iso = criticalBatchNoiseScales({
      ...local,
      hessian: [
        [2, 0, 0],
        [0, 2, 0],
        [0, 0, 2],
      ],
    });
    assertRelClose(iso.bNoise, iso.bSimple, 1e-12);
  });

  it('predicts the step size and improvement that maximize the simulated mean loss decrease', () => {
    for (const batch of [1, 4, 32]) {
      const pred = criticalBatchOptimalStep(batch, local);
      // Common random batches (with replacement) for every step size on a grid around the prediction.
      const uniform = seedrandom(`batches:${batch}`);
      const draws = Array.from({ length: 8000 }, () => {
        const m = [0, 0, 0];
        for (let b = 0; b < batch; b++) {
          const e = examples[Math.floor(uniform() * n)];
          for (let k = 0; k < 3; k++) m[k] += e[k] / batch;
        }
        return m;
      });
      const grid = Array.from({ length: 101 }, (_, i) => pred.lrMax * (0.01 * i + 0.01));
      const gain = grid.map((eps) => {
        let total = 0;
        for (const d of draws) total += loss(theta) - loss(theta.map((t, k) => t - eps * d[k]));
        return total / draws.length;
      });
      const best = gain.indexOf(Math.max(...gain));
      assertRelClose(grid[best], pred.lr, 0.08, `B = ${batch}: argmax step`);
      assertRelClose(gain[best], pred.improvement, 0.05, `B = ${batch}: best improvement`);
    }
  });

  it('has eps_opt -> eps_max and dL_opt -> dL_max as B -> infinity, half of each at B = B_noise', () => {
    const big = criticalBatchOptimalStep(1e12, local);
    assertRelClose(big.lr, big.lrMax, 1e-9);
    const atNoise = criticalBatchOptimalStep(big.bNoise, local);
    assertRelClose(atNoise.lr, big.lrMax / 2, 1e-12);
    assertRelClose(atNoise.improvement, big.improvementMax / 2, 1e-12);
  });
});
