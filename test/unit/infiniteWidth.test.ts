import assert from 'node:assert/strict';
import {
  erfArcSineMoments,
  infiniteWidthGdPrediction,
  infiniteWidthKernels,
  infiniteWidthPosterior,
  nngpGaussHermite,
  nngpNumericActivation,
  nngpPairMoments,
  reluArcCosineMoments,
} from '../../src/theory/infiniteWidth';
import { gaussian } from './gaussian';

function assertClose(actual: number, expected: number, tol: number, what = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what} expected ${expected} within ${tol}, got ${actual} (off by ${actual - expected})`,
  );
}

/** Mean and standard error of the mean. */
function meanSe(values: number[]): { mean: number; se: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}

const relu = (x: number) => Math.max(x, 0);
const step = (x: number) => (x > 0 ? 1 : 0);
const erf = nngpNumericActivation('erf').phi;
const derf = nngpNumericActivation('erf').dphi;

describe('reluArcCosineMoments', () => {
  it('has the arc-cosine special values at c = 1, 0 and -1', () => {
    const one = reluArcCosineMoments(2, 2, 2);
    assertClose(one.phiPhi, 1, 1e-15, 'E[relu(u)^2] = q/2');
    assertClose(one.dphiDphi, 0.5, 1e-15);
    const zero = reluArcCosineMoments(2, 8, 0);
    assertClose(zero.phiPhi, 4 / (2 * Math.PI), 1e-15, 'sqrt(q1 q2) / (2 pi)');
    assertClose(zero.dphiDphi, 0.25, 1e-15);
    const minus = reluArcCosineMoments(3, 3, -3);
    assertClose(minus.phiPhi, 0, 1e-15);
    assertClose(minus.dphiDphi, 0, 1e-15);
  });

  it('equals the sin/cos form sqrt(q1 q2)/(2 pi) (sin t + (pi - t) cos t) at c = 0.3', () => {
    const t = Math.acos(0.3);
    const m = reluArcCosineMoments(1.5, 0.6, 0.3 * Math.sqrt(0.9));
    assertClose(m.phiPhi, (Math.sqrt(0.9) / (2 * Math.PI)) * (Math.sin(t) + (Math.PI - t) * 0.3), 1e-15);
    assertClose(m.dphiDphi, (Math.PI - t) / (2 * Math.PI), 1e-15);
  });

  it('matches Monte Carlo over 200000 Gaussian pairs within 4 standard errors', () => {
    const z = gaussian(1);
    const [q1, q2, c] = [1.3, 0.7, -0.4];
    const pp: number[] = [];
    const dd: number[] = [];
    for (let i = 0; i < 200000; i++) {
      const a = z();
      const b = z();
      const u = Math.sqrt(q1) * a;
      const v = Math.sqrt(q2) * (c * a + Math.sqrt(1 - c * c) * b);
      pp.push(relu(u) * relu(v));
      dd.push(step(u) * step(v));
    }
    const m = reluArcCosineMoments(q1, q2, c * Math.sqrt(q1 * q2));
    const a = meanSe(pp);
    const b = meanSe(dd);
    assertClose(a.mean, m.phiPhi, 4 * a.se, 'E[relu relu]');
    assertClose(b.mean, m.dphiDphi, 4 * b.se, 'E[step step]');
  });
});

describe('erfArcSineMoments', () => {
  it('has the special values at k = 0 and on the diagonal', () => {
    const zero = erfArcSineMoments(0.5, 2, 0);
    assertClose(zero.phiPhi, 0, 1e-16);
    assertClose(zero.dphiDphi, 4 / Math.PI / Math.sqrt(2 * 5), 1e-15);
    const diag = erfArcSineMoments(1, 1, 1);
    assertClose(diag.phiPhi, (2 / Math.PI) * Math.asin(2 / 3), 1e-15);
    assertClose(diag.dphiDphi, 4 / Math.PI / Math.sqrt(5), 1e-15);
  });

  it('matches 2-D Gauss-Hermite quadrature of erf: 2e-8 relative for q <= 5, c <= 0.9; 2e-6 at c = 0.99', () => {
    const numeric = { phi: erf, dphi: derf };
    for (const [q1, q2, c, tol] of [
      [1, 1, 0.5, 2e-8],
      [0.2, 3, -0.7, 2e-8],
      [5, 4, 0.9, 2e-8],
      [2, 2, 0, 2e-8],
      [5, 4, 0.99, 2e-6],
    ]) {
      const k = c * Math.sqrt(q1 * q2);
      const exact = erfArcSineMoments(q1, q2, k);
      const quad = nngpPairMoments(numeric, q1, q2, k);
      assertClose(
        quad.phiPhi,
        exact.phiPhi,
        tol * Math.abs(exact.phiPhi) + 1e-15,
        `phiPhi at ${q1}, ${q2}, ${c}`,
      );
      assertClose(quad.dphiDphi / exact.dphiDphi, 1, tol, `dphiDphi at ${q1}, ${q2}, ${c}`);
    }
  });
});

describe('nngpNumericActivation', () => {
  it('evaluates erf to 1e-15 relative on both sides of the series/continued-fraction switch at 2.5', () => {
    for (const [x, value] of [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2.4, 0.9993114861033549],
      [2.6, 0.9997639655834707],
      [-1.7, -0.9837904585907746],
    ])
      assertClose(erf(x), value, 1e-15 * Math.abs(value), `erf(${x})`);
  });
});

describe('nngpGaussHermite', () => {
  it('integrates z^2k exactly ((2k - 1)!!) up to k = 10 at order 64, with weights summing to 1', () => {
    const { nodes, weights } = nngpGaussHermite(64);
    assertClose(
      weights.reduce((s, w) => s + w, 0),
      1,
      1e-14,
    );
    let doubleFactorial = 1;
    for (let k = 1; k <= 10; k++) {
      doubleFactorial *= 2 * k - 1;
      const moment = nodes.reduce((s, z, i) => s + weights[i] * z ** (2 * k), 0);
      assertClose(moment / doubleFactorial, 1, 1e-12, `E[z^${2 * k}]`);
    }
  });

  it('rejects a bad order', () => {
    assert.throws(() => nngpGaussHermite(0), RangeError);
    assert.throws(() => nngpGaussHermite(2.5), RangeError);
  });
});

/**
 * A finite one-hidden-layer network in NTK parameterization, f(x) = sigma_w v.phi(h)/sqrt(m) + sigma_b b_out with
 * h = sigma_w W x / sqrt(d) + sigma_b b, all parameters N(0, 1). Its empirical NNGP term and its empirical NTK
 * (every parameter's gradient written out by hand) are means over the m hidden units of i.i.d. terms:
 *     df/dv_i = sigma_w phi(h_i) / sqrt(m),  df/db_out = sigma_b,
 *     df/dW_ij = sigma_w v_i phi'(h_i) / sqrt(m) * sigma_w x_j / sqrt(d),  df/db_i = sigma_w v_i phi'(h_i) / sqrt(m) * sigma_b.
 */
function finiteNetwork(
  x1: number[],
  x2: number[],
  m: number,
  sigmaW2: number,
  sigmaB2: number,
  phi: (x: number) => number,
  dphi: (x: number) => number,
  seed: number,
) {
  const z = gaussian(seed);
  const d = x1.length;
  const sw = Math.sqrt(sigmaW2);
  const sb = Math.sqrt(sigmaB2);
  const sigma0 = (sigmaW2 * x1.reduce((s, v, j) => s + v * x2[j], 0)) / d + sigmaB2;
  const nngpTerms: number[] = [];
  const ntkTerms: number[] = [];
  for (let i = 0; i < m; i++) {
    let h1 = 0;
    let h2 = 0;
    for (let j = 0; j < d; j++) {
      const w = z();
      h1 += w * x1[j];
      h2 += w * x2[j];
    }
    const b = z();
    h1 = (sw * h1) / Math.sqrt(d) + sb * b;
    h2 = (sw * h2) / Math.sqrt(d) + sb * b;
    const v = z();
    const readout = sigmaW2 * phi(h1) * phi(h2) + sigmaB2; // v_i and b_out gradients (b_out's sigma_b^2 per unit on average)
    nngpTerms.push(readout);
    ntkTerms.push(readout + v * v * sigmaW2 * dphi(h1) * dphi(h2) * sigma0);
  }
  return { nngp: meanSe(nngpTerms), ntk: meanSe(ntkTerms) };
}

describe('infiniteWidthKernels', () => {
  it('gives the hand-computed depth-1 ReLU kernels for orthogonal unit inputs (1/pi)', () => {
    const k = infiniteWidthKernels([[1, 0]], [[0, 1]], {
      depth: 1,
      activation: 'relu',
      sigmaW2: 2,
      sigmaB2: 0,
    });
    assertClose(k.nngp[0][0], 1 / Math.PI, 1e-15);
    assertClose(k.ntk[0][0], 1 / Math.PI, 1e-15);
    const same = infiniteWidthKernels([[1, 1]], undefined, {
      depth: 1,
      activation: 'relu',
      sigmaW2: 2,
      sigmaB2: 0,
    });
    // Sigma^0 = 2 * 2/2 = 2, Sigma^1 = 2 * 2/2 = 2, Theta^1 = 2 + 2 * 1/2 * 2 = 4.
    assertClose(same.nngp[0][0], 2, 1e-14);
    assertClose(same.ntk[0][0], 4, 1e-14);
  });

  it('follows the NTK recursion of neural-tangents at depth 2 (numbers derived by hand from its formulas)', () => {
    // x = (1, 0, 0), x' = (0.6, 0.8, 0), d = 3, sigma_w^2 = 2, sigma_b^2 = 0.1, ReLU.
    // Layer 0: q = 2/3 + 0.1, k = 2 * 0.6/3 + 0.1; then, per layer, with c = k/q (both points have the same q):
    // Sigma' = sigma_w^2 q/(2 pi) (sin t + (pi - t) cos t) + sigma_b^2, q' = sigma_w^2 q/2 + sigma_b^2,
    // Theta' = Sigma' + sigma_w^2 (pi - t)/(2 pi) Theta.
    let q = 2 / 3 + 0.1;
    let k = 0.4 + 0.1;
    let theta = k;
    for (let l = 0; l < 2; l++) {
      const t = Math.acos(k / q);
      const nextK = (2 * q * (Math.sin(t) + (Math.PI - t) * Math.cos(t))) / (2 * Math.PI) + 0.1;
      theta = nextK + (2 * (Math.PI - t) * theta) / (2 * Math.PI);
      k = nextK;
      q = q + 0.1; // 2 * q / 2 + 0.1
    }
    const got = infiniteWidthKernels([[1, 0, 0]], [[0.6, 0.8, 0]], {
      depth: 2,
      activation: 'relu',
      sigmaW2: 2,
      sigmaB2: 0.1,
    });
    assertClose(got.nngp[0][0], k, 1e-14, 'NNGP');
    assertClose(got.ntk[0][0], theta, 1e-14, 'NTK');
    const diag = infiniteWidthKernels([[1, 0, 0]], undefined, {
      depth: 2,
      activation: 'relu',
      sigmaW2: 2,
      sigmaB2: 0.1,
    });
    assertClose(diag.nngp[0][0], q, 1e-14, 'the diagonal: q^l = q^{l-1} + sigma_b^2 at He init');
  });

  for (const activation of ['relu', 'erf'] as const) {
    it(`${activation}: depth-1 NNGP and NTK agree with a random network of width 20000 within 4 standard errors`, () => {
      const x1 = [0.9, -0.3, 1.2, 0.1];
      const x2 = [0.4, 0.8, 1.0, -0.6];
      const phi = activation === 'relu' ? relu : erf;
      const dphi = activation === 'relu' ? step : derf;
      const net = { depth: 1, activation, sigmaW2: 1.7, sigmaB2: 0.2 };
      const exact = infiniteWidthKernels([x1], [x2], net);
      const mc = finiteNetwork(x1, x2, 20000, net.sigmaW2, net.sigmaB2, phi, dphi, 7);
      assertClose(mc.nngp.mean, exact.nngp[0][0], 4 * mc.nngp.se, 'NNGP');
      assertClose(mc.ntk.mean, exact.ntk[0][0], 4 * mc.ntk.se, 'NTK');
      // The check can fail: the depth-0 kernel is far outside the Monte Carlo band.
      const wrong = infiniteWidthKernels([x1], [x2], { ...net, depth: 0 });
      assert.ok(Math.abs(mc.ntk.mean - wrong.ntk[0][0]) > 4 * mc.ntk.se);
    });
  }

  it('uses quadrature for tanh and matches the erf closed form when given erf as a plain function', () => {
    const xs = [
      [0.5, -1],
      [1, 0.2],
      [-0.3, 0.4],
    ];
    const net = { depth: 2, sigmaW2: 1.5, sigmaB2: 0.05 };
    const closed = infiniteWidthKernels(xs, undefined, { ...net, activation: 'erf' });
    const quad = infiniteWidthKernels(xs, undefined, { ...net, activation: { phi: erf, dphi: derf } });
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        assertClose(quad.nngp[i][j], closed.nngp[i][j], 1e-9);
        assertClose(quad.ntk[i][j], closed.ntk[i][j], 1e-9);
      }
    const tanh = infiniteWidthKernels(xs, undefined, { ...net, activation: 'tanh' });
    assert.ok(tanh.nngp[0][0] > 0 && Math.abs(tanh.nngp[0][1]) < tanh.nngp[0][0]);
  });
});

describe('infiniteWidthPosterior', () => {
  const kTrain = [
    [2, 0.5],
    [0.5, 1],
  ];
  it('solves the 2x2 system by hand and interpolates the training targets', () => {
    // K^{-1} = [[1, -0.5], [-0.5, 2]] / 1.75; y = (1, -1): alpha = (1.5, -2.5) / 1.75.
    const post = infiniteWidthPosterior({ kTrain, kTestTrain: [[1, 1]], yTrain: [1, -1] });
    assertClose(post.mean[0], (1.5 - 2.5) / 1.75, 1e-14);
    const atTrain = infiniteWidthPosterior({
      kTrain,
      kTestTrain: kTrain,
      yTrain: [1, -1],
      kTestDiag: [2, 1],
    });
    assertClose(atTrain.mean[0], 1, 1e-14);
    assertClose(atTrain.mean[1], -1, 1e-14);
    assertClose(atTrain.variance![0], 0, 1e-14);
  });

  it('shrinks towards 0 with observation noise and gives the GP variance', () => {
    const post = infiniteWidthPosterior({
      kTrain: [[1]],
      kTestTrain: [[0.5]],
      yTrain: [2],
      noise: 1,
      kTestDiag: [1],
    });
    assertClose(post.mean[0], 0.5, 1e-15); // 0.5 * 2 / (1 + 1)
    assertClose(post.variance![0], 1 - 0.25 / 2, 1e-15);
  });

  it('rejects a kernel that is not positive definite', () => {
    assert.throws(() =>
      infiniteWidthPosterior({
        kTrain: [
          [1, 2],
          [2, 1],
        ],
        kTestTrain: [[1, 1]],
        yTrain: [1, 1],
      }),
    );
  });
});

describe('infiniteWidthGdPrediction', () => {
  const xs = [
    [1, 0.2, -0.5],
    [0.3, -1, 0.8],
    [-0.7, 0.4, 0.1],
    [0.5, 0.5, 0.5],
  ];
  const xt = [
    [0.2, 0.1, -0.3],
    [1, -1, 0],
  ];
  const net = { depth: 2, activation: 'relu' as const, sigmaW2: 2, sigmaB2: 0.1 };
  const ntkTrain = infiniteWidthKernels(xs, undefined, net).ntk;
  const ntkTestTrain = infiniteWidthKernels(xt, xs, net).ntk;
  const yTrain = [1, -0.5, 0.3, 0.8];
  const lr = 0.7;

  it('equals gradient descent on the linearized model iterated step by step', () => {
    const n = yTrain.length;
    let fTrain = [0, 0, 0, 0];
    let fTest = [0, 0];
    const pred = infiniteWidthGdPrediction({ ntkTrain, ntkTestTrain, yTrain, lr, steps: [0, 1, 7, 50] });
    for (let t = 0; t <= 50; t++) {
      const idx = [0, 1, 7, 50].indexOf(t);
      if (idx >= 0) {
        fTrain.forEach((v, i) => assertClose(pred.train[idx][i], v, 1e-12, `train ${i} at t = ${t}`));
        fTest.forEach((v, i) => assertClose(pred.test[idx][i], v, 1e-12, `test ${i} at t = ${t}`));
      }
      const residual = fTrain.map((v, i) => v - yTrain[i]);
      const move = (row: number[]) => (lr / n) * row.reduce((s, k, j) => s + k * residual[j], 0);
      fTest = fTest.map((v, i) => v - move(ntkTestTrain[i]));
      fTrain = fTrain.map((v, i) => v - move(ntkTrain[i]));
    }
  });

  it('tends to the kernel regression Theta(x, X) Theta^{-1} y as t -> inf', () => {
    const limit = infiniteWidthGdPrediction({ ntkTrain, ntkTestTrain, yTrain, lr, steps: [Infinity, 1e6] });
    const post = infiniteWidthPosterior({ kTrain: ntkTrain, kTestTrain: ntkTestTrain, yTrain });
    post.mean.forEach((v, i) => {
      assertClose(limit.test[0][i], v, 1e-10);
      assertClose(limit.test[1][i], v, 1e-10);
    });
    limit.train[0].forEach((v, i) => assertClose(v, yTrain[i], 1e-10));
    assert.ok(limit.maxStableLr > lr);
  });
});
