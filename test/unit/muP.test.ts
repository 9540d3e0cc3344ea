import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Matrix, inverse } from 'ml-matrix';
import {
  muPAbcTables,
  muPCoordSize,
  muPLayerScales,
  muPOneStepExponents,
  muPWidthSlope,
  type MuPLayerKind,
  type MuPOptimizer,
  type MuPParameterization,
  type MuPTable,
} from '../../src/theory/muP';
import { gaussian } from './gaussian';

function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} ± ${tol}, got ${actual}`);
}

describe('muP theory (THEORY.md entry 11)', () => {
  it('reproduces THEORY.md entry 11 table of one-step exponents (input, hidden, logits)', () => {
    const table: [MuPParameterization, MuPOptimizer, number[]][] = [
      ['muP', 'sgd', [0, 0, 0]],
      ['muP', 'adam', [0, 0, 0]],
      ['SP', 'sgd', [-0.5, 0.5, 1]],
      // THEORY.md: "between +1 and +1.5" at finite width; 3/2 is the large-width limit.
      ['SP', 'adam', [0, 1, 1.5]],
    ];
    for (const [p, opt, expected] of table) {
      const e = muPOneStepExponents(p, opt);
      assert.deepEqual([e.input, e.hidden, e.logits], expected, `${p} + ${opt}`);
    }
    // "At init in muP, the logits shrink like n^(-1/2)".
    assert.equal(muPOneStepExponents('muP', 'sgd').logitsAtInit, -0.5);
    assert.equal(muPOneStepExponents('SP', 'sgd').logitsAtInit, 0);
  });

  it('gives the lazy NTK-parameterization exponents for a table it was not written for', () => {
    // NTK parameterization (Jacot et al.): W ~ N(0, 1), forward multiplier 1/sqrt(fan_in), constant SGD lr.
    // Known: features move as n^(-1/2) (no feature learning) while the output moves by Theta(1).
    const ntk: MuPTable = {
      input: { initVar: 0, mult: 0, lr: { sgd: 0, adam: 0 } },
      hidden: { initVar: 1, mult: -0.5, lr: { sgd: 0, adam: 0 } },
      output: { initVar: 1, mult: -0.5, lr: { sgd: 0, adam: 0 } },
    };
    const e = muPOneStepExponents(ntk, 'sgd');
    assert.deepEqual([e.input, e.hidden, e.logits, e.logitsAtInit], [-0.5, -0.5, 0, 0]);
  });

  it('muPLayerScales follows the mup package: readout N(0, 1/n0) with multiplier 1/m, SGD lr x m, Adam hidden lr / m', () => {
    const opts = { width: 512, baseWidth: 128, baseLr: 0.1 };
    const out = muPLayerScales('muP', 'output', { ...opts, fanIn: 512, optimizer: 'sgd' });
    assertClose(out.initStd, 1 / Math.sqrt(128), 1e-15);
    assertClose(out.multiplier, 0.25, 1e-15);
    assertClose(out.lr, 0.4, 1e-15);
    const hiddenAdam = muPLayerScales('muP', 'hidden', { ...opts, fanIn: 512, optimizer: 'adam' });
    assertClose(hiddenAdam.initStd, 1 / Math.sqrt(512), 1e-15);
    assertClose(hiddenAdam.lr, 0.025, 1e-15);
    const inputSgd = muPLayerScales('muP', 'input', { ...opts, fanIn: 20, optimizer: 'sgd' });
    assertClose(inputSgd.initStd, 1 / Math.sqrt(20), 1e-15);
    assertClose(inputSgd.lr, 0.4, 1e-15);
    // SP and muP coincide at the base width.
    for (const kind of ['input', 'hidden', 'output'] as MuPLayerKind[])
      for (const optimizer of ['sgd', 'adam'] as MuPOptimizer[]) {
        const base = { fanIn: 128, width: 128, baseWidth: 128, baseLr: 0.1, optimizer };
        assert.deepEqual(muPLayerScales('muP', kind, base), muPLayerScales('SP', kind, base));
      }
    assert.deepEqual(Object.keys(muPAbcTables).sort(), ['SP', 'muP']);
  });

  it('muPWidthSlope: exact on a power law, and equal to ml-matrix least squares with its standard error', () => {
    const exact = muPWidthSlope([128, 256, 512, 1024], [3, 3 * 2 ** 0.5, 6, 6 * 2 ** 0.5]);
    assertClose(exact.slope, 0.5, 1e-12);
    assertClose(exact.slopeStdError, 0, 1e-7);
    // Noisy data: compare with beta = (X^T X)^-1 X^T y and Var(beta) = s^2 (X^T X)^-1.
    const widths = [64, 128, 256, 512, 1024, 2048];
    const normal = gaussian(11);
    const sizes = widths.map((w) => 2 * w ** -0.3 * Math.exp(0.1 * normal()));
    const X = new Matrix(widths.map((w) => [1, Math.log(w)]));
    const y = Matrix.columnVector(sizes.map(Math.log));
    const xtxInv = inverse(X.transpose().mmul(X));
    const beta = xtxInv.mmul(X.transpose()).mmul(y);
    const resid = y.clone().sub(X.mmul(beta));
    const s2 = resid.transpose().mmul(resid).get(0, 0) / (widths.length - 2);
    const fit = muPWidthSlope(widths, sizes);
    assertClose(fit.slope, beta.get(1, 0), 1e-12);
    assertClose(fit.intercept, beta.get(0, 0), 1e-11);
    assertClose(fit.slopeStdError, Math.sqrt(s2 * xtxInv.get(1, 1)), 1e-12);
    assert.equal(fit.points, 6);
    // Non-positive sizes are left out; too few points give NaN.
    assert.equal(muPWidthSlope([1, 2, 4], [1, 0, 4]).points, 2);
    assert.ok(Number.isNaN(muPWidthSlope([1, 2], [1, -1]).slope));
    assert.equal(muPCoordSize([1, -2, 3, -6]), 3);
  });

  describe('brute force: a tiny coordinate check in tfjs', function () {
    this.timeout(120_000);
    before(async () => {
      await tf.setBackend('cpu');
    });

    /** Mean over trials of l1(Delta z) per layer, one SGD step, widths 64-512 (as the template, smaller). */
    function coordCheck(p: MuPParameterization, lr: number): number[] {
      const widths = [64, 128, 256, 512];
      const [d, C, B, trials] = [8, 4, 16, 3];
      const sums = [0, 1, 2].map(() => widths.map(() => 0));
      for (let trial = 0; trial < trials; trial++) {
        widths.forEach((n, wi) =>
          tf.tidy(() => {
            const seed = 1000 * trial;
            const x = tf.randomNormal([B, d], 0, 1, 'float32', seed);
            const y = tf
              .randomNormal([B, C], 0, 1, 'float32', seed + 1)
              .add(tf.randomNormal([1, C], 0, 1, 'float32', seed + 2));
            const s = (['input', 'hidden', 'output'] as MuPLayerKind[]).map((kind, l) =>
              muPLayerScales(p, kind, {
                fanIn: [d, n, n][l],
                width: n,
                baseWidth: 64,
                baseLr: lr,
                optimizer: 'sgd',
              }),
            );
            const shapes: [number, number][] = [
              [d, n],
              [n, n],
              [n, C],
            ];
            const w = shapes.map((shape, l) =>
              tf.randomNormal(shape, 0, s[l].initStd, 'float32', seed + 10 + 7 * wi + l),
            );
            const forward = (v: tf.Tensor[]) => {
              const z1 = x.matMul(v[0]).mul(s[0].multiplier);
              const z2 = z1.relu().matMul(v[1]).mul(s[1].multiplier);
              return [z1, z2, z2.relu().matMul(v[2]).mul(s[2].multiplier)];
            };
            const grads = tf.grads(
              (...v: tf.Tensor[]) =>
                forward(v)[2]
                  .sub(y)
                  .square()
                  .sum()
                  .div(2 * B) as tf.Scalar,
            )(w);
            const before = forward(w);
            const after = forward(w.map((v, l) => v.sub(grads[l].mul(s[l].lr))));
            after.forEach((z, l) => (sums[l][wi] += z.sub(before[l]).abs().mean().dataSync()[0]));
          }),
        );
      }
      return sums.map((row) => muPWidthSlope(widths, row).slope);
    }

    it('SP + SGD measures about (-1/2, +1/2, +1) and muP + SGD about (0, 0, 0)', () => {
      const sp = coordCheck('SP', 0.02);
      const mup = coordCheck('muP', 0.02);
      const spTheory = muPOneStepExponents('SP', 'sgd');
      const mupTheory = muPOneStepExponents('muP', 'sgd');
      [spTheory.input, spTheory.hidden, spTheory.logits].forEach((p, l) =>
        assertClose(sp[l], p, 0.2, `SP layer ${l}`),
      );
      [mupTheory.input, mupTheory.hidden, mupTheory.logits].forEach((p, l) =>
        assertClose(mup[l], p, 0.2, `muP layer ${l}`),
      );
    });
  });
});
