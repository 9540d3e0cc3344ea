import assert from 'node:assert/strict';
import { Matrix, solve } from 'ml-matrix';
import {
  diagonalLinearInterpolator,
  diagonalLinearMinL2,
  diagonalLinearPotential,
  diagonalLinearQ,
} from '../../src/theory/diagonalLinear';
import { gaussian } from './gaussian';

function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what} expected ${expected} within ${tol}, got ${actual} (error ${Math.abs(actual - expected)})`,
  );
}

const norm = (v: readonly number[]) => Math.hypot(...v);
const relDistance = (a: readonly number[], b: readonly number[]) => norm(a.map((v, i) => v - b[i])) / norm(b);
const matVec = (x: number[][], w: readonly number[]) =>
  x.map((row) => row.reduce((s, v, i) => s + v * w[i], 0));

/** A random n x d Gaussian problem with y = X w* for a w* with nonzeros `support` (seeded). */
function problem(seed: number, n: number, d: number, support: number[] = [1, -1, 0.5]) {
  const g = gaussian(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: d }, g));
  const wStar = Array.from({ length: d }, (_, i) => support[i] ?? 0);
  return { x, y: matVec(x, wStar), wStar };
}

/**
 * The minimum-l1 interpolator by brute force over the vertices of the LP min ||w||_1 s.t. Xw = y: for generic X
 * the optimum is a basic solution, supported on n columns with X_S w_S = y. Enumerates every support.
 */
function minL1ByVertices(x: number[][], y: number[]): number[] {
  const n = x.length;
  const d = x[0].length;
  let best: number[] = [];
  let bestNorm = Infinity;
  const choose = (start: number, chosen: number[]): void => {
    if (chosen.length === n) {
      const sub = new Matrix(x.map((row) => chosen.map((i) => row[i])));
      const wS = solve(sub, Matrix.columnVector(y)).getColumn(0);
      const l1 = wS.reduce((s, v) => s + Math.abs(v), 0);
      if (l1 < bestNorm) {
        bestNorm = l1;
        best = new Array<number>(d).fill(0);
        chosen.forEach((i, k) => (best[i] = wS[k]));
      }
      return;
    }
    for (let i = start; i < d; i++) choose(i + 1, [...chosen, i]);
  };
  choose(0, []);
  return best;
}

/** GD on the diagonal network in float64: w = u+^2 - u-^2, u+ = u- = alpha at init, loss (1/2n)||Xw - y||^2. */
function trainDiagonalNet(x: number[][], y: number[], alpha: number | number[], lr: number, steps: number) {
  const d = x[0].length;
  const a = typeof alpha === 'number' ? new Array<number>(d).fill(alpha) : alpha;
  let up = [...a];
  let um = [...a];
  for (let t = 0; t < steps; t++) {
    const w = up.map((u, i) => u * u - um[i] * um[i]);
    const r = matVec(x, w).map((v, j) => v - y[j]);
    const g = up.map((_, i) => x.reduce((s, row, j) => s + row[i] * r[j], 0) / x.length);
    up = up.map((u, i) => u - lr * 2 * u * g[i]);
    um = um.map((u, i) => u + lr * 2 * u * g[i]);
  }
  return up.map((u, i) => u * u - um[i] * um[i]);
}

describe('diagonalLinearQ', () => {
  it('is 2 - sqrt(4 + z^2) + z asinh(z/2) (hand values)', () => {
    assert.equal(diagonalLinearQ(0), 0);
    assertClose(diagonalLinearQ(2), 2 - 2 * Math.SQRT2 + 2 * Math.asinh(1), 1e-15);
    assertClose(diagonalLinearQ(-2), diagonalLinearQ(2), 0, 'even');
    // z = 2 sinh(1): sqrt(4 + z^2) = 2 cosh(1), so q = 2 - 2 cosh(1) + 2 sinh(1) = 2 - 2/e.
    assertClose(diagonalLinearQ(2 * Math.sinh(1)), 2 - 2 / Math.E, 1e-15);
  });

  it("has q'(z) = asinh(z/2) (central finite differences)", () => {
    for (const z of [-30, -1.3, 0.01, 0.7, 4, 200]) {
      const h = 1e-5 * Math.max(1, Math.abs(z));
      const fd = (diagonalLinearQ(z + h) - diagonalLinearQ(z - h)) / (2 * h);
      assertClose(fd, Math.asinh(z / 2), 1e-7, `z = ${z}`);
    }
  });

  it('is z^2/4 - z^4/192 near 0 without cancellation, and |z|(ln|z| - 1) + O(ln|z|/|z|) far out', () => {
    for (const z of [1e-3, 1e-6, 1e-9])
      assertClose(diagonalLinearQ(z) / (z * z), 0.25 - (z * z) / 192, 1e-12);
    const z = 1e6; // q(z) = z ln z - z + 2 + O(ln z / z)
    assertClose(diagonalLinearQ(z) - z * (Math.log(z) - 1), 2, 1e-4);
  });
});

describe('diagonalLinearPotential', () => {
  it('is alpha^2 sum_i q(w_i / alpha^2), with a per-coordinate alpha', () => {
    assertClose(
      diagonalLinearPotential([1, -2], 0.5),
      0.25 * (diagonalLinearQ(4) + diagonalLinearQ(-8)),
      1e-15,
    );
    assertClose(
      diagonalLinearPotential([1, -2], [0.5, 2]),
      0.25 * diagonalLinearQ(4) + 4 * diagonalLinearQ(-0.5),
      1e-15,
    );
  });

  it('tends to ||w||_2^2 / (4 alpha^2) for large alpha and to ln(1/alpha^2) ||w||_1 for small alpha', () => {
    const w = [0.3, -1.2, 2];
    assertClose(diagonalLinearPotential(w, 100) * 4e4, 0.09 + 1.44 + 4, 1e-7);
    const alpha = 1e-30;
    assertClose(diagonalLinearPotential(w, alpha) / (Math.log(1 / alpha ** 2) * 3.5), 1, 0.01);
  });

  it('names a bad alpha', () => {
    assert.throws(() => diagonalLinearPotential([1], 0), /alpha\[0\] must be finite and > 0, got 0/);
    assert.throws(() => diagonalLinearPotential([1, 2], [1]), /alpha has 1 entries for 2 coordinates/);
  });
});

describe('diagonalLinearInterpolator', () => {
  it('interpolates and has the stationary form w = 2 alpha^2 sinh(X^T nu), for alpha from 1e-12 to 1e3', () => {
    const { x, y } = problem(1, 20, 50);
    for (const alpha of [1e-12, 1e-4, 0.01, 0.3, 1, 10, 1e3]) {
      const { w, nu, residual, iterations } = diagonalLinearInterpolator({ x, y, alpha });
      assert.ok(
        residual < 1e-10 && iterations < 50,
        `alpha = ${alpha}: residual ${residual}, ${iterations} steps`,
      );
      assert.ok(relDistance(matVec(x, w), y) < 1e-10, `alpha = ${alpha}: X w != y`);
      const s = x[0].map((_, i) => x.reduce((sum, row, j) => sum + row[i] * nu[j], 0));
      s.forEach((si, i) => assertClose(w[i], 2 * alpha ** 2 * Math.sinh(si), 1e-12 * (1 + Math.abs(w[i]))));
    }
  });

  it('tends to the minimum-l2 interpolator X^T (X X^T)^-1 y as alpha -> infinity (kernel regime)', () => {
    const { x, y } = problem(2, 8, 20);
    const xm = new Matrix(x);
    const minL2 = xm
      .transpose()
      .mmul(solve(xm.mmul(xm.transpose()), Matrix.columnVector(y)))
      .getColumn(0);
    assert.ok(relDistance(diagonalLinearMinL2(x, y), minL2) < 1e-12);
    // The correction is O(w^2 / alpha^4): about 3e-2 at alpha = 1, 4e-6 at alpha = 10, 4e-14 at alpha = 1e3.
    assert.ok(relDistance(diagonalLinearInterpolator({ x, y, alpha: 1e3 }).w, minL2) < 1e-10);
    const at10 = relDistance(diagonalLinearInterpolator({ x, y, alpha: 10 }).w, minL2);
    assert.ok(at10 > 1e-7 && at10 < 1e-4, `alpha = 10: ${at10}`);
  });

  it('tends to the minimum-l1 interpolator (LP vertex enumeration) as alpha -> 0 (rich regime)', () => {
    for (const seed of [3, 4, 5]) {
      const g = gaussian(100 + seed);
      const x = Array.from({ length: 4 }, () => Array.from({ length: 9 }, g));
      const y = Array.from({ length: 4 }, g); // a generic target: min-l1 has 4 nonzeros
      const minL1 = minL1ByVertices(x, y);
      const errors = [1e-2, 1e-5, 1e-10].map((alpha) =>
        relDistance(diagonalLinearInterpolator({ x, y, alpha }).w, minL1),
      );
      assert.ok(
        errors[2] < 1e-3 && errors[2] < errors[1] && errors[1] < errors[0],
        `seed ${seed}: ${errors}`,
      );
    }
  });

  it('recovers a sparse w* from n = 20 < d = 50 only for small alpha', () => {
    const { x, y, wStar } = problem(1, 20, 50);
    assert.ok(relDistance(diagonalLinearInterpolator({ x, y, alpha: 1e-6 }).w, wStar) < 1e-3);
    assert.ok(relDistance(diagonalLinearInterpolator({ x, y, alpha: 10 }).w, wStar) > 0.5);
  });

  it('minimizes Q_alpha on the constraint set (brute-force grid search over the 2-D null space)', () => {
    const x = [
      [1, 0.5, -0.3, 2],
      [0.2, -1, 0.7, 0.4],
    ];
    const y = [1.5, -0.8];
    const particular = diagonalLinearMinL2(x, y);
    // A basis of the null space of X: null vectors from Gaussian elimination by hand, checked below.
    const xm = new Matrix(x);
    const basis = [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ].map((e) => {
      // solve X [v0..v3] = 0 with v0, v2 fixed by e and v1, v3 free: X[:, [1,3]] [v1; v3] = -X[:, [0,2]] [e0; e2].
      const a = new Matrix([
        [x[0][1], x[0][3]],
        [x[1][1], x[1][3]],
      ]);
      const rhs = Matrix.columnVector([
        -(x[0][0] * e[0] + x[0][2] * e[2]),
        -(x[1][0] * e[0] + x[1][2] * e[2]),
      ]);
      const [v1, v3] = solve(a, rhs).getColumn(0);
      return [e[0], v1, e[2], v3];
    });
    basis.forEach((v) => assert.ok(norm(xm.mmul(Matrix.columnVector(v)).getColumn(0)) < 1e-12));
    for (const alpha of [0.15, 0.7, [0.3, 1, 0.5, 2]] as const) {
      const point = (a: number, b: number) => particular.map((p, i) => p + a * basis[0][i] + b * basis[1][i]);
      // Nested grids: 41 x 41 points, then zoom around the best by a factor 10, six times.
      let center = [0, 0];
      let width = 4;
      for (let level = 0; level < 7; level++) {
        let best = Infinity;
        let arg = center;
        for (let i = -20; i <= 20; i++) {
          for (let j = -20; j <= 20; j++) {
            const ab = [center[0] + (i * width) / 20, center[1] + (j * width) / 20];
            const q = diagonalLinearPotential(point(ab[0], ab[1]), alpha);
            if (q < best) [best, arg] = [q, ab];
          }
        }
        center = arg;
        width /= 10;
      }
      const brute = point(center[0], center[1]);
      const solved = diagonalLinearInterpolator({ x, y, alpha }).w;
      assert.ok(relDistance(solved, brute) < 1e-6, `alpha = ${alpha}: ${solved} vs brute force ${brute}`);
    }
  });

  it('is where gradient descent on the diagonal network u+^2 - u-^2 from u+- = alpha ends (small steps, float64)', () => {
    const { x, y } = problem(6, 5, 12, [1.5, -1, 0.8]);
    for (const alpha of [0.1, 0.5, 2, [0.2, 1, 0.4, 0.4, 1.5, 0.3, 0.3, 0.2, 1, 1, 0.5, 0.7]]) {
      const a2max = typeof alpha === 'number' ? alpha ** 2 : Math.max(...alpha.map((a) => a * a));
      const lr = 2e-3 / Math.max(1, a2max);
      const gd = trainDiagonalNet(x, y, alpha, lr, Math.round(60 / lr));
      const theory = diagonalLinearInterpolator({ x, y, alpha }).w;
      const error = relDistance(gd, theory);
      assert.ok(error < 2e-3, `alpha = ${alpha}: GD ends ${error} away (relative) from w_alpha`);
      // ...and not at the other regime's answer.
      const other = diagonalLinearInterpolator({
        x,
        y,
        alpha: typeof alpha === 'number' ? 10 / alpha : 0.01,
      }).w;
      assert.ok(
        relDistance(gd, other) > 10 * error,
        `alpha = ${alpha}: indistinguishable from alpha' = 10/alpha`,
      );
    }
  });

  it('names an infeasible or malformed problem', () => {
    assert.throws(
      () =>
        diagonalLinearInterpolator({
          x: [
            [1, 2],
            [2, 4],
          ],
          y: [1, 0],
          alpha: 1,
        }),
      /X \(2 x 2\) needs full row rank n <= d/,
    );
    assert.throws(
      () => diagonalLinearInterpolator({ x: [[1, 2]], y: [1, 2], alpha: 1 }),
      /x has 1 rows but y has 2/,
    );
    assert.throws(
      () => diagonalLinearInterpolator({ x: [[1], [2]], y: [1, 2], alpha: 1 }),
      /X \(2 x 1\) needs full/,
    );
    assert.throws(
      () => diagonalLinearInterpolator({ x: [[1, NaN]], y: [1], alpha: 1 }),
      /x\[0\]\[1\] must be finite/,
    );
  });
});
