import assert from 'node:assert/strict';
import {
  angularUpdateEquilibriumAdamW,
  angularUpdateEquilibriumMomentum,
  angularUpdateEquilibriumNorm,
  angularUpdateEquilibriumSgd,
  angularUpdateNormTrajectory,
  angularUpdateRelaxationSteps,
  angularUpdateSqrt2LrWd,
} from '../../src/theory/angularUpdate';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
const angle = (a: number[], b: number[]) => Math.acos(Math.min(1, dot(a, b) / (norm(a) * norm(b))));

/**
 * A random-walk model of a scale-invariant weight (Kosson et al.): every step a fresh Gaussian gradient direction
 * orthogonal to w, of norm sqrt(G) / ||w||. Returns the RMS angle per step and the mean norm over the second half.
 */
function randomWalk(opts: {
  dim: number;
  steps: number;
  seed: number;
  update: (w: number[], g: number[], t: number) => number[];
  G?: number;
  /** Initial norm (default: that of a standard Gaussian vector). */
  initNorm?: number;
}): { rmsAngle: number; meanNorm: number } {
  const { dim, steps, seed, update, G = 1, initNorm } = opts;
  const normal = gaussian(seed);
  let w = Array.from({ length: dim }, normal);
  if (initNorm !== undefined) w = w.map((v) => (v * initNorm) / norm(w));
  let sumSq = 0;
  let sumNorm = 0;
  let count = 0;
  for (let t = 1; t <= steps; t++) {
    const r = Array.from({ length: dim }, normal);
    const along = dot(r, w) / dot(w, w);
    const dir = r.map((v, i) => v - along * w[i]);
    const scale = Math.sqrt(G) / (norm(dir) * norm(w));
    const g = dir.map((v) => v * scale);
    const next = update(w, g, t);
    if (t > steps / 2) {
      sumSq += angle(w, next) ** 2;
      sumNorm += norm(next);
      count++;
    }
    w = next;
  }
  return { rmsAngle: Math.sqrt(sumSq / count), meanNorm: sumNorm / count };
}

describe('angularUpdate theory (THEORY.md entry 20)', () => {
  it('the exact SGD equilibrium angle is arccos(1 - lr wd), close to sqrt(2 lr wd) for small lr wd', () => {
    assertRelClose(angularUpdateEquilibriumSgd({ lr: 0.1, wd: 5e-3 }), Math.acos(0.9995), 1e-15);
    assertRelClose(angularUpdateSqrt2LrWd({ lr: 0.1, wd: 5e-3 }), Math.sqrt(1e-3), 1e-15);
    // arccos(1 - x) = sqrt(2x) (1 + x/12 + ...): the relative gap is x / 12.
    for (const x of [1e-4, 1e-3, 1e-2]) {
      const gap = angularUpdateEquilibriumSgd({ lr: 1, wd: x }) / Math.sqrt(2 * x) - 1;
      assertRelClose(gap, x / 12, 0.02, `x = ${x}`);
    }
  });

  it('the norm recursion ||w||^2 <- (1 - lr wd)^2 ||w||^2 + lr^2 G / ||w||^2, iterated, converges to the equilibrium norm', () => {
    for (const [lr, wd, G] of [
      [0.1, 5e-3, 4],
      [0.5, 0.02, 0.3],
      [0.01, 0.1, 50],
    ]) {
      let u = 7;
      for (let t = 0; t < 200000; t++) u = (1 - lr * wd) ** 2 * u + (lr * lr * G) / u;
      assertRelClose(Math.sqrt(u), angularUpdateEquilibriumNorm({ lr, wd, gradSqAtUnitNorm: G }), 1e-10);
      // The (lr / wd)^(1/4) law of THEORY.md, up to the O(lr wd) correction.
      assertRelClose(Math.sqrt(u), ((lr * G) / (2 * wd)) ** 0.25, (lr * wd) / 2, `lr ${lr} wd ${wd}`);
    }
    const traj = angularUpdateNormTrajectory({
      lr: 0.1,
      wd: 5e-3,
      gradSqAtUnitNorm: 4,
      norm0: 10,
      steps: [0, 1, 30000],
    });
    assert.equal(traj[0], 10);
    assertRelClose(traj[1], Math.sqrt(0.9995 ** 2 * 100 + (0.01 * 4) / 100), 1e-15);
    assertRelClose(traj[2], angularUpdateEquilibriumNorm({ lr: 0.1, wd: 5e-3, gradSqAtUnitNorm: 4 }), 1e-9);
  });

  it('an explicit weight vector with orthogonal gradient steps rotates by exactly arccos(1 - lr wd) at equilibrium', () => {
    const lr = 0.2;
    const wd = 0.01;
    const { rmsAngle } = randomWalk({
      dim: 50,
      steps: 6000,
      seed: 1,
      G: 3,
      update: (w, g) => w.map((v, i) => v - lr * (g[i] + wd * v)),
    });
    assertRelClose(rmsAngle, angularUpdateEquilibriumSgd({ lr, wd }), 1e-6);
  });

  it('a perturbation of ||w||^2 decays as exp(-t / T) with T the relaxation steps, ~ 1 / (4 lr wd)', () => {
    const lr = 0.1;
    const wd = 5e-3;
    const G = 2;
    const eq = angularUpdateEquilibriumNorm({ lr, wd, gradSqAtUnitNorm: G }) ** 2;
    let u = eq * 1.001;
    const steps = 300;
    for (let t = 0; t < steps; t++) u = (1 - lr * wd) ** 2 * u + (lr * lr * G) / u;
    const T = angularUpdateRelaxationSteps({ lr, wd });
    assertRelClose((u - eq) / (eq * 0.001), Math.exp(-steps / T), 2e-3);
    assertRelClose(T, 1 / (4 * lr * wd), 0.01);
  });

  it('heavy-ball momentum: the random-walk model rotates at sqrt(2 lr wd / (1 + beta))', () => {
    const lr = 0.1;
    const wd = 5e-3;
    for (const beta of [0.5, 0.9]) {
      let vel: number[] | null = null;
      const { rmsAngle } = randomWalk({
        dim: 200,
        steps: 5000,
        seed: 2,
        update: (w, g) => {
          vel = (vel ?? w.map(() => 0)).map((v, i) => beta * v + g[i] + wd * w[i]);
          return w.map((v, i) => v - lr * vel![i]);
        },
      });
      assertRelClose(
        rmsAngle,
        angularUpdateEquilibriumMomentum({ lr, wd, momentum: beta }),
        0.04,
        `beta ${beta}`,
      );
    }
  });

  it('AdamW: the random-walk model gives ||w|| = sqrt(lr C / (2 wd)) and angle sqrt(2 lr wd (1 - b1) / (1 + b1))', () => {
    const lr = 0.01;
    const wd = 0.1;
    const size = 200;
    for (const beta1 of [0, 0.9]) {
      let m = new Array<number>(size).fill(0);
      let v = new Array<number>(size).fill(0);
      const { rmsAngle, meanNorm } = randomWalk({
        dim: size,
        steps: 5000,
        initNorm: angularUpdateEquilibriumAdamW({ lr, wd, beta1, size }).norm,
        seed: 3,
        update: (w, g, t) => {
          m = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
          v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i] * g[i]);
          return w.map((wi, i) => {
            const mHat = m[i] / (1 - beta1 ** t);
            const vHat = v[i] / (1 - 0.999 ** t);
            return wi * (1 - lr * wd) - (lr * mHat) / (Math.sqrt(vHat) + 1e-12);
          });
        },
      });
      const theory = angularUpdateEquilibriumAdamW({ lr, wd, beta1, size });
      assertRelClose(rmsAngle, theory.angle, 0.05, `beta1 ${beta1} angle`);
      assertRelClose(meanNorm, theory.norm, 0.05, `beta1 ${beta1} norm`);
    }
  });

  it('names a bad parameter', () => {
    assert.throws(() => angularUpdateEquilibriumSgd({ lr: 0, wd: 0.1 }), /lr must be finite and > 0/);
    assert.throws(() => angularUpdateEquilibriumSgd({ lr: 10, wd: 0.3 }), /need lr \* wd < 2/);
    assert.throws(
      () => angularUpdateEquilibriumMomentum({ lr: 0.1, wd: 0.1, momentum: 1 }),
      /momentum must be in \[0, 1\)/,
    );
    assert.equal(angularUpdateRelaxationSteps({ lr: 0.1, wd: 0 }), Infinity);
  });
});
