import assert from 'node:assert/strict';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { ntkTargetAlignment } from '../../src/observables/ntk';
import { silentAlignmentLag, twoLayerLinearSilentAlignment } from '../../src/theory/alignment';
import { gaussian } from './gaussian';

const draw = (seed: number, rows: number, cols: number, scale = 1) => {
  const random = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * random()));
};

/** Whitened, zero-mean inputs: X = sqrt(n) Q with Q's columns orthonormal and orthogonal to the ones vector. */
function whitenedInputs(seed: number, n: number, d: number): Matrix {
  const z = new Matrix(draw(seed, n, d + 1));
  z.setColumn(0, new Array(n).fill(1));
  const q = new QrDecomposition(z).orthogonalMatrix;
  return q.subMatrix(0, n - 1, 1, d).mul(Math.sqrt(n));
}

/** NTK matrix M = |w2|^2 I + W1^T W1 of f(x) = w2^T W1 x, so that Theta(x, x') = x^T M x'. */
function kernelM(w1: Matrix, w2: number[]): Matrix {
  const bb = w2.reduce((s, v) => s + v * v, 0);
  return w1.transpose().mmul(w1).add(Matrix.eye(w1.columns).mul(bb));
}

/**
 * Float64 full-batch GD of the two-layer linear network on L = c sum_i (f(x_i) - y_i)^2 / n, with the eNTK
 * alignment computed from its definition on the train set (K = X M X^T, centered, via ntkTargetAlignment).
 */
function simulate(options: { sigma: number; seed: number; steps: number; every: number }) {
  const { sigma, seed, steps, every } = options;
  const n = 24;
  const d = 6;
  const m = 32;
  const c = 0.5;
  const lr = 0.004;
  const x = whitenedInputs(seed, n, d);
  const beta = draw(seed + 1, 1, d)[0];
  const norm = Math.hypot(...beta);
  const target = beta.map((v) => (3 * v) / norm);
  const y = x.mmul(Matrix.columnVector(target));
  const w1init = draw(seed + 2, m, d, sigma);
  const w2init = draw(seed + 3, m, 1, sigma).map((r) => r[0]);
  let w1 = new Matrix(w1init);
  let w2 = Matrix.columnVector(w2init);
  const sampled: number[] = [];
  const alignment: number[] = [];
  const loss: number[] = [];
  for (let t = 0; t <= steps; t++) {
    const residual = x.mmul(w1.transpose()).mmul(w2).sub(y); // f - y, n x 1
    if (t % every === 0) {
      sampled.push(t);
      const k = x.mmul(kernelM(w1, w2.getColumn(0))).mmul(x.transpose());
      alignment.push(ntkTargetAlignment(k.to2DArray(), y.getColumn(0)));
      loss.push((c * residual.norm('frobenius') ** 2) / n);
    }
    const g = x
      .transpose()
      .mmul(residual)
      .mul((2 * c) / n); // dL/d(W1^T w2), d x 1
    const gradW1 = w2.mmul(g.transpose());
    const gradW2 = w1.mmul(g);
    w1 = w1.sub(gradW1.mul(lr));
    w2 = w2.sub(gradW2.mul(lr));
  }
  const predicted = twoLayerLinearSilentAlignment({
    w1: w1init,
    w2: w2init,
    beta: target,
    c,
    lr,
    steps: sampled,
  });
  return { sampled, alignment, loss, predicted, d };
}

const rSquared = (y: number[], p: number[]) => {
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const res = y.reduce((s, v, i) => s + (v - p[i]) ** 2, 0);
  const tot = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return 1 - res / tot;
};

describe('twoLayerLinearSilentAlignment', () => {
  it('starts from the init kernel: 2/sqrt(5) in the documented example, and the direct formula on random weights', () => {
    const tiny = twoLayerLinearSilentAlignment({
      w1: [[1e-3, 0]],
      w2: [1e-3],
      beta: [1, 0],
      c: 0.5,
      lr: 0.01,
      steps: [0],
    });
    assert.ok(Math.abs(tiny.alignment[0] - 2 / Math.sqrt(5)) < 1e-12);
    const w1 = draw(1, 5, 3, 0.1);
    const w2 = draw(2, 5, 1, 0.1).map((r) => r[0]);
    const beta = [1, -2, 0.5];
    const p = twoLayerLinearSilentAlignment({ w1, w2, beta, c: 1, lr: 0.01, steps: [0] });
    const mm = kernelM(new Matrix(w1), w2);
    const b = Matrix.columnVector(beta);
    const expected = b.transpose().mmul(mm).mmul(b).get(0, 0) / (mm.norm('frobenius') * 5.25);
    assert.ok(Math.abs(p.alignment[0] - expected) < 1e-12, `${p.alignment[0]} vs ${expected}`);
    const fit = new Matrix(w1).transpose().mmul(Matrix.columnVector(w2));
    assert.ok(Math.abs(p.loss[0] - b.sub(fit).norm('frobenius') ** 2) < 1e-12);
    assert.ok(Math.abs(p.kernelScale[0] - mm.trace()) < 1e-12);
  });

  it('predicts the alignment and loss of float64 GD from small init (sigma = 1e-3)', () => {
    const sim = simulate({ sigma: 1e-3, seed: 1, steps: 3000, every: 10 });
    const maxAlignmentError = Math.max(
      ...sim.alignment.map((a, i) => Math.abs(a - sim.predicted.alignment[i])),
    );
    assert.ok(maxAlignmentError < 3e-3, `alignment error ${maxAlignmentError}`);
    const r2 = rSquared(sim.loss, sim.predicted.loss);
    assert.ok(r2 > 0.9999, `loss R^2 ${r2}`);
    // The kernel ends aligned: M -> s (I + beta_hat beta_hat^T), alignment 2 / sqrt(d + 3).
    const final = 2 / Math.sqrt(sim.d + 3);
    assert.ok(
      Math.abs(sim.alignment.at(-1)! - final) < 1e-3 &&
        Math.abs(sim.predicted.alignment.at(-1)! - final) < 1e-3,
    );
  });

  it('makes the alignment silent: t_A fixed, t_L growing like ln(1/sigma^2), as the measured lags do', () => {
    const lags = [1e-2, 1e-4].map((sigma) => {
      const sim = simulate({ sigma, seed: 2, steps: 1500, every: 5 });
      return {
        measured: silentAlignmentLag(sim.sampled, sim.alignment, sim.loss),
        predicted: silentAlignmentLag(sim.sampled, sim.predicted.alignment, sim.predicted.loss),
      };
    });
    for (const { measured, predicted } of lags) {
      assert.ok(
        Math.abs(predicted.ratio / measured.ratio - 1) < 0.05,
        JSON.stringify({ measured, predicted }),
      );
    }
    const [large, small] = lags.map((l) => l.predicted);
    assert.ok(Math.abs(small.alignmentTime / large.alignmentTime - 1) < 0.1, 't_A does not depend on sigma');
    assert.ok(small.lossTime > 1.5 * large.lossTime && small.ratio < 0.25, JSON.stringify(small));
  });

  it('finds half-crossings by linear interpolation, NaN when a series never crosses', () => {
    const lag = silentAlignmentLag([0, 10, 20, 30], [0, 1, 1, 1], [4, 4, 3, 0]);
    assert.equal(lag.alignmentTime, 5);
    assert.ok(Math.abs(lag.lossTime - 70 / 3) < 1e-12);
    assert.ok(Number.isNaN(silentAlignmentLag([0, 1], [1, 1], [2, 1]).ratio));
    assert.throws(() => silentAlignmentLag([0, 1], [1], [2, 1]), RangeError);
  });
});
