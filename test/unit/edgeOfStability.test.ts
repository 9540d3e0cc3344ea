import assert from 'node:assert/strict';
import {
  adamSharpnessThreshold,
  edgeOfStabilityHover,
  edgeOfStabilityThreshold,
  gdSharpnessThreshold,
  momentumQuadraticRadius,
  momentumSharpnessThreshold,
} from '../../src/theory/edgeOfStability';

/**
 * Runs the optimizer itself on the 1-D quadratic L = lambda x^2 / 2 and reports whether |x| grew over many
 * steps: an independent check of the thresholds (no formula from the module is used).
 */
function diverges(opt: 'gd' | 'momentum' | 'adam', lr: number, lambda: number, beta: number): boolean {
  let x = 1;
  let m = 0;
  for (let t = 0; t < 4000; t++) {
    const g = lambda * x;
    if (opt === 'gd') x -= lr * g;
    else if (opt === 'momentum') {
      m = beta * m + g;
      x -= lr * m;
    } else {
      // Adam with a frozen preconditioner P: m is the (1 - beta1) EMA of gradients, x <- x - lr m / P.
      const p = 0.5;
      m = beta * m + (1 - beta) * g;
      x -= (lr * m) / p;
    }
  }
  return Math.abs(x) > 1;
}

describe('edge-of-stability thresholds', () => {
  it('are 2/lr, (2 + 2 beta)/lr and (2 + 2 beta1)/((1 - beta1) lr) = 38/lr at beta1 = 0.9', () => {
    assert.equal(gdSharpnessThreshold(0.3), 2 / 0.3);
    assert.ok(Math.abs(momentumSharpnessThreshold(0.1, 0.9) - 38) < 1e-12);
    assert.ok(Math.abs(adamSharpnessThreshold(0.01, 0.9) - 3800) < 1e-9);
    assert.equal(edgeOfStabilityThreshold('gd', 0.5), 4);
    assert.equal(edgeOfStabilityThreshold('momentum', 0.5, 0.5), 6);
    assert.ok(Math.abs(edgeOfStabilityThreshold('adam', 1) - 38) < 1e-12);
  });

  it('separate convergence from divergence on a quadratic, run by the optimizers themselves', () => {
    for (const [opt, beta, lr] of [
      ['gd', 0, 0.3],
      ['momentum', 0.9, 0.1],
      ['momentum', 0.5, 0.5],
      ['adam', 0.9, 0.01],
      ['adam', 0.5, 0.2],
    ] as const) {
      const threshold = edgeOfStabilityThreshold(opt, lr, beta);
      // Adam's threshold is on the preconditioned curvature lambda / P with P = 0.5.
      const lambda = opt === 'adam' ? 0.5 * threshold : threshold;
      assert.equal(diverges(opt, lr, 0.99 * lambda, beta), false, `${opt} beta ${beta}: 0.99 threshold`);
      assert.equal(diverges(opt, lr, 1.01 * lambda, beta), true, `${opt} beta ${beta}: 1.01 threshold`);
    }
  });

  it('rejects a non-positive lr or beta outside [0, 1)', () => {
    assert.throws(() => gdSharpnessThreshold(0), RangeError);
    assert.throws(() => adamSharpnessThreshold(0.1, 1), RangeError);
    assert.throws(() => edgeOfStabilityThreshold('sgd' as 'gd', 0.1), RangeError);
  });
});

describe('momentumQuadraticRadius', () => {
  it('is |1 - lr lambda| for GD (beta = 0)', () => {
    assert.equal(momentumQuadraticRadius(0.5, 0), 0.5);
    assert.equal(momentumQuadraticRadius(2.5, 0), 1.5);
  });

  it('crosses 1 exactly at lr lambda = 2 + 2 beta (heavy ball) and (2 + 2 beta)/(1 - beta) (EMA)', () => {
    for (const beta of [0.3, 0.9]) {
      const hb = 2 + 2 * beta;
      assert.ok(momentumQuadraticRadius(0.999 * hb, beta) < 1);
      assert.ok(momentumQuadraticRadius(1.001 * hb, beta) > 1);
      assert.ok(Math.abs(momentumQuadraticRadius(hb, beta) - 1) < 1e-12);
      const ema = hb / (1 - beta);
      assert.ok(momentumQuadraticRadius(0.999 * ema, beta, 'ema') < 1);
      assert.ok(momentumQuadraticRadius(1.001 * ema, beta, 'ema') > 1);
    }
  });

  it('equals the measured per-step growth of heavy ball past the threshold', () => {
    const beta = 0.5;
    const lrLambda = 3.3; // threshold 3
    let x = 1;
    let m = 0;
    const xs: number[] = [];
    for (let t = 0; t < 200; t++) {
      m = beta * m + lrLambda * x; // lr = 1, lambda = lrLambda
      x -= m;
      xs.push(Math.abs(x));
    }
    const growth = (xs[199] / xs[99]) ** (1 / 100);
    assert.ok(Math.abs(growth - momentumQuadraticRadius(lrLambda, beta)) < 1e-6, `${growth}`);
  });

  it('is sqrt(beta) for complex roots (damped oscillation)', () => {
    assert.ok(Math.abs(momentumQuadraticRadius(1, 0.81) - 0.9) < 1e-12);
  });
});

describe('edgeOfStabilityHover', () => {
  it('is the median of S/threshold from the first crossing on', () => {
    const s = [1, 2, 3, 4.1, 3.9, 4.0, 4.2, 3.8, 4.0];
    const hover = edgeOfStabilityHover(s, 4);
    assert.equal(hover.crossing, 3);
    assert.equal(hover.samples, 6);
    assert.equal(hover.ratio, 1);
  });

  it('ignores spikes (median, not mean) and skips non-finite samples, keeping the original index', () => {
    const hover = edgeOfStabilityHover([Number.NaN, 2, 5, 50, 5, 5.1], 5);
    assert.equal(hover.crossing, 2);
    assert.equal(hover.ratio, (1 + 1.02) / 2);
  });

  it('falls back to the last quarter, below 1, when the edge is never reached', () => {
    const s = [1, 2, 3, 4, 5, 6, 7, 8];
    const hover = edgeOfStabilityHover(s, 20);
    assert.equal(hover.crossing, -1);
    assert.equal(hover.samples, 2);
    assert.equal(hover.ratio, 7.5 / 20);
  });

  it('is NaN with no finite sample', () => {
    assert.ok(Number.isNaN(edgeOfStabilityHover([], 2).ratio));
  });
});
