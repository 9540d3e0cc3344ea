import assert from 'node:assert/strict';
import {
  catapultObservedPhase,
  catapultPhase,
  catapultUvStep,
  catapultUvTrajectory,
} from '../../src/theory/catapult';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

/** A uv model f = v^T u x / sqrt(n) in float64, with a unit input x, trained by plain GD on (1/2)(f - y)^2. */
class UvModel {
  u: number[][];
  v: number[];
  x: number[];
  constructor(
    readonly n: number,
    d: number,
    seed: number,
  ) {
    const g = gaussian(seed);
    this.u = Array.from({ length: n }, () => Array.from({ length: d }, g));
    this.v = Array.from({ length: n }, g);
    const x = Array.from({ length: d }, g);
    const norm = Math.hypot(...x);
    this.x = x.map((xi) => xi / norm);
  }
  hidden(): number[] {
    return this.u.map((row) => row.reduce((s, uij, j) => s + uij * this.x[j], 0));
  }
  f(): number {
    const h = this.hidden();
    return this.v.reduce((s, vi, i) => s + vi * h[i], 0) / Math.sqrt(this.n);
  }
  /** |grad_theta f|^2, summed over every entry of the gradient (not the closed form (|v|^2 + |ux|^2)/n). */
  ntk(): number {
    const h = this.hidden();
    const s = Math.sqrt(this.n);
    let sum = 0;
    for (let i = 0; i < this.n; i++) {
      sum += (h[i] / s) ** 2; // df/dv_i
      for (const xj of this.x) sum += ((this.v[i] * xj) / s) ** 2; // df/du_ij
    }
    return sum;
  }
  /** One GD step with the chain-rule gradient: dL/dv_i = g h_i / sqrt(n), dL/du_ij = g v_i x_j / sqrt(n). */
  step(lr: number, y: number): void {
    const g = this.f() - y;
    const h = this.hidden();
    const s = Math.sqrt(this.n);
    const v = [...this.v];
    this.v = this.v.map((vi, i) => vi - (lr * g * h[i]) / s);
    this.u = this.u.map((row, i) => row.map((uij, j) => uij - (lr * g * v[i] * this.x[j]) / s));
  }
}

describe('catapultUvStep', () => {
  it('is one GD step of the uv model exactly (float64 GD, catapult phase, target 0 and 0.7)', () => {
    for (const [y, lr] of [
      [0, 1.5],
      [0.7, 1.3],
    ]) {
      const model = new UvModel(50, 4, 1);
      let state = { f: model.f(), lambda: model.ntk() };
      let peak = 0;
      for (let t = 0; t < 200; t++) {
        model.step(lr, y);
        state = catapultUvStep(state, { lr, width: 50, target: y });
        const f = model.f();
        peak = Math.max(peak, Math.abs(f - y));
        // Absolute 1e-9 near convergence (f - y ~ 1e-10 is rounding of f), relative 1e-9 during the spike.
        assert.ok(
          Math.abs(state.f - f) <= 1e-9 * Math.max(1, Math.abs(f)),
          `y = ${y}, step ${t + 1}: f ${state.f} vs ${f}`,
        );
        assertRelClose(state.lambda, model.ntk(), 1e-10, `y = ${y}, step ${t + 1}, lambda:`);
      }
      assert.ok(
        peak > 3 && Math.abs(state.f - y) < 1e-6,
        `y = ${y}: a spike to ${peak}, then convergence: ${JSON.stringify(state)}`,
      );
    }
  });

  it('has the gradient it assumes (the model GD above, checked against finite differences of the loss)', () => {
    const model = new UvModel(6, 3, 2);
    const y = 0.3;
    const loss = () => (model.f() - y) ** 2 / 2;
    const g = model.f() - y;
    const h = model.hidden();
    const fd = (get: () => number, set: (value: number) => void) => {
      const x0 = get();
      set(x0 + 1e-6);
      const plus = loss();
      set(x0 - 1e-6);
      const minus = loss();
      set(x0);
      return (plus - minus) / 2e-6;
    };
    const i = 2;
    assertRelClose(
      fd(
        () => model.v[i],
        (value) => (model.v[i] = value),
      ),
      (g * h[i]) / Math.sqrt(6),
      1e-7,
    );
    assertRelClose(
      fd(
        () => model.u[i][1],
        (value) => (model.u[i][1] = value),
      ),
      (g * model.v[i] * model.x[1]) / Math.sqrt(6),
      1e-7,
    );
  });

  it('matches the hand-computed step f = 1, lambda = 2, lr = 1.5, n = 100', () => {
    const next = catapultUvStep({ f: 1, lambda: 2 }, { lr: 1.5, width: 100 });
    assertRelClose(next.f, -2 + 0.0225, 1e-15);
    assertRelClose(next.lambda, 2 - 0.015, 1e-15);
  });
});

describe('catapultUvTrajectory', () => {
  it('samples the iterated map and finds the peak between samples', () => {
    const problem = { f0: 1, lambda0: 2, lr: 1.5, width: 1000 };
    const dense = catapultUvTrajectory({ ...problem, steps: Array.from({ length: 101 }, (_, t) => t) });
    const sparse = catapultUvTrajectory({ ...problem, steps: [0, 50, 100] });
    assert.deepEqual(sparse.loss, [dense.loss[0], dense.loss[50], dense.loss[100]]);
    assert.deepEqual(sparse.lambda, [dense.lambda[0], dense.lambda[50], dense.lambda[100]]);
    const peak = Math.max(...dense.loss);
    assert.equal(sparse.peakLoss, peak);
    assert.equal(sparse.peakStep, dense.loss.indexOf(peak));
    assert.ok(sparse.peakStep > 0 && peak > 100, `a spike of order n: ${peak} at step ${sparse.peakStep}`);
    dense.loss.forEach((loss, t) => assert.equal(loss, dense.f[t] ** 2 / 2));
  });

  it('shows the three phases at large width: lazy, catapult with lambda_inf < 2/lr, divergent', () => {
    const width = 1e6;
    for (const lrLambda of [0.5, 1.5, 1.95, 2.05, 2.5, 3, 3.5, 3.95, 4.05, 5]) {
      const lr = lrLambda / 2;
      const run = catapultUvTrajectory({
        f0: 1,
        lambda0: 2,
        lr,
        width,
        steps: Array.from({ length: 3001 }, (_, t) => t),
      });
      const observed = catapultObservedPhase(run.loss);
      assert.equal(observed, catapultPhase(lr, 2), `lr lambda0 = ${lrLambda}`);
      const last = run.lambda[run.lambda.length - 1];
      if (observed === 'lazy') assertRelClose(last, 2, 1e-4, `lazy, lr lambda0 = ${lrLambda}: lambda moved`);
      if (observed === 'catapult') {
        assert.ok(lr * last < 2, `catapult, lr lambda0 = ${lrLambda}: lr lambda_inf = ${lr * last}`);
        assert.ok(run.peakLoss > 1e3 * run.loss[0], `catapult, lr lambda0 = ${lrLambda}: no spike`);
      }
    }
  });

  it('has a spike proportional to the width (peak loss / n within 10% of 0.175 for n = 1e3..1e6)', () => {
    // The iterates land on the unstable manifold of (0, lambda0) at places set by ln(n) / ln|1 - lr lambda0|,
    // so peak / n wobbles with n (0.185, 0.161, 0.170, 0.184) instead of converging: 10% is that wobble.
    const ratios = [1e3, 1e4, 1e5, 1e6].map((width) => {
      const run = catapultUvTrajectory({ f0: 1, lambda0: 2, lr: 1.5, width, steps: [200] });
      return run.peakLoss / width;
    });
    ratios.forEach((r) => assertRelClose(r, 0.175, 0.1, `peak / n: ${ratios}`));
  });

  it('names a bad problem', () => {
    assert.throws(
      () => catapultUvTrajectory({ f0: 1, lambda0: 2, lr: 0, width: 10, steps: [1] }),
      /lr must be/,
    );
    assert.throws(
      () => catapultUvTrajectory({ f0: 1, lambda0: 2, lr: 1, width: 10, steps: [3, 1] }),
      /ascending/,
    );
    assert.throws(
      () => catapultUvTrajectory({ f0: NaN, lambda0: 2, lr: 1, width: 10, steps: [1] }),
      /f0 must/,
    );
  });
});

describe('catapultPhase', () => {
  it('puts the edges at lr lambda0 = 2 and 4 (or the given upper edge)', () => {
    assert.equal(catapultPhase(0.99, 2), 'lazy');
    assert.equal(catapultPhase(1, 2), 'catapult');
    assert.equal(catapultPhase(1.99, 2), 'catapult');
    assert.equal(catapultPhase(2, 2), 'divergent');
    assert.equal(catapultPhase(5, 2, { upperEdge: 12 }), 'catapult');
    assert.equal(catapultPhase(6, 2, { upperEdge: 12 }), 'divergent');
    assert.throws(() => catapultPhase(1, 0), /lambda0 must be finite and > 0/);
    assert.throws(() => catapultPhase(1, 1, { upperEdge: 2 }), /upperEdge must be > 2/);
  });
});

describe('catapultObservedPhase', () => {
  it('reads the phase off a loss curve', () => {
    assert.equal(catapultObservedPhase([0.5, 0.3, 0.1, 1e-3]), 'lazy');
    assert.equal(catapultObservedPhase([0.5, 2, 40, 3, 0.1, 1e-3]), 'catapult');
    assert.equal(catapultObservedPhase([0.5, 2, 40, 3, 0.1, 1e-3], { spike: 100 }), 'lazy');
    assert.equal(catapultObservedPhase([0.5, 2, 40, 1e3, Infinity]), 'divergent');
    assert.equal(catapultObservedPhase([0.5, 2, 40, 1e3, NaN]), 'divergent');
    assert.equal(catapultObservedPhase([0.5, 2, 40, 3, 0.4]), 'divergent', 'not converged yet');
    assert.equal(catapultObservedPhase([0.5, 2, 0.1, 1e-3], { lrTimesSharpness: 2.1 }), 'divergent');
    assert.throws(() => catapultObservedPhase([1]), /at least 2 steps/);
  });
});
