import assert from 'node:assert/strict';
import { balancedGdModes, rk4Mode, saxeHalfTime, saxeMode } from '../../src/theory/deepLinear';
import {
  saddleCrossingTime,
  saddleEscapeTime,
  saddleLossDropTimes,
  saddlePlateauLaw,
  saddleSlopeFit,
} from '../../src/theory/saddleToSaddle';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('saddleEscapeTime', () => {
  it('is ln(lambda/s0 - 1) / (4 c lambda) at depth 2 (= saxeHalfTime; ln(4e6 - 1)/8 = 1.90022558...)', () => {
    const tau = saddleEscapeTime({ lambda: 4, s0: 1e-6, depth: 2, c: 0.5 });
    assertRelClose(tau, Math.log(4e6 - 1) / 8, 1e-14);
    assertRelClose(tau, saxeHalfTime(4, 1e-6, 0.5), 1e-14);
    assertRelClose(tau, 1.9002255836355166, 1e-14);
  });

  it('reaches level * lambda on the logistic at depth 2 for any level', () => {
    const tau = saddleEscapeTime({ lambda: 3, s0: 1e-5, depth: 2, c: 1, level: 0.9 });
    assertRelClose(saxeMode(tau, 3, 1e-5, 1), 2.7, 1e-12);
  });

  it('is ln((lambda - s0)/(lambda - s1)) / (2c) at depth 1', () => {
    assertRelClose(saddleEscapeTime({ lambda: 2, s0: 0.1, depth: 1, c: 0.5 }), Math.log(1.9 / 1), 1e-14);
  });

  for (const depth of [3, 4]) {
    it(`matches the crossing time of the depth-${depth} ODE integrated by RK4 with small steps`, () => {
      const lambda = 2;
      const s0 = 1e-3;
      const c = 0.5;
      const lr = 1e-3;
      const expected = saddleEscapeTime({ lambda, s0, depth, c });
      const steps = range(Math.ceil((1.5 * expected) / lr));
      const s = rk4Mode({ lambda, s0, depth, c, lr, steps });
      const crossing = lr * saddleCrossingTime(steps, s, lambda / 2);
      // Linear interpolation of a smooth curve between steps of 1e-3: error << 1e-6.
      assertRelClose(crossing, expected, 1e-6, `depth ${depth}`);
    });
  }

  it('approaches the leading-order escape time s0^-(1 - 2/L) / (2 c (L - 2) lambda) as s0 -> 0 (L = 3)', () => {
    const lambda = 1.5;
    const c = 0.5;
    const law = saddlePlateauLaw(lambda, 3, c);
    assert.equal(law.kind, 'power');
    if (law.kind !== 'power') return;
    for (const [s0, rel] of [
      [1e-6, 0.02],
      [1e-12, 2e-4],
    ]) {
      const leading = law.prefactor * s0 ** -(1 - 2 / 3);
      assertRelClose(saddleEscapeTime({ lambda, s0, depth: 3, c }), leading, rel, `s0 = ${s0}`);
    }
  });

  it('rejects s0 outside (0, level * lambda)', () => {
    assert.throws(() => saddleEscapeTime({ lambda: 1, s0: 0.6, depth: 2, c: 1 }), RangeError);
    assert.throws(() => saddleEscapeTime({ lambda: 1, s0: 0, depth: 3, c: 1 }), RangeError);
  });
});

describe('saddlePlateauLaw', () => {
  it('gives slope L/(4 c lambda) at depth 2, exponent L - 2 beyond, no plateau at depth 1', () => {
    assert.deepEqual(saddlePlateauLaw(2, 2, 0.5), { kind: 'log', slope: 0.5 });
    assert.deepEqual(saddlePlateauLaw(2, 4, 0.5), { kind: 'power', exponent: 2, prefactor: 0.25 });
    assert.deepEqual(saddlePlateauLaw(2, 1, 0.5), { kind: 'none' });
  });

  it('at depth 2 is the slope of the exact escape times against ln(1/sigma) (s0 = sigma^2)', () => {
    const sigmas = [1e-2, 1e-3, 1e-4, 1e-5];
    const times = sigmas.map((sigma) => saddleEscapeTime({ lambda: 3, s0: sigma ** 2, depth: 2, c: 1 }));
    const slope = saddleSlopeFit(
      sigmas.map((sigma) => Math.log(1 / sigma)),
      times,
    );
    const law = saddlePlateauLaw(3, 2, 1);
    assert.equal(law.kind, 'log');
    if (law.kind === 'log') assertRelClose(slope, law.slope, 1e-4);
  });

  it('with lr, is the slope of brute-force balanced GD (jump steps vs ln(1/sigma)), not the flow value', () => {
    const lambda = 4;
    const c = 1;
    const lr = 0.01;
    const sigmas = [1e-2, 1e-3, 1e-4];
    const steps = range(1500);
    const times = sigmas.map((sigma) => {
      // Balanced aligned depth-2 mode, a = b = sigma, s0 = sigma^2: exact discrete GD.
      const s = balancedGdModes({ lambdas: [lambda], a0: sigma, depth: 2, c, lr, steps }).map((r) => r[0]);
      return lr * saddleCrossingTime(steps, s, lambda / 2);
    });
    const slope = saddleSlopeFit(
      sigmas.map((sigma) => Math.log(1 / sigma)),
      times,
    );
    const gd = saddlePlateauLaw(lambda, 2, c, lr);
    const flow = saddlePlateauLaw(lambda, 2, c);
    assert.ok(gd.kind === 'log' && flow.kind === 'log');
    if (gd.kind !== 'log' || flow.kind !== 'log') return;
    assertRelClose(slope, gd.slope, 1e-3, 'GD-corrected slope');
    // The flow slope is off by about c lambda lr = 4%: the brute force must tell them apart.
    assert.ok(Math.abs(slope / flow.slope - 1) > 0.03, `slope ${slope} vs flow ${flow.slope}`);
    assertRelClose(gd.slope, lr / Math.log(1.08), 1e-14);
  });
});

describe('saddleSlopeFit / saddleCrossingTime', () => {
  it('fits the slope of an exact line and of noisy symmetric data', () => {
    assertRelClose(saddleSlopeFit([1, 2, 3, 4], [3, 5, 7, 9]), 2, 1e-15);
    // Residuals (+1, -1, -1, +1) are orthogonal to x - mean(x): the slope is unchanged.
    assertRelClose(saddleSlopeFit([1, 2, 3, 4], [4, 4, 6, 10]), 2, 1e-15);
    assert.ok(Number.isNaN(saddleSlopeFit([1, 2], [1, NaN])));
  });

  it('interpolates the first upward crossing linearly, NaN when there is none', () => {
    assert.equal(saddleCrossingTime([0, 10, 20, 30], [0, 1, 3, 0], 2), 15);
    assert.equal(saddleCrossingTime([0, 10], [0, 1], 2), NaN);
  });
});

describe('saddleLossDropTimes', () => {
  it('finds the drops of a two-mode staircase at s = lambda/3, ln 2/(4 c lambda) before the half-times', () => {
    const c = 1;
    const lambdas = [4, 1];
    const s0 = 1e-8;
    const dt = 1e-3;
    const taus = range(12000).map((i) => i * dt);
    const loss = taus.map((tau) =>
      lambdas.reduce((sum, l) => sum + c * (l - saxeMode(tau, l, s0, c)) ** 2, 0),
    );
    const drops = saddleLossDropTimes(taus, loss, 2);
    lambdas.forEach((l, k) => {
      const expected = saxeHalfTime(l, s0, c) - Math.log(2) / (4 * c * l);
      assert.ok(Math.abs(drops[k] - expected) < 2 * dt, `mode ${k}: ${drops[k]} vs ${expected}`);
    });
  });

  it('pads with NaN when there are fewer drops than asked for', () => {
    assert.deepEqual(saddleLossDropTimes([0, 1, 2, 3], [3, 2, 1, 0], 2), [0.5, NaN]);
  });
});
