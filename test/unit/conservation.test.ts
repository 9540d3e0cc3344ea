import assert from 'node:assert/strict';
import { saxeMode } from '../../src/theory/deepLinear';
import {
  balanceDecayGd,
  balanceDriftGd,
  balanceFlowDecay,
  depth2BalanceFlowDrift,
  depth2BalanceGd,
} from '../../src/theory/conservation';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('balanceDriftGd', () => {
  it('adds lr^2 * gap per step without weight decay', () => {
    const d = balanceDriftGd({ d0: 1, gradientGaps: [2, 2], lr: 0.1 });
    assert.equal(d.length, 3);
    assertRelClose(d[1], 1.02, 1e-15);
    assertRelClose(d[2], 1.04, 1e-15);
  });

  it('with weight decay and a constant gap g is the geometric series k^(2t) D0 + lr^2 g (1 - k^(2t)) / (1 - k^2)', () => {
    const lr = 0.05;
    const wd = 0.3;
    const g = -0.7;
    const k2 = (1 - lr * wd) ** 2;
    const d = balanceDriftGd({ d0: 2, gradientGaps: new Array(200).fill(g), lr, weightDecay: wd });
    for (const t of [1, 17, 200]) {
      assertRelClose(d[t], k2 ** t * 2 + (lr * lr * g * (1 - k2 ** t)) / (1 - k2), 1e-12, `t = ${t}`);
    }
  });

  it('takes one step size per step', () => {
    const d = balanceDriftGd({ d0: 0, gradientGaps: [1, 1], lr: [0.1, 0.2] });
    assertRelClose(d[2], 0.05, 1e-15);
    assert.throws(() => balanceDriftGd({ d0: 0, gradientGaps: [1, 1], lr: [0.1] }), RangeError);
  });
});

describe('balanceFlowDecay / balanceDecayGd', () => {
  it('decays as exp(-2 wd tau), and (1 - lr wd)^(2t) tends to it at fixed tau = lr t', () => {
    assertRelClose(balanceFlowDecay(3, 0.1, 5), 3 * Math.exp(-1), 1e-15);
    assert.equal(balanceFlowDecay(3, 0, 5), 3);
    const flow = balanceFlowDecay(3, 0.1, 5);
    const errors = [0.1, 0.01].map((lr) => Math.abs(balanceDecayGd(3, lr, 0.1, 5 / lr) / flow - 1));
    // The GD error is O(lr): (1 - x)^(2 tau / lr) = exp(-2 wd tau) (1 - wd^2 lr tau + ...) = 0.5% at lr = 0.1.
    assertRelClose(errors[0], 0.1 * 0.1 * 0.1 * 5, 0.05);
    assertRelClose(errors[0] / errors[1], 10, 0.01);
  });
});

describe('depth2BalanceGd', () => {
  const args = { a0: 0.3, b0: 0.05, lambda: 2, c: 0.5, lr: 0.05 };

  it('multiplies D = b^2 - a^2 by 1 - (2 c lr (lambda - s))^2 every step', () => {
    const steps = range(400);
    const { s, balance } = depth2BalanceGd({ ...args, steps });
    for (let t = 0; t + 1 < steps.length; t++) {
      const factor = 1 - (2 * args.c * args.lr * (args.lambda - s[t])) ** 2;
      assertRelClose(balance[t + 1], balance[t] * factor, 1e-12, `step ${t}`);
    }
    assertRelClose(balance[0], 0.05 ** 2 - 0.3 ** 2, 1e-15);
    assertRelClose(s[399], args.lambda, 1e-9);
  });

  it('conserves D as lr -> 0 at fixed tau (the change is O(lr))', () => {
    const tau = 3;
    const change = [0.02, 0.01].map((lr) => {
      const { balance } = depth2BalanceGd({ ...args, lr, steps: [0, tau / lr] });
      return balance[1] - balance[0];
    });
    assert.ok(change[0] > 0 && change[1] > 0, 'GD shrinks the negative imbalance towards 0');
    assertRelClose(change[0] / change[1], 2, 0.03);
  });
});

describe('depth2BalanceFlowDrift', () => {
  it('keeps s on the logistic of entry 1 when the mode is balanced (D = 0 stays 0)', () => {
    // With D = 0, ds/dtau = 2c (lambda - s) 2s: the depth-2 Saxe ODE; its drift prediction is identically 0.
    const steps = [0, 100, 400];
    const d = depth2BalanceFlowDrift({ s0: 1e-3, d0: 0, lambda: 2, c: 0.5, lr: 0.01, steps });
    assert.deepEqual(d, [0, 0, 0]);
  });

  it('predicts the GD drift of D from the gradient flow alone, with an O(lr) error', () => {
    const a0 = 0.3;
    const b0 = 0.05;
    const lambda = 2;
    const c = 0.5;
    const tau = 4;
    const errors = [0.04, 0.02, 0.01].map((lr) => {
      const steps = [0, Math.round(tau / 2 / lr), Math.round(tau / lr)];
      const gd = depth2BalanceGd({ a0, b0, lambda, c, lr, steps }).balance;
      const flow = depth2BalanceFlowDrift({
        s0: a0 * b0,
        d0: b0 ** 2 - a0 ** 2,
        lambda,
        c,
        lr,
        steps,
        substeps: 4,
      });
      const measured = Math.log(gd[2] / gd[0]);
      const predicted = Math.log(flow[2] / flow[0]);
      assert.ok(Math.abs(measured) > 1e-3, `lr ${lr}: the drift must be visible (${measured})`);
      return Math.abs(predicted / measured - 1);
    });
    assert.ok(errors[2] < 0.05, `relative error of the drift at lr = 0.01: ${errors[2]}`);
    assertRelClose(errors[0] / errors[1], 2, 0.25, 'error halves with lr (0.04 -> 0.02)');
    assertRelClose(errors[1] / errors[2], 2, 0.25, 'error halves with lr (0.02 -> 0.01)');
  });

  it('integrates the balanced flow exactly: s(tau) is the logistic when D = 0 (checked via a tiny D)', () => {
    // For |D| << s the flow is the Saxe logistic; the drift is then lr * 4 c^2 integral (lambda - s)^2.
    const lambda = 3;
    const c = 1;
    const s0 = 0.01;
    const lr = 1e-3;
    const steps = range(801);
    const d = depth2BalanceFlowDrift({ s0, d0: 1e-9, lambda, c, lr, steps });
    let integral = 0;
    for (let i = 1; i < steps.length; i++) {
      const r0 = lambda - saxeMode(lr * (i - 1), lambda, s0, c);
      const r1 = lambda - saxeMode(lr * i, lambda, s0, c);
      integral += (lr * (r0 * r0 + r1 * r1)) / 2;
    }
    assertRelClose(Math.log(d[800] / 1e-9), -4 * c * c * lr * integral, 1e-4);
  });
});
