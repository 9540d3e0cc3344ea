import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerProcess } from '../src/host/runnerProcess';

export interface Workload {
  name: string;
  file: string;
  steps: number;
}

/** Best of `repeats`: the least disturbed measurement of a throughput. */
const best = (values: number[]) => Math.max(...values);

/**
 * The runner's overhead on a workload: steps/s under the runner (its own measurement, first step to last,
 * observables included) divided by steps/s of the bare loop in a child process of the same kind.
 */
export async function benchRunnerOverhead(
  w: Workload,
  repeats = 3,
): Promise<Record<string, number | string>> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-'));
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
      runnerStepsPerSecond: best(underRunner),
      bareStepsPerSecond: best(bare),
      ratio: best(underRunner) / best(bare),
    };
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}
