import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerProcess } from '../src/host/runnerProcess';
import { REPLAY_ENV } from '../src/runner/replay/replayer';
import { loadSeries } from '../src/store/runReader';

const FILE = path.join(__dirname, 'workloads', 'longRun.exp.ts');

/**
 * A million steps under the real runner (bench/workloads/longRun.exp.ts), with step replay as the product runs
 * it and, shorter, with every step through tfjs (LM_REPLAY=off): tfjs's live tensors and the memory from the
 * first sample after warm-up (step 10000) to the last, and their largest values. Prints what it measured;
 * "flat" means no tensor more at the end than at step 10000, and the heap (after a full collection) and the
 * resident memory within 10% of their values there.
 */
export async function benchLongRun(steps = 1_000_000, realSteps = 100_000): Promise<Record<string, unknown>> {
  return {
    replayed: await longRun(steps, undefined),
    real: await longRun(realSteps, 'off'),
  };
}

async function longRun(steps: number, replay: 'off' | undefined): Promise<Record<string, unknown>> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-long-'));
  const saved = process.env[REPLAY_ENV];
  if (replay) process.env[REPLAY_ENV] = replay;
  else delete process.env[REPLAY_ENV];
  try {
    const start = performance.now();
    const request = {
      type: 'start' as const,
      file: FILE,
      overrides: {},
      backend: 'auto' as const,
      runsDir,
      steps,
    };
    // --expose-gc lets the workload collect garbage before it reads the heap.
    const outcome = await new RunnerProcess(request, {}, { execArgv: ['--expose-gc'] }).done;
    if (outcome.kind !== 'finished' || outcome.manifest.status !== 'completed') {
      throw new Error(`longRun: ${JSON.stringify(outcome)}`);
    }
    const { manifest } = outcome;
    const series = (name: string) => Array.from(loadSeries(runsDir, manifest.id, name).value);
    const [tensors, rss, heap] = [series('tensors'), series('memory[0]'), series('memory[1]')];
    // Index 0 is step 0 (before training); index 1 is step 10000, after every warm-up.
    const after = (values: number[]) => ({
      atStep10000: values[1],
      last: values[values.length - 1],
      max: Math.max(...values.slice(1)),
    });
    const t = after(tensors);
    const r = after(rss);
    const h = after(heap);
    return {
      steps,
      backend: manifest.backend.name,
      replay: manifest.replay
        ? `${manifest.replay.on ? 'on' : 'off'}: ${manifest.replay.reason}`
        : 'no record',
      stepsPerSecond: manifest.stepsPerSecond,
      wallSeconds: (performance.now() - start) / 1000,
      tensors: t,
      rssMiB: r,
      heapMiB: h,
      flat: t.max <= t.atStep10000 && h.last <= 1.1 * h.atStep10000 && r.last <= 1.1 * r.atStep10000,
    };
  } finally {
    if (saved === undefined) delete process.env[REPLAY_ENV];
    else process.env[REPLAY_ENV] = saved;
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}
