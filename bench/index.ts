/**
 * `npm run bench`: prints one JSON object with the runner's overhead on two workloads (target ratio >= 0.97),
 * the store's write and read throughput (target >= 100k samples/s), and our training throughput against numpy
 * on the issue-6 workloads (target ratio >= 1), the cost of a chart update with 1M samples per series (host
 * bucketing and webview drawing), the extension's activation cost, the local sweep pool's parallel efficiency
 * and per-point overhead, the SLURM backend's submit-to-first-sample time on a localhost cluster, and the cost
 * of the mechanics library's observables and fits, and (longRun) tensors and memory over a million steps.
 * Timings live here, not in tests.
 * `npm run bench -- vsNumpy` (or any list of section names) runs only those sections.
 */
import * as path from 'node:path';
import { benchActivation } from './activation';
import { benchChartUpdate } from './chartUpdate';
import { benchLongRun } from './longRun';
import { benchRunnerOverhead } from './runnerOverhead';
import { benchMechanics } from './mechanics';
import { benchStore } from './store';
import { benchSweepLocal } from './sweepLocal';
import { benchSweepSlurm } from './sweepSlurm';
import { benchVsNumpy } from './vsNumpy';

const SECTIONS: Record<string, () => Promise<unknown>> = {
  runnerOverhead: async () => {
    const root = path.join(__dirname, '..');
    return {
      deepLinear: await benchRunnerOverhead({
        name: 'deepLinear',
        file: path.join(root, 'templates', 'deepLinear.exp.ts'),
        steps: 20000,
      }),
      mlp: await benchRunnerOverhead({
        name: 'mlp',
        file: path.join(__dirname, 'workloads', 'mlp.exp.ts'),
        steps: 30,
      }),
    };
  },
  store: benchStore,
  chartUpdate: benchChartUpdate,
  activation: async () => benchActivation(),
  vsNumpy: benchVsNumpy,
  longRun: () => benchLongRun(),
  sweepLocal: () => benchSweepLocal(),
  mechanics: benchMechanics,
  sweepSlurm: () => benchSweepSlurm(),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((name) => name in SECTIONS);
  const result: Record<string, unknown> = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  };
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (wanted.length === 0 || wanted.includes(name)) result[name] = await run();
  }
  console.log(JSON.stringify(result, null, 2));
}

void main();
