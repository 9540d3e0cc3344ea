import assert from 'node:assert/strict';
import { Matrix, pseudoInverse, solve } from 'ml-matrix';
import { linearRegressionGd } from '../../src/theory/linearRegression';
import { gaussian } from './gaussian';

/** Plain float64 full-batch GD on (1/2n) ||Psi w - y||^2: the losses at steps 0..steps, and the last w. */
function iterateGd(psi: number[][], y: number[], w0: number[], lr: number, steps: number) {
  const n = psi.length;
  const w = w0.slice();
  const losses: number[] = [];
  for (let t = 0; ; t++) {
    const residual = psi.map((row, j) => row.reduce((sum, v, p) => sum + v * w[p], 0) - y[j]);
    losses.push(residual.reduce((sum, r) => sum + r * r, 0) / (2 * n));
    if (t === steps) return { losses, w };
    for (let p = 0; p < w.length; p++)
      w[p] -= (lr / n) * residual.reduce((sum, r, j) => sum + r * psi[j][p], 0);
  }
}

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

function randomProblem(seed: number, n: number, width: number) {
  const random = gaussian(seed);
  const draw = (length: number) => Array.from({ length }, () => random());
  // Features of unequal scales, so the modes decay at visibly different rates.
  const psi = Array.from({ length: n }, () => draw(width).map((v, p) => v / (1 + p)));
  return { psi, y: draw(n), w0: draw(width) };
}

describe('linearRegressionGd', () => {
  it('gives the loss of 200 steps of float64 GD to 1e-10 relative', () => {
    const { psi, y, w0 } = randomProblem(1, 20, 5);
    const gd = linearRegressionGd({ psi, y, w0, lr: 0.1 });
    const lr = 0.9 * gd.maxStableLr;
    const exact = linearRegressionGd({ psi, y, w0, lr });
    const { losses } = iterateGd(psi, y, w0, lr, 200);
    losses.forEach((loss, t) => assertRelClose(exact.loss(t), loss, 1e-10, `step ${t}`));
    assert.ok(losses[200] < 0.999 * losses[0] && losses[200] > exact.lossMin);
  });

  it('gives the per-mode residuals <w_t - w*, e_i> of GD', () => {
    const { psi, y, w0 } = randomProblem(2, 12, 4);
    const lr = 0.5;
    const exact = linearRegressionGd({ psi, y, w0, lr });
    const { w } = iterateGd(psi, y, w0, lr, 50);
    const projected = exact.eigenvectors.map((e) =>
      e.reduce((sum, v, p) => sum + v * (w[p] - exact.wStar[p]), 0),
    );
    exact.modeResiduals(50).forEach((r, i) => assert.ok(Math.abs(r - projected[i]) < 1e-12, `mode ${i}`));
  });

  it('finds L_min and w* of the normal equations Psi^T Psi w = Psi^T y', () => {
    const { psi, y } = randomProblem(3, 15, 4);
    const exact = linearRegressionGd({ psi, y, lr: 0.1 });
    const A = new Matrix(psi);
    const w = solve(A.transpose().mmul(A), A.transpose().mmul(Matrix.columnVector(y)));
    const lossMin = A.mmul(w).sub(Matrix.columnVector(y)).norm() ** 2 / (2 * psi.length);
    assertRelClose(exact.lossMin, lossMin, 1e-12);
    exact.wStar.forEach((v, p) => assertRelClose(v, w.get(p, 0), 1e-10, `w*[${p}]`));
  });

  it('handles a rank-deficient Psi with a duplicated feature (minimum-norm w*, frozen null mode)', () => {
    const base = randomProblem(4, 10, 3);
    const psi = base.psi.map((row) => [...row, row[0] + row[1]]);
    const w0 = [...base.w0, 0.7];
    const exact = linearRegressionGd({ psi, y: base.y, w0, lr: 0.5 });
    assert.equal(exact.eigenvalues[3], 0);
    const minimumNorm = pseudoInverse(new Matrix(psi)).mmul(Matrix.columnVector(base.y));
    exact.wStar.forEach((v, p) => assertRelClose(v, minimumNorm.get(p, 0), 1e-9, `w*[${p}]`));
    assert.equal(exact.modeResiduals(100)[3], exact.modeResiduals(0)[3]);
    const { losses } = iterateGd(psi, base.y, w0, 0.5, 200);
    losses.forEach((loss, t) => assertRelClose(exact.loss(t), loss, 1e-10, `step ${t}`));
  });

  it('handles more features than samples, where GD interpolates the data', () => {
    const { psi, y, w0 } = randomProblem(5, 4, 9);
    const exact = linearRegressionGd({ psi, y, w0, lr: 0.1 });
    assert.deepEqual(exact.eigenvalues.slice(4), [0, 0, 0, 0, 0]);
    assert.ok(exact.lossMin < 1e-25, `L_min = ${exact.lossMin}`);
    const lr = 0.8 * exact.maxStableLr;
    const { losses } = iterateGd(psi, y, w0, lr, 200);
    const atLr = linearRegressionGd({ psi, y, w0, lr });
    losses.forEach((loss, t) =>
      assert.ok(Math.abs(atLr.loss(t) - loss) <= 1e-10 * loss + 1e-14 * losses[0], `step ${t}`),
    );
  });

  it('grows the loss like GD above the stability threshold 2 / lambda_max', () => {
    const { psi, y, w0 } = randomProblem(6, 20, 5);
    const lr = 1.05 * linearRegressionGd({ psi, y, lr: 0.1 }).maxStableLr;
    const exact = linearRegressionGd({ psi, y, w0, lr });
    const { losses } = iterateGd(psi, y, w0, lr, 200);
    assert.ok(exact.loss(200) > 1e3 * exact.loss(0), `loss ${exact.loss(0)} -> ${exact.loss(200)}`);
    for (const t of [50, 100, 150, 200]) {
      assertRelClose(exact.loss(t), losses[t], 1e-9, `step ${t}`);
      assert.ok(exact.loss(t) > exact.loss(t - 50));
    }
  });

  it('states 2 / lambda_max for a diagonal Sigma (lambda = 2, 1/2)', () => {
    const exact = linearRegressionGd({
      psi: [
        [2, 0],
        [0, 1],
      ],
      y: [1, 1],
      lr: 0.1,
    });
    assert.deepEqual(exact.eigenvalues, [2, 0.5]);
    assert.equal(exact.maxStableLr, 1);
    assert.equal(exact.loss(0), 0.5);
    assertRelClose(exact.loss(1), ((1 - 0.2) ** 2 + (1 - 0.05) ** 2) / 4, 1e-15);
  });

  it('accepts Float64Array rows', () => {
    const exact = linearRegressionGd({
      psi: [Float64Array.of(2, 0), Float64Array.of(0, 1)],
      y: Float64Array.of(1, 1),
      lr: 0.1,
    });
    assert.equal(exact.loss(0), 0.5);
  });

  it('names a bad input', () => {
    assert.throws(
      () => linearRegressionGd({ psi: [[1, 2], [3]], y: [1, 2], lr: 0.1 }),
      /psi row 1 has 1 features, row 0 has 2/,
    );
    assert.throws(
      () => linearRegressionGd({ psi: [[1]], y: [1, 2], lr: 0.1 }),
      /y has 2 entries for 1 samples/,
    );
    assert.throws(
      () => linearRegressionGd({ psi: [[1]], y: [1], lr: -1 }),
      /lr must be finite and > 0, got -1/,
    );
    assert.throws(
      () => linearRegressionGd({ psi: [[NaN]], y: [1], lr: 1 }),
      /psi has a non-finite entry NaN/,
    );
    assert.throws(
      () => linearRegressionGd({ psi: [[1]], y: [1], lr: 1 }).loss(1.5),
      /step must be an integer >= 0, got 1.5/,
    );
  });
});
