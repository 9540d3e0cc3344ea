import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerProcess } from '../src/host/runnerProcess';
import { REPLAY_ENV } from '../src/runner/replay/replayer';

export interface Workload {
  name: string;
  file: string;
  steps: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The runner's overhead on a workload: steps/s under the runner (its own measurement, first step to last,
 * observables included) divided by steps/s of the bare loop in a child process of the same kind. Runs
 * alternate between the two and the medians are compared, since this machine's speed drifts by several %.
 * The runner runs with step replay off (LM_REPLAY=off) so that both loops run every step through tfjs: what
 * is measured is the runner's own cost (sampling, recording, streaming), not replay's gain (vsNumpy has that).
 */
export async function benchRunnerOverhead(
  w: Workload,
  repeats = 7,
): Promise<Record<string, number | string>> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-'));
  const replay = process.env[REPLAY_ENV];
  process.env[REPLAY_ENV] = 'off'; // the forked runner inherits the environment
  try {
    const underRunner: number[] = [];
    const bare: number[] = [];
    let backend = '';
    for (let i = 0; i < repeats; i++) {
      const outcome = await new RunnerProcess({
        type: 'start',
        file: w.file,
        overrides: {},
        backend: 'auto',
        runsDir,
        steps: w.steps,
      }).done;
      if (outcome.kind !== 'finished') throw new Error(`${w.name}: ${JSON.stringify(outcome)}`);
      underRunner.push(outcome.manifest.stepsPerSecond ?? 0);
      backend = outcome.manifest.backend.name;
      const out = execFileSync(process.execPath, [
        '--import',
        'tsx',
        path.join(__dirname, 'bareLoop.ts'),
        w.file,
        String(w.steps),
        'auto',
      ]);
      bare.push(JSON.parse(out.toString()).stepsPerSecond);
    }
    return {
      backend,
      steps: w.steps,
      repeats,
      runnerStepsPerSecond: median(underRunner),
      bareStepsPerSecond: median(bare),
      ratio: median(underRunner) / median(bare),
      ratioSpread: `${(Math.min(...underRunner) / Math.max(...bare)).toFixed(3)}..${(Math.max(...underRunner) / Math.min(...bare)).toFixed(3)}`,
    };
  } finally {
    if (replay === undefined) delete process.env[REPLAY_ENV];
    else process.env[REPLAY_ENV] = replay;
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}
