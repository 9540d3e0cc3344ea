import assert from 'node:assert/strict';
import { Matrix } from 'ml-matrix';
import { linearizedNtkGd } from '../../src/theory/linearizedNtk';
import { gaussian } from './gaussian';

const draw = (seed: number, rows: number, cols: number) => {
  const random = gaussian(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => random()));
};

function assertVectorClose(actual: number[], expected: number[], rel: number, what = ''): void {
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((v, i) => {
    const err = Math.abs(v - expected[i]) / scale;
    assert.ok(err <= rel, `${what}[${i}]: ${v} vs ${expected[i]} (error ${err} of the scale)`);
  });
}

/**
 * A linear model f(w, x) = phi(x) . w is its own linearization, so weight-space GD on
 * L = c sum_i (f(x_i) - y_i)^2 / n (gradient (2c/n) Phi^T (Phi w - y)) must follow the prediction made from
 * Theta = Phi Phi^T exactly. `outputs` > 1 stacks k linear heads on the same features (w is P x k).
 */
function weightSpaceGd(options: {
  n: number;
  test: number;
  features: number;
  outputs: number;
  c: number;
  lr: number;
  seed: number;
}) {
  const { n, test, features, outputs: k, c, lr, seed } = options;
  const phi = new Matrix(draw(seed, n, features)).div(Math.sqrt(features));
  const phiTest = new Matrix(draw(seed + 1, test, features)).div(Math.sqrt(features));
  const y = new Matrix(draw(seed + 2, n, k));
  let w = new Matrix(draw(seed + 3, features, k));
  // Output (i, a) has gradient phi(x_i) in head a's weights: the NTK is (Phi Phi^T) (x) I_k, example-major.
  const block = (a: Matrix, b: Matrix) =>
    Array.from({ length: a.rows * k }, (_, r) =>
      Array.from({ length: b.rows * k }, (__, s) =>
        r % k === s % k
          ? a.getRow(Math.floor(r / k)).reduce((sum, v, p) => sum + v * b.get(Math.floor(s / k), p), 0)
          : 0,
      ),
    );
  const flat = (m: Matrix) => m.to1DArray();
  const problem = {
    kernel: block(phi, phi),
    crossKernel: block(phiTest, phi),
    f0: flat(phi.mmul(w)),
    f0Test: flat(phiTest.mmul(w)),
    y: flat(y),
    lr,
    c,
    examples: n,
  };
  const trajectory: { train: number[]; test: number[]; loss: number }[] = [];
  for (let t = 0; t <= 200; t++) {
    const residual = phi.mmul(w).sub(y);
    trajectory.push({
      train: flat(phi.mmul(w)),
      test: flat(phiTest.mmul(w)),
      loss: (c * residual.norm('frobenius') ** 2) / n,
    });
    w = w.sub(
      phi
        .transpose()
        .mmul(residual)
        .mul((2 * c * lr) / n),
    );
  }
  return { problem, trajectory };
}

describe('linearizedNtkGd', () => {
  for (const [c, k] of [
    [0.5, 1],
    [1, 1],
    [0.5, 3],
  ]) {
    it(`reproduces weight-space GD of a linear model exactly (c = ${c}, ${k} output${k > 1 ? 's' : ''}, train and test)`, () => {
      // 12 examples, 30 features: Theta has full rank 12 k; features > n so the kernel has full rank.
      const { problem, trajectory } = weightSpaceGd({
        n: 12,
        test: 5,
        features: 30,
        outputs: k,
        c,
        lr: 0.9,
        seed: 10 * c + k,
      });
      const lin = linearizedNtkGd(problem);
      for (const t of [0, 1, 7, 60, 200]) {
        assertVectorClose(lin.train(t), trajectory[t].train, 1e-10, `train t=${t}`);
        assertVectorClose(lin.test(t), trajectory[t].test, 1e-10, `test t=${t}`);
        assert.ok(
          Math.abs(lin.trainLoss(t) - trajectory[t].loss) <= 1e-10 * trajectory[0].loss,
          `loss t=${t}`,
        );
      }
    });
  }

  it('handles a rank-deficient kernel (more examples than features): null directions stay put', () => {
    const { problem, trajectory } = weightSpaceGd({
      n: 20,
      test: 4,
      features: 6,
      outputs: 1,
      c: 0.5,
      lr: 0.5,
      seed: 3,
    });
    const lin = linearizedNtkGd(problem);
    assert.equal(lin.eigenvalues.filter((v) => v === 0).length, 14);
    assertVectorClose(lin.train(200), trajectory[200].train, 1e-9, 'train');
    assertVectorClose(lin.test(200), trajectory[200].test, 1e-9, 'test');
  });

  it('uses a = 2 c lr / n: the documented example and gradient flow exp(-2 c lambda tau / n) on a diagonal kernel', () => {
    const gd = linearizedNtkGd({
      kernel: [
        [2, 0],
        [0, 1],
      ],
      f0: [0, 0],
      y: [1, 1],
      lr: 0.5,
    });
    assertVectorClose(gd.train(1), [0.5, 0.25], 1e-15);
    const flow = linearizedNtkGd({
      kernel: [
        [2, 0],
        [0, 1],
      ],
      f0: [0, 0],
      y: [1, 1],
      lr: 0.5,
      c: 1,
      dynamics: 'flow',
    });
    // tau = 0.5 * 3 = 1.5, n = 2, c = 1: f = 1 - exp(-lambda * 1.5).
    assertVectorClose(flow.train(3), [1 - Math.exp(-3), 1 - Math.exp(-1.5)], 1e-14);
    assert.ok(Math.abs(flow.trainLoss(3) - (Math.exp(-6) + Math.exp(-3)) / 2) < 1e-15);
  });

  it('approaches gradient flow as lr -> 0 at fixed tau (test predictions included)', () => {
    const { problem } = weightSpaceGd({ n: 8, test: 3, features: 20, outputs: 1, c: 0.5, lr: 1, seed: 5 });
    const flow = linearizedNtkGd({ ...problem, lr: 1, dynamics: 'flow' }).test(2.5);
    const fine = linearizedNtkGd({ ...problem, lr: 1e-4 }).test(25000); // tau = 2.5
    const coarse = linearizedNtkGd({ ...problem, lr: 0.1 }).test(25);
    assertVectorClose(fine, flow, 1e-4, 'lr 1e-4');
    const coarseError = Math.max(...coarse.map((v, i) => Math.abs(v - flow[i])));
    assert.ok(coarseError > 1e-4, `lr = 0.1 should differ visibly from the flow, got ${coarseError}`);
  });

  it('reports n / (c lambda_max) as the stability edge, where the linearized GD starts to diverge', () => {
    const { problem } = weightSpaceGd({ n: 10, test: 1, features: 25, outputs: 1, c: 0.5, lr: 1, seed: 7 });
    const edge = linearizedNtkGd(problem).maxStableLr;
    const lambdaMax = linearizedNtkGd(problem).eigenvalues[0];
    assert.ok(Math.abs(edge - 10 / (0.5 * lambdaMax)) < 1e-12 * edge);
    const below = linearizedNtkGd({ ...problem, lr: 0.95 * edge });
    const above = linearizedNtkGd({ ...problem, lr: 1.05 * edge });
    assert.ok(below.trainLoss(2000) < below.trainLoss(0));
    assert.ok(above.trainLoss(2000) > 1e6 * above.trainLoss(0));
  });

  it('rejects inconsistent inputs', () => {
    assert.throws(() => linearizedNtkGd({ kernel: [[1, 0]], f0: [0], y: [0], lr: 1 }), RangeError);
    assert.throws(() => linearizedNtkGd({ kernel: [[1]], f0: [0], y: [0], lr: 1 }).test(1), RangeError);
    assert.throws(() => linearizedNtkGd({ kernel: [[1]], f0: [0], y: [0], lr: 1 }).train(0.5), RangeError);
    assert.throws(
      () =>
        linearizedNtkGd({
          kernel: [
            [1, 0],
            [0, 1],
          ],
          f0: [0, 0],
          y: [0, 0],
          lr: 1,
          examples: 3,
        }),
      RangeError,
    );
  });
});
