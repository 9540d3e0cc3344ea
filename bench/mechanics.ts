/**
 * The cost of the learning-mechanics library (issue 4: src/theory/, src/observables/) at the sizes a template or
 * a user calls it, at a sampling step or once per run: per function one warm-up call, then the median and the
 * minimum of `REPEATS` timed calls, with the problem size it ran on. tfjs work runs on the backend the runner
 * would pick (`selectBackend('auto')`); every tfjs call is timed up to its last read-back, so nothing is left
 * pending. Pure-JS numerics (src/theory, the float64 parts of the observables) do not depend on the backend.
 * Prints nothing: `benchMechanics()` returns one JSON-able object. Timings live here, not in tests.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { neuralCollapseMetrics } from '../src/observables/collapse';
import {
  gradientNormsPerLayer,
  parameterNormsPerLayer,
  ParameterUpdateTracker,
} from '../src/observables/norms';
import { empiricalNtk, ntkSpectrum } from '../src/observables/ntk';
import { linearCka } from '../src/observables/representations';
import { hessianTopEigenvalues, hessianTrace, SharpnessTracker } from '../src/observables/sharpness';
import { fitMarchenkoPastur, fitPowerLawTail, weightSpectrum } from '../src/observables/spectra';
import { selectBackend } from '../src/runner/backend';
import { diagonalLinearInterpolator } from '../src/theory/diagonalLinear';
import { eigenlearningCurve, eigenlearningKappa } from '../src/theory/eigenlearning';
import { infiniteWidthKernels } from '../src/theory/infiniteWidth';
import {
  CHINCHILLA_BESIROGLU,
  chinchillaBootstrap,
  chinchillaFit,
  chinchillaLoss,
  type ScalingRun,
} from '../src/theory/scalingLaw';

const REPEATS = 5;
/** A function whose warm-up call takes longer than this is timed once more only (the warm-up is reported too). */
const SLOW_MS = 30_000;

export interface Timing {
  /** The problem size, in words. */
  size: string;
  medianMs: number;
  minMs: number;
  /** Timed calls after the warm-up. */
  repeats: number;
  /**
   * Median CPU time of the process during a call (user + system, every thread: OpenBLAS may use 2): on a loaded
   * machine, closer than the wall time to what an idle one would take for single-threaded JS.
   */
  medianCpuMs: number;
  /** The warm-up call (first call: tfjs kernel set-up, JIT, cold caches). */
  warmupMs: number;
  /** tfjs tensors left alive by one call (should be 0). */
  leakedTensors: number;
  /** Something the last call returned, to show what was computed (iterations, a value). */
  note?: string;
  /** The same for the warm-up call, when it differs. */
  warmupNote?: string;
}

const round = (ms: number) => Number(ms.toFixed(ms < 10 ? 3 : 1));

/** Times `run` once to warm up, then `repeats` times; `run` returns an optional note about its result. */
function time(size: string, run: () => string | void, repeats = REPEATS): Timing {
  const before = tf.memory().numTensors;
  let start = performance.now();
  const warmupNote = run();
  const warmupMs = performance.now() - start;
  const leakedTensors = tf.memory().numTensors - before;
  const n = warmupMs > SLOW_MS ? 1 : repeats;
  const times: number[] = [];
  const cpu: number[] = [];
  let note = warmupNote;
  for (let i = 0; i < n; i++) {
    const cpuStart = process.cpuUsage();
    start = performance.now();
    note = run() ?? note;
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    size,
    medianMs: round(median(times)),
    minMs: round(Math.min(...times)),
    repeats: n,
    medianCpuMs: round(median(cpu)),
    warmupMs: round(warmupMs),
    leakedTensors,
    ...(note ? { note } : {}),
    ...(warmupNote && warmupNote !== note ? { warmupNote } : {}),
  };
}

/** A seeded uniform source (mulberry32) and standard normals from it (Box-Muller). */
function gaussians(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const normalRows = (rows: number, cols: number, random: () => number, scale = 1) =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * random()));

const fmt = (x: number) => Number(x.toPrecision(4));

/** Empirical NTK of a 1-hidden-layer ReLU MLP in NTK parameterization, scalar output. */
function benchNtk(width: number, points: number, dim: number): Record<string, Timing> {
  const params = [
    tf.keep(tf.randomNormal([dim, width], 0, 1, 'float32', 1)),
    tf.keep(tf.randomNormal([width], 0, 1, 'float32', 2)),
    tf.keep(tf.randomNormal([width, 1], 0, 1, 'float32', 3)),
  ];
  const x = tf.keep(tf.randomNormal([points, dim], 0, 1, 'float32', 4));
  const model = ([w1, b1, w2]: tf.Tensor[], xs: tf.Tensor) =>
    tf
      .relu(xs.matMul(w1).div(Math.sqrt(dim)).add(b1))
      .matMul(w2)
      .div(Math.sqrt(width));
  const size = `MLP ${dim}-${width}-1 (ReLU, NTK param., P = ${dim * width + 2 * width}), ${points} points`;
  let kernel: number[][] = [];
  const result = {
    empiricalNtk: time(size, () => {
      const k = empiricalNtk(model, params, x);
      kernel = k.arraySync() as number[][];
      k.dispose();
      return `trace ${fmt(kernel.reduce((s, row, i) => s + row[i], 0))}`;
    }),
    ntkSpectrum: time(`${points} x ${points} kernel (ml-matrix symmetric EVD)`, () => {
      const eig = ntkSpectrum(kernel);
      return `top ${fmt(eig[0])}`;
    }),
  };
  tf.dispose([...params, x]);
  return result;
}

/** Power iteration, Lanczos and Hutchinson on a tanh MLP 30-100-100-5 with 500 points, loss sum||.||^2 / n. */
function benchSharpness(): Record<string, Timing> {
  const sizes = [30, 100, 100, 5];
  const n = 500;
  const params: tf.Tensor[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    params.push(
      tf.keep(tf.randomNormal([sizes[l], sizes[l + 1]], 0, 1 / Math.sqrt(sizes[l]), 'float32', 10 + l)),
    );
    params.push(tf.keep(tf.zeros([sizes[l + 1]])));
  }
  const x = tf.keep(tf.randomNormal([n, sizes[0]], 0, 1, 'float32', 20));
  const y = tf.keep(tf.randomNormal([n, sizes[3]], 0, 1, 'float32', 21));
  const loss = (ps: tf.Tensor[]): tf.Scalar => {
    let h = x;
    for (let l = 0; l < ps.length; l += 2) {
      h = h.matMul(ps[l]).add(ps[l + 1]);
      if (l + 2 < ps.length) h = tf.tanh(h);
    }
    return h.sub(y).square().sum().div(n) as tf.Scalar;
  };
  const P = params.reduce((s, p) => s + p.size, 0);
  const size = `tanh MLP 30-100-100-5 (P = ${P}), ${n} points, MSE`;
  const warm = new SharpnessTracker(loss, { seed: 0 });
  warm.estimate(params);
  const result = {
    sharpnessPowerIterationCold: time(`${size}; new tracker each call, maxIterations 20, tol 1e-3`, () => {
      const tracker = new SharpnessTracker(loss, { seed: 0 });
      const lambda = tracker.estimate(params);
      return `lambda_max ${fmt(lambda)} in ${tracker.iterations} rounds`;
    }),
    sharpnessPowerIterationWarm: time(`${size}; tracker warm-started at the same parameters`, () => {
      const lambda = warm.estimate(params);
      return `lambda_max ${fmt(lambda)} in ${warm.iterations} rounds`;
    }),
    hessianTopEigenvaluesK5: time(`${size}; k = 5, krylovDim 20 (default)`, () => {
      const top = hessianTopEigenvalues(loss, params, 5);
      return `top ${top.map(fmt).join(', ')}`;
    }),
    hessianTrace100Probes: time(`${size}; 100 Rademacher probes (default)`, () => {
      const t = hessianTrace(loss, params);
      return `trace ${fmt(t.trace)} +- ${fmt(t.standardError)}`;
    }),
    hessianTrace20Probes: time(`${size}; 20 probes`, () => {
      const t = hessianTrace(loss, params, { probes: 20 });
      return `trace ${fmt(t.trace)} +- ${fmt(t.standardError)}`;
    }),
  };
  tf.dispose([...params, x, y]);
  return result;
}

/** Weight spectrum, power-law tail fit and MP fit of an N x M Gaussian matrix. */
function benchSpectra(n: number, m: number): Record<string, Timing> {
  const w = tf.keep(tf.randomNormal([n, m], 0, 1 / Math.sqrt(n), 'float32', 30));
  let spectrum = weightSpectrum(w);
  const size = `${n} x ${m} Gaussian matrix`;
  const result = {
    weightSpectrum: time(`${size} (Gram ${m} x ${m} in tfjs, EVD in ml-matrix)`, () => {
      spectrum = weightSpectrum(w);
      return `lambda_max ${fmt(spectrum.eigenvalues[m - 1])}`;
    }),
    fitPowerLawTail: time(`${m} eigenvalues`, () => {
      const fit = fitPowerLawTail(spectrum.eigenvalues);
      return `alpha ${fmt(fit.alpha)}, nTail ${fit.nTail}`;
    }),
    fitMarchenkoPasturQGiven: time(`${m} eigenvalues, q = ${n / m} given`, () => {
      const fit = fitMarchenkoPastur(spectrum.correlationEigenvalues, { q: spectrum.q });
      return `sigma2 ${fmt(fit.sigma2)}, ks ${fmt(fit.ks)}`;
    }),
    fitMarchenkoPasturQFitted: time(`${m} eigenvalues, q fitted on [1, 50] (default)`, () => {
      const fit = fitMarchenkoPastur(spectrum.correlationEigenvalues);
      return `sigma2 ${fmt(fit.sigma2)}, q ${fmt(fit.q)}, ks ${fmt(fit.ks)}`;
    }),
  };
  w.dispose();
  return result;
}

/** NC1-NC4 on N features of dim p with K classes (class means + noise) and a linear head. */
function benchCollapse(n: number, p: number, k: number): Timing {
  const random = gaussians(40);
  const means = normalRows(k, p, random);
  const labels = Array.from({ length: n }, (_, i) => i % k);
  const rows = labels.map((c) => means[c].map((v) => v + 0.5 * random()));
  const features = tf.keep(tf.tensor2d(rows));
  const weight = tf.keep(tf.randomNormal([p, k], 0, 1, 'float32', 41));
  const bias = tf.keep(tf.zeros([k]));
  const result = time(`${n} features of dim ${p}, ${k} classes, with a ${p} x ${k} head (tensors in)`, () => {
    const m = neuralCollapseMetrics(features, labels, { weight, bias });
    return `nc1 ${fmt(m.nc1)}`;
  });
  tf.dispose([features, weight, bias]);
  return result;
}

function benchCka(n: number, p1: number, p2: number): Timing {
  const x = tf.keep(tf.randomNormal([n, p1], 0, 1, 'float32', 50)) as tf.Tensor2D;
  const y = tf.keep(tf.tanh(x.matMul(tf.randomNormal([p1, p2], 0, 1, 'float32', 51)))) as tf.Tensor2D;
  const form = p1 > n || p2 > n ? 'Gram form' : 'feature form';
  const result = time(`X ${n} x ${p1}, Y ${n} x ${p2} (${form})`, () => {
    const c = linearCka(x, y);
    const v = c.dataSync()[0];
    c.dispose();
    return `cka ${fmt(v)}`;
  });
  tf.dispose([x, y]);
  return result;
}

function benchInfiniteWidth(points: number, dim: number): Record<string, Timing> {
  const x = normalRows(points, dim, gaussians(60));
  const kernels = (activation: 'relu' | 'erf' | 'tanh', sigmaW2: number, rows: number[][]) => () => {
    const k = infiniteWidthKernels(rows, undefined, { depth: 3, activation, sigmaW2, sigmaB2: 0.1 });
    return `ntk[0][0] ${fmt(k.ntk[0][0])}`;
  };
  const size = (act: string, n: number) => `${n} x ${n} NNGP + NTK, depth 3, ${act}, d = ${dim}`;
  const small = x.slice(0, 16);
  return {
    relu: time(size('relu (closed form)', points), kernels('relu', 2, x)),
    erf: time(size('erf (closed form)', points), kernels('erf', 1, x)),
    tanhQuadrature: time(size('tanh (Gauss-Hermite, default order)', 16), kernels('tanh', 1, small), 3),
  };
}

function benchEigenlearning(count: number): Record<string, Timing> {
  const eigenvalues = Array.from({ length: count }, (_, i) => (i + 1) ** -1.5);
  const targetPower = Array.from({ length: count }, (_, i) => (i + 1) ** -1.2);
  const ns = Array.from({ length: 40 }, (_, i) => Math.round(10 ** ((3.7 * i) / 39)));
  return {
    kappa: time(`${count} eigenvalues lambda_i = i^-1.5, n = 100, ridgeless`, () => {
      return `kappa ${fmt(eigenlearningKappa(eigenvalues, 100))}`;
    }),
    curve: time(
      `${count} eigenvalues, ${ns.length} values of n from 1 to ${ns[ns.length - 1]}, ridge 1e-3`,
      () => {
        const mse = eigenlearningCurve({ eigenvalues, targetPower, ridge: 1e-3, noiseVariance: 0.01 }, ns);
        return `test MSE at n = ${ns[ns.length - 1]}: ${fmt(mse[mse.length - 1])}`;
      },
    ),
  };
}

function benchScalingLaw(): Record<string, Timing> {
  const random = gaussians(70);
  const runs: ScalingRun[] = [];
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 6; j++) {
      const N = 1e6 * 10 ** (i / 2);
      const D = 2e7 * 10 ** (j / 2);
      runs.push({ N, D, loss: chinchillaLoss(CHINCHILLA_BESIROGLU, N, D) * Math.exp(0.01 * random()) });
    }
  }
  const size = '7 x 6 grid (N 1e6..1e9, D 2e7..2e10), Besiroglu law, 1% log-noise';
  return {
    chinchillaFit: time(`${size}; 4500 grid starts`, () => {
      const fit = chinchillaFit(runs);
      return `alpha ${fmt(fit.params.alpha)}, beta ${fmt(fit.params.beta)}`;
    }),
    chinchillaBootstrap20: time(`${size}; full fit + 20 resamples`, () => {
      const boot = chinchillaBootstrap(runs, { resamples: 20 });
      return `a in [${fmt(boot.intervals.a.lo)}, ${fmt(boot.intervals.a.hi)}]`;
    }),
  };
}

function benchDiagonalLinear(n: number, d: number): Record<string, Timing> {
  const random = gaussians(80);
  const x = normalRows(n, d, random);
  const wStar = Array.from({ length: d }, (_, i) => (i < 5 ? 1 : 0));
  const y = x.map((row) => row.reduce((s, v, i) => s + v * wStar[i], 0));
  const run = (alpha: number) => () => {
    const sol = diagonalLinearInterpolator({ x, y, alpha });
    return `${sol.iterations} Newton steps, residual ${sol.residual.toExponential(1)}`;
  };
  const size = (alpha: number) => `n = ${n}, d = ${d}, 5-sparse target, alpha = ${alpha}`;
  return {
    alpha1e_2: time(size(1e-2), run(1e-2)),
    alpha1e_6: time(size(1e-6), run(1e-6)),
  };
}

function benchNorms(): Record<string, Timing> {
  const sizes = [784, 512, 512, 10];
  const params: tf.Tensor[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    params.push(
      tf.keep(tf.randomNormal([sizes[l], sizes[l + 1]], 0, 1 / Math.sqrt(sizes[l]), 'float32', 90 + l)),
    );
    params.push(tf.keep(tf.zeros([sizes[l + 1]])));
  }
  const moved = params.map((p, l) => tf.keep(p.add(tf.randomNormal(p.shape, 0, 1e-3, 'float32', 95 + l))));
  const x = tf.keep(tf.randomNormal([128, 784], 0, 1, 'float32', 99));
  const y = tf.keep(
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 128 }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  );
  const loss = (ps: tf.Tensor[]): tf.Scalar => {
    let h = x;
    for (let l = 0; l < ps.length; l += 2) {
      h = h.matMul(ps[l]).add(ps[l + 1]);
      if (l + 2 < ps.length) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  };
  const P = params.reduce((s, p) => s + p.size, 0);
  const size = `MLP 784-512-512-10, 6 tensors, P = ${P}`;
  const tracker = new ParameterUpdateTracker(params);
  const result = {
    parameterNormsPerLayer: time(size, () => `total ${fmt(parameterNormsPerLayer(params).total)}`),
    gradientNormsPerLayer: time(`${size}; batch 128, softmax cross-entropy`, () => {
      return `total ${fmt(gradientNormsPerLayer(loss, params).total)}`;
    }),
    updateTrackerSnapshot: time(`${size}; clones every tensor`, () => tracker.snapshot(params)),
    updateTrackerMeasure: time(`${size}; against the snapshot`, () => {
      return `total relative update ${fmt(tracker.measure(moved).totalRelativeUpdate)}`;
    }),
  };
  tracker.dispose();
  tf.dispose([...params, ...moved, x, y]);
  return result;
}

/** Runs every section; see the module comment. */
export async function benchMechanics(): Promise<object> {
  const backend = await selectBackend('auto');
  const loadAverageBefore = os.loadavg()[0];
  const started = performance.now();
  const ntk = {
    width256: benchNtk(256, 64, 16),
    width1024: benchNtk(1024, 256, 16),
  };
  const result = {
    backend,
    machine: {
      cores: os.cpus().length,
      availableParallelism: os.availableParallelism(),
      node: process.version,
    },
    protocol: `one warm-up call, then the median and min of ${REPEATS} calls (1 if the warm-up took > ${SLOW_MS / 1000} s)`,
    ntk,
    sharpness: benchSharpness(),
    spectra: { '512x256': benchSpectra(512, 256), '1024x512': benchSpectra(1024, 512) },
    neuralCollapse: benchCollapse(1000, 128, 10),
    linearCka: {
      featureForm: benchCka(1000, 128, 256),
      gramForm: benchCka(256, 512, 1024),
    },
    infiniteWidthKernels: benchInfiniteWidth(256, 16),
    eigenlearning: benchEigenlearning(10_000),
    scalingLaw: benchScalingLaw(),
    diagonalLinearInterpolator: benchDiagonalLinear(50, 200),
    norms: benchNorms(),
  };
  return {
    ...result,
    loadAverage1m: { before: loadAverageBefore, after: os.loadavg()[0] },
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}
