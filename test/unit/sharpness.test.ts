import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import {
  adamPreconditioner,
  hessianFiniteDifferenceStep,
  hessianTopEigenvalues,
  hessianTrace,
  hessianVectorProduct,
  SharpnessTracker,
} from '../../src/observables/sharpness';
import { gaussian } from './gaussian';

function assertRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what} expected ${expected} within ${rel} relative, got ${actual} (error ${err})`);
}

function descendingEigenvalues(m: Matrix): number[] {
  return new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
}

/** A random orthogonal matrix (QR of a Gaussian matrix by Gram-Schmidt in float64). */
function randomOrthogonal(n: number, seed: number): Matrix {
  const g = gaussian(seed);
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, g);
    for (const q of cols) {
      const c = v.reduce((s, x, i) => s + x * q[i], 0);
      for (let i = 0; i < n; i++) v[i] -= c * q[i];
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    cols.push(v.map((x) => x / norm));
  }
  return new Matrix(cols).transpose();
}

/** The symmetric matrix Q diag(lambdas) Q^T. */
function withSpectrum(lambdas: number[], seed: number): Matrix {
  const q = randomOrthogonal(lambdas.length, seed);
  return q.mmul(Matrix.diag(lambdas)).mmul(q.transpose());
}

/** Parameters of shapes [3, 2] and [6]: a 12-vector split in two tensors, to exercise the flattening. */
const SHAPES = [[3, 2], [6]];
function splitParams(flat: number[]): tf.Tensor[] {
  return [tf.tensor(flat.slice(0, 6), [3, 2]), tf.tensor(flat.slice(6), [6])];
}

/** loss = 1/2 theta^T A theta over the concatenated parameters: its Hessian is A everywhere. */
function quadraticLoss(a: Matrix) {
  const aT = tf.tensor2d(a.to2DArray());
  return (params: tf.Tensor[]) =>
    tf.tidy(() => {
      const theta = tf.concat(params.map((p) => p.reshape([-1]))).reshape([-1, 1]);
      return aT.matMul(theta).mul(theta).sum().mul(0.5) as tf.Scalar;
    });
}

const SPECTRUM = [10, 7, 5, 3, 2, 1.5, 1, 0.5, 0.2, 0.1, -0.3, -1];

describe('sharpness: quadratic loss with a known Hessian', () => {
  const a = withSpectrum(SPECTRUM, 1);
  const loss = quadraticLoss(a);
  const g = gaussian(2);
  const theta = Array.from({ length: 12 }, g);
  let params: tf.Tensor[];
  before(() => {
    params = splitParams(theta);
  });
  after(() => params.forEach((p) => p.dispose()));

  it('hessianVectorProduct returns A v for a non-unit v, in the parameter shapes', () => {
    const v = Array.from({ length: 12 }, g).map((x) => 3 * x);
    const hv = hessianVectorProduct(loss, params, splitParams(v));
    assert.deepEqual(
      hv.map((t) => t.shape),
      SHAPES,
    );
    const got = hv.flatMap((t) => Array.from(t.dataSync()));
    const want = a.mmul(Matrix.columnVector(v)).to1DArray();
    const err = Math.hypot(...got.map((x, i) => x - want[i])) / Math.hypot(...want);
    assert.ok(err < 1e-3, `relative error ${err}`);
  });

  it('the finite-difference step is 1e-3 * max(1, rms(theta))', () => {
    const big = splitParams(theta.map((x) => 100 * x));
    const rms = Math.hypot(...theta.map((x) => 100 * x)) / Math.sqrt(12);
    assertRelClose(hessianFiniteDifferenceStep(big), 1e-3 * rms, 1e-5);
    assert.equal(hessianFiniteDifferenceStep(splitParams(theta.map((x) => x / 100))), 1e-3);
  });

  it('power iteration converges to lambda_max = 10, and the warm start needs fewer rounds', () => {
    const tracker = new SharpnessTracker(loss, { maxIterations: 300, tolerance: 1e-7 });
    assertRelClose(tracker.estimate(params), 10, 1e-3, 'cold');
    const cold = tracker.iterations;
    assertRelClose(tracker.estimate(params), 10, 1e-3, 'warm');
    assert.ok(tracker.iterations < cold / 3, `warm ${tracker.iterations} rounds vs cold ${cold}`);
  });

  it('a capped power iteration underestimates (Rayleigh quotient <= lambda_max)', () => {
    const tracker = new SharpnessTracker(loss, { maxIterations: 2, tolerance: 0 });
    const value = tracker.estimate(params);
    assert.ok(value < 10 && value > 3, `${value}`);
  });

  it('power iteration returns the algebraic top when a negative eigenvalue dominates in magnitude', () => {
    const shifted = quadraticLoss(withSpectrum([4, 2, 1, 0.5, 0, 0, 0, 0, 0, 0, -3, -9], 5));
    const tracker = new SharpnessTracker(shifted, { maxIterations: 500, tolerance: 1e-8 });
    assertRelClose(tracker.estimate(params), 4, 2e-3);
  });

  it('Lanczos gives the top 4 eigenvalues (10, 7, 5, 3), algebraically ordered', () => {
    const top = hessianTopEigenvalues(loss, params, 4, { krylovDim: 12 });
    top.forEach((value, i) => assertRelClose(value, SPECTRUM[i], 1e-3, `eigenvalue ${i}`));
  });

  it('Lanczos with a short Krylov space still gets lambda_max first', () => {
    const [top] = hessianTopEigenvalues(loss, params, 1, { krylovDim: 8, seed: 3 });
    assertRelClose(top, 10, 1e-2);
  });

  it('Hutchinson is unbiased for tr(A) = 29, with the predicted standard error', () => {
    const trace = SPECTRUM.reduce((s, x) => s + x, 0);
    const est = hessianTrace(loss, params, { probes: 1500, seed: 1 });
    assert.ok(Math.abs(est.trace - trace) < 4 * est.standardError, `${est.trace} +- ${est.standardError}`);
    // Rademacher variance per probe: 2 (||A||_F^2 - sum_i A_ii^2).
    const frob = SPECTRUM.reduce((s, x) => s + x * x, 0);
    const diag = a.diag().reduce((s, x) => s + x * x, 0);
    assertRelClose(est.standardError, Math.sqrt((2 * (frob - diag)) / 1500), 0.15, 'standard error');
  });

  it('Hutchinson is exact (zero variance) for a diagonal Hessian', () => {
    const d = Matrix.diag(SPECTRUM);
    const est = hessianTrace(quadraticLoss(d), params, { probes: 5 });
    assertRelClose(est.trace, 29, 1e-4);
    assert.ok(est.standardError < 1e-3, `${est.standardError}`);
  });

  it('the preconditioned operator has the eigenvalues of P^-1/2 A P^-1/2 (explicit matrix)', () => {
    const pDiag = Array.from({ length: 12 }, (_, i) => 0.2 + 0.3 * i);
    const dHalf = Matrix.diag(pDiag.map((p) => 1 / Math.sqrt(p)));
    const want = descendingEigenvalues(dHalf.mmul(a).mmul(dHalf));
    // Preconditioning reorders the spectrum: not A's eigenvalues divided by anything simple.
    assert.ok(Math.abs(want[0] - 10 / 0.2) > 1);
    const preconditioner = splitParams(pDiag);
    const tracker = new SharpnessTracker(loss, { maxIterations: 500, tolerance: 1e-8 });
    assertRelClose(tracker.estimate(params, { preconditioner }), want[0], 2e-3, 'power');
    const top = hessianTopEigenvalues(loss, params, 3, { preconditioner, krylovDim: 12 });
    top.forEach((value, i) => assertRelClose(value, want[i], 2e-3, `Lanczos ${i}`));
    const trace = hessianTrace(loss, params, { preconditioner, probes: 2000 });
    const wantTrace = a.diag().reduce((s, x, i) => s + x / pDiag[i], 0);
    assert.ok(Math.abs(trace.trace - wantTrace) < 4 * trace.standardError, `${trace.trace} vs ${wantTrace}`);
    preconditioner.forEach((p) => p.dispose());
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    new SharpnessTracker(loss).estimate(params);
    hessianTopEigenvalues(loss, params, 2);
    hessianTrace(loss, params, { probes: 4 });
    tf.dispose(hessianVectorProduct(loss, params, params));
    assert.equal(tf.memory().numTensors, before);
  });
});

/**
 * A tiny tanh MLP 3-4-2 with biases on n = 5 points and 1/2-MSE, written twice: in tfjs (float32) for the
 * library, and in plain float64 JavaScript for a brute-force Hessian by second differences of the loss.
 */
describe('sharpness: tiny MLP against a brute-force Hessian', () => {
  const n = 5;
  const sizes = [12, 4, 8, 2];
  const g = gaussian(7);
  const x = Array.from({ length: n }, () => [g(), g(), g()]);
  const y = Array.from({ length: n }, () => [g(), g()]);
  const theta0 = Array.from({ length: 26 }, () => 0.7 * g());

  function lossF64(theta: number[]): number {
    const [w1, b1, w2, b2] = split(theta);
    let total = 0;
    for (let s = 0; s < n; s++) {
      const h = [0, 1, 2, 3].map((j) =>
        Math.tanh(b1[j] + [0, 1, 2].reduce((a, i) => a + x[s][i] * w1[i * 4 + j], 0)),
      );
      for (let k = 0; k < 2; k++) {
        const f = b2[k] + [0, 1, 2, 3].reduce((a, j) => a + h[j] * w2[j * 2 + k], 0);
        total += (f - y[s][k]) ** 2;
      }
    }
    return (0.5 * total) / n;
  }
  function split(theta: number[]): number[][] {
    let o = 0;
    return sizes.map((size) => theta.slice(o, (o += size)));
  }
  const xT = tf.tensor2d(x);
  const yT = tf.tensor2d(y);
  const lossTf = (params: tf.Tensor[]) =>
    tf.tidy(() => {
      const [w1, b1, w2, b2] = params;
      const h = tf.tanh(xT.matMul(w1).add(b1));
      return h
        .matMul(w2)
        .add(b2)
        .sub(yT)
        .square()
        .sum()
        .mul(0.5 / n) as tf.Scalar;
    });
  const toParams = (theta: number[]) => {
    const [w1, b1, w2, b2] = split(theta);
    return [tf.tensor2d(w1, [3, 4]), tf.tensor1d(b1), tf.tensor2d(w2, [4, 2]), tf.tensor1d(b2)];
  };

  /** H_ij = [L(+i+j) - L(+i-j) - L(-i+j) + L(-i-j)] / (4 h^2) in float64. */
  function bruteHessian(theta: number[], h = 1e-4): Matrix {
    const p = theta.length;
    const m = Matrix.zeros(p, p);
    const at = (i: number, si: number, j: number, sj: number) => {
      const t = theta.slice();
      t[i] += si * h;
      t[j] += sj * h;
      return lossF64(t);
    };
    for (let i = 0; i < p; i++)
      for (let j = 0; j <= i; j++) {
        const v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h);
        m.set(i, j, v);
        m.set(j, i, v);
      }
    return m;
  }

  const hessian = bruteHessian(theta0);
  const exact = descendingEigenvalues(hessian);
  let params: tf.Tensor[];
  before(() => {
    params = toParams(theta0);
  });
  after(() => params.forEach((p) => p.dispose()));

  it('the float64 and tfjs losses agree (same model)', () => {
    assertRelClose(lossTf(params).dataSync()[0], lossF64(theta0), 1e-5);
  });

  it('has an indefinite Hessian whose top eigenvalue is the largest in magnitude, but barely', () => {
    const last = exact[exact.length - 1];
    assert.ok(
      last < 0 && exact[0] > Math.abs(last) && exact[0] < 1.5 * Math.abs(last),
      `${exact[0]} vs ${exact[exact.length - 1]}`,
    );
  });

  it('hessianVectorProduct matches the brute-force H v', () => {
    const v = Array.from({ length: 26 }, g);
    const got = hessianVectorProduct(lossTf, params, toParams(v)).flatMap((t) => Array.from(t.dataSync()));
    const want = hessian.mmul(Matrix.columnVector(v)).to1DArray();
    const err = Math.hypot(...got.map((u, i) => u - want[i])) / Math.hypot(...want);
    assert.ok(err < 2e-3, `relative error ${err}`);
  });

  it('power iteration and Lanczos match the brute-force top eigenvalues', () => {
    const tracker = new SharpnessTracker(lossTf, { maxIterations: 1000, tolerance: 1e-7 });
    assertRelClose(tracker.estimate(params), exact[0], 2e-3, 'power iteration');
    const top = hessianTopEigenvalues(lossTf, params, 3, { krylovDim: 26 });
    top.forEach((value, i) => assertRelClose(value, exact[i], 5e-3, `Lanczos ${i}`));
  });

  it('Hutchinson matches the brute-force trace', () => {
    const trace = hessian.trace();
    const est = hessianTrace(lossTf, params, { probes: 1000, seed: 4 });
    assert.ok(
      Math.abs(est.trace - trace) < 4 * est.standardError,
      `${est.trace} +- ${est.standardError} vs ${trace}`,
    );
  });
});

describe('adamPreconditioner', () => {
  it('is (1 - beta1^t) (sqrt(v / (1 - beta2^t)) + eps)', () => {
    const v = [tf.tensor1d([4e-4, 1e-6]), tf.tensor2d([[0]])];
    const [p1, p2] = adamPreconditioner(v, { step: 3, beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
    const b1 = 1 - 0.9 ** 3;
    const b2 = 1 - 0.99 ** 3;
    const got = Array.from(p1.dataSync());
    assertRelClose(got[0], b1 * (Math.sqrt(4e-4 / b2) + 1e-8), 1e-6);
    assertRelClose(got[1], b1 * (Math.sqrt(1e-6 / b2) + 1e-8), 1e-6);
    assertRelClose(p2.dataSync()[0], b1 * 1e-8, 1e-6);
    assert.deepEqual(p2.shape, [1, 1]);
  });

  it('makes P^-1 m the bias-corrected Adam step m_hat / (sqrt(v_hat) + eps)', () => {
    // Three steps of Adam on fixed gradient sequences, accumulated by hand.
    const grads = [0.3, -0.1, 0.2];
    let m = 0;
    let v = 0;
    for (const gr of grads) {
      m = 0.9 * m + 0.1 * gr;
      v = 0.999 * v + 0.001 * gr * gr;
    }
    const [p] = adamPreconditioner([tf.scalar(v)], { step: 3 });
    const mHat = m / (1 - 0.9 ** 3);
    const vHat = v / (1 - 0.999 ** 3);
    assertRelClose(m / p.dataSync()[0], mHat / (Math.sqrt(vHat) + 1e-8), 1e-5);
  });

  it('rejects step 0', () => {
    assert.throws(() => adamPreconditioner([tf.scalar(1)], { step: 0 }), RangeError);
  });
});
