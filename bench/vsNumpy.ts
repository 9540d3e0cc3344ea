import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerProcess } from '../src/host/runnerProcess';
import type { BackendChoice } from '../src/protocol/runner';
import { deepLinearGrid, eos, mlp, ntk } from './twinWorkloads';

/** One workload: the experiment the runner trains, and its numpy twin in bench/numpy/workloads.py. */
export interface TwinWorkload {
  file: string;
  steps: number;
  overrides: Record<string, unknown>;
  /** The twin's name and parameters; `steps` is added. */
  numpy: { name: string; params: Record<string, unknown> };
}

export interface TwinResult {
  backend: string;
  backendReason: string;
  /** Whether the runner replayed step() as a compiled program (src/runner/replay/), and why (not). */
  replay: string;
  steps: number;
  repeats: number;
  oursStepsPerSecond: number;
  numpyStepsPerSecond: number;
  oursMsPerStep: number;
  numpyMsPerStep: number;
  /** ours / numpy, steps per second (>= 1: at least as fast as numpy). */
  ratio: number;
  /** The worst and best pairing of single runs, since this machine's speed drifts. */
  ratioSpread: string;
  /** Best run against best run: the least disturbed estimate when other processes share the cores. */
  bestRatio: number;
  /** For a workload below target (ratio < 1): where the time goes, from a second, longer run of it. */
  shortfall?: Shortfall;
}

/**
 * A run's time as a fixed part (everything before the steady state: cold code, recording and proving the
 * replayed step, the first observables) plus a steady time per step, fitted through two run lengths, n and
 * LONGER n, for ours and numpy alike. When ours is faster per step, runs past `crossoverSteps` are faster
 * than numpy's. Two points fit exactly, so the machine's drift between them lands in the fixed part: a
 * negative one is that drift (numpy's read -131 to 43 ms over this session's fits).
 */
export interface Shortfall {
  longerSteps: number;
  longerRatio: number;
  oursFixedMs: number;
  oursSteadyMsPerStep: number;
  numpyFixedMs: number;
  numpySteadyMsPerStep: number;
  /** The run length past which ours takes less time; null when ours is not faster per step. */
  crossoverSteps: number | null;
}

/** How much longer the second run of a workload below target is. */
const LONGER = 10;

const NUMPY_SCRIPT = path.join(__dirname, 'numpy', 'workloads.py');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Ours against numpy on one workload: the experiment under the real runner with the backend the product picks
 * (`auto` by default), its steps/s as the runner measures it (first step to last, observables included), and
 * the numpy twin timed the same way in a python3 child; runs alternate and medians are compared.
 */
export async function benchTwin(
  w: TwinWorkload,
  repeats = 3,
  backend: BackendChoice = 'auto',
): Promise<TwinResult> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-numpy-'));
  try {
    const ours: number[] = [];
    const numpy: number[] = [];
    let info = { name: '', reason: '' };
    let replay = 'no record';
    for (let i = 0; i < repeats; i++) {
      const outcome = await new RunnerProcess({
        type: 'start',
        file: w.file,
        overrides: w.overrides,
        backend,
        runsDir,
        steps: w.steps,
      }).done;
      if (outcome.kind !== 'finished' || outcome.manifest.status !== 'completed') {
        throw new Error(
          `${w.file}: ${JSON.stringify(outcome.kind === 'finished' ? outcome.manifest.error : outcome)}`,
        );
      }
      ours.push(outcome.manifest.stepsPerSecond ?? 0);
      info = outcome.manifest.backend;
      const r = outcome.manifest.replay;
      if (r) {
        const observables = Object.entries(r.observables).map(
          ([name, o]) => `${name} ${o.on ? 'on' : 'off'}`,
        );
        replay = `${r.on ? 'on' : 'off'} (${r.reason}); observables: ${observables.join(', ') || 'none'}`;
      }
      numpy.push(runNumpy(w));
    }
    const [o, n] = [median(ours), median(numpy)];
    return {
      backend: info.name,
      backendReason: info.reason,
      replay,
      steps: w.steps,
      repeats,
      oursStepsPerSecond: o,
      numpyStepsPerSecond: n,
      oursMsPerStep: 1000 / o,
      numpyMsPerStep: 1000 / n,
      ratio: o / n,
      ratioSpread: `${(Math.min(...ours) / Math.max(...numpy)).toFixed(3)}..${(Math.max(...ours) / Math.min(...numpy)).toFixed(3)}`,
      bestRatio: Math.max(...ours) / Math.max(...numpy),
    };
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

/** benchTwin, and for a workload below target its shortfall (3 runs at LONGER times the steps). */
async function withShortfall(w: TwinWorkload, repeats: number): Promise<TwinResult> {
  const short = await benchTwin(w, repeats);
  if (short.ratio >= 1) return short;
  const long = await benchTwin({ ...w, steps: w.steps * LONGER }, 3);
  return { ...short, shortfall: shortfall(short, long) };
}

/** The fixed and per-step parts of ours and numpy's time, from the medians at two run lengths. */
function shortfall(short: TwinResult, long: TwinResult): Shortfall {
  const fit = (msPerStep: [number, number]) => {
    const [t1, t2] = [short.steps * msPerStep[0], long.steps * msPerStep[1]];
    const steady = (t2 - t1) / (long.steps - short.steps);
    return { fixed: t1 - steady * short.steps, steady };
  };
  const ours = fit([short.oursMsPerStep, long.oursMsPerStep]);
  const numpy = fit([short.numpyMsPerStep, long.numpyMsPerStep]);
  const crossover =
    ours.steady < numpy.steady ? Math.ceil((ours.fixed - numpy.fixed) / (numpy.steady - ours.steady)) : null;
  return {
    longerSteps: long.steps,
    longerRatio: long.ratio,
    oursFixedMs: ours.fixed,
    oursSteadyMsPerStep: ours.steady,
    numpyFixedMs: numpy.fixed,
    numpySteadyMsPerStep: numpy.steady,
    crossoverSteps: crossover === null ? null : Math.max(0, crossover),
  };
}

function runNumpy(w: TwinWorkload): number {
  const params = JSON.stringify({ ...w.numpy.params, steps: w.steps });
  const out = execFileSync('python3', [NUMPY_SCRIPT, w.numpy.name, params], { encoding: 'utf8' });
  return JSON.parse(out).stepsPerSecond as number;
}

/**
 * The four issue-6 workloads against their numpy twins, each under the backend `auto` picks: (1) the deep
 * linear example over d = 4..32 and depth 2..4, (2) the MLP, (3) GD with sharpness, (4) the empirical NTK.
 */
export async function benchVsNumpy(): Promise<Record<string, unknown>> {
  const loadAverageBefore = os.loadavg()[0];
  const grid: Record<string, TwinResult> = {};
  // 5 alternating runs a cell: with 3, one disturbed numpy run (this machine's speed drifts by up to 2x between
  // seconds) could move a cell's median by 30%.
  for (const [name, w] of Object.entries(deepLinearGrid())) grid[name] = await withShortfall(w, 5);
  const ratios = Object.values(grid).map((r) => r.ratio);
  const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  return {
    numpy: execFileSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], {
      encoding: 'utf8',
    }).trim(),
    deepLinear: { geomeanRatio: geomean, minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios), grid },
    mlp: await withShortfall(mlp, 7),
    eos: await withShortfall(eos, 7),
    ntk: await withShortfall(ntk, 7),
    /** Other processes on the machine, as the 1-minute load average before and after (2 cores: 2 is full). */
    loadAverage: { before: loadAverageBefore, after: os.loadavg()[0] },
  };
}
