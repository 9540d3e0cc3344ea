import type { PredictionScore } from '../../src/protocol/score';
import {
  WEBVIEW_PROTOCOL_VERSION,
  type ChartView,
  type HostToWebview,
  type RunInfo,
} from '../../src/protocol/webview';
import { buildCharts, type ChartRun } from '../../src/series/chartData';
import type { SeriesData } from '../../src/store/seriesData';

/** Target singular values of the synthetic deep linear network, and the small initial mode strength. */
const SINGULAR = [5, 4, 3, 2, 1, 0.5];
const U0 = 1e-3;

/** Saxe et al. (2014) for a two-layer linear network: u(tau) = s e^{2 s tau} / (e^{2 s tau} - 1 + s / u0). */
function saxe(s: number, tau: number): number {
  const e = Math.exp(2 * s * tau);
  return (s * e) / (e - 1 + s / U0);
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FixtureOptions {
  id: string;
  lr: number;
  /** Steps planned, and steps recorded so far (a live run has recorded fewer). */
  steps: number;
  upTo?: number;
  /** Measured samples are recorded every `every` steps, predictions every 10 `every`. */
  every?: number;
  colorIndex?: number;
  label?: string;
  seed?: number;
  /** Prediction scores, as the host would send them. */
  agreement?: PredictionScore[];
}

/**
 * A deep-linear-like run: `loss` and the vector observable `modes[0..5]` measured with noise around Saxe's
 * solution; predictions `modes[i]~saxe` (with a band) and, on the loss, `loss~saxe` (passes) and `loss~lazy`
 * (the linearised regime, which fails).
 */
export function deepLinearRun(o: FixtureOptions): { info: RunInfo; run: ChartRun } {
  const upTo = o.upTo ?? o.steps;
  const every = o.every ?? 1;
  const rand = random(o.seed ?? 1);
  const series = new Map<string, SeriesData>();
  const measuredSteps = range(0, upTo, every);
  const predictedSteps = range(0, upTo, every * 10);
  const noisy = (v: number) => v * (1 + 0.04 * (rand() - 0.5)) + 0.01 * (rand() - 0.5);
  SINGULAR.forEach((s, i) => {
    series.set(
      `modes[${i}]`,
      column(measuredSteps, (step) => noisy(saxe(s, o.lr * step))),
    );
    series.set(
      `modes[${i}]~saxe`,
      column(predictedSteps, (step) => saxe(s, o.lr * step)),
    );
    const width = (step: number) => 0.03 * saxe(s, o.lr * step) + 0.02;
    series.set(
      `modes[${i}]~saxe:lo`,
      column(predictedSteps, (step) => saxe(s, o.lr * step) - width(step)),
    );
    series.set(
      `modes[${i}]~saxe:hi`,
      column(predictedSteps, (step) => saxe(s, o.lr * step) + width(step)),
    );
  });
  const loss = (tau: number) => 0.5 * SINGULAR.reduce((sum, s) => sum + (s - saxe(s, tau)) ** 2, 0);
  const lazy = (tau: number) => loss(0) * Math.exp(-2 * 0.5 * tau);
  series.set(
    'loss',
    column(measuredSteps, (step) => loss(o.lr * step) * (1 + 0.3 * (rand() - 0.5)) + 1e-9 * rand()),
  );
  series.set(
    'loss~saxe',
    column(predictedSteps, (step) => loss(o.lr * step)),
  );
  series.set(
    'loss~lazy',
    column(predictedSteps, (step) => lazy(o.lr * step)),
  );
  const info: RunInfo = {
    id: o.id,
    experiment: 'deepLinear',
    title: `Deep linear network · ${o.id}`,
    status: upTo < o.steps ? 'running' : 'completed',
    step: upTo,
    steps: o.steps,
    stepsPerSecond: upTo < o.steps ? 2140 : null,
    backend: 'tfjs-node',
    error: null,
    colorIndex: o.colorIndex ?? 0,
    label: o.label ?? `lr=${o.lr} depth=2 width=64`,
    lr: o.lr,
  };
  const run: ChartRun = {
    info,
    series,
    observables: ['loss', 'modes'],
    agreement: o.agreement ?? defaultAgreement(),
  };
  return { info, run };
}

/** A passing `saxe` score on each observable and a failing `lazy` one on the loss. */
export function defaultAgreement(modesR2 = 0.9987): PredictionScore[] {
  const series = (observable: string, n: number, value: number) =>
    Array.from({ length: n }, (_, i) => ({
      series: n > 1 ? `${observable}[${i}]` : observable,
      value,
      pass: true,
      points: 2001,
    }));
  return [
    {
      name: 'saxe',
      observable: 'modes',
      score: 'r2',
      tolerance: 0.99,
      value: modesR2,
      pass: modesR2 >= 0.99,
      series: series('modes', 6, modesR2),
    },
    {
      name: 'saxe',
      observable: 'loss',
      score: 'r2log',
      tolerance: 0.99,
      value: 0.9962,
      pass: true,
      series: series('loss', 1, 0.9962),
    },
    {
      name: 'lazy',
      observable: 'loss',
      score: 'maxRelError',
      tolerance: 0.1,
      value: 0.8412,
      pass: false,
      series: [{ series: 'loss', value: 0.8412, pass: false, points: 2001 }],
    },
  ];
}

/** The snapshot a host would send for these runs and views. */
export function snapshot(
  runs: Array<{ info: RunInfo; run: ChartRun }>,
  views: Record<string, ChartView> = {},
  title = runs.length > 1 ? `Compare ${runs.length} runs · deepLinear` : runs[0].info.title,
): HostToWebview {
  return {
    type: 'snapshot',
    protocolVersion: WEBVIEW_PROTOCOL_VERSION,
    title,
    runs: runs.map((r) => r.info),
    charts: buildCharts({ runs: runs.map((r) => r.run) }, views),
  };
}

function range(from: number, to: number, every: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s += every) out.push(s);
  return out;
}

function column(steps: number[], value: (step: number) => number): SeriesData {
  return {
    step: Float64Array.from(steps),
    value: Float64Array.from(steps, value),
    wall: Float64Array.from(steps, (s) => s / 2140),
  };
}
