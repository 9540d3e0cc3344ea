/**
 * `npm run bench`: prints one JSON object with the runner's overhead on two workloads (target ratio >= 0.97)
 * and the store's write and read throughput (target >= 100k samples/s). Timings live here, not in tests.
 */
import * as path from 'node:path';
import { benchRunnerOverhead } from './runnerOverhead';
import { benchStore } from './store';

async function main(): Promise<void> {
  const root = path.join(__dirname, '..');
  const result = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    runnerOverhead: {
      deepLinear: await benchRunnerOverhead({
        name: 'deepLinear',
        file: path.join(root, 'examples', 'deepLinear.exp.ts'),
        steps: 20000,
      }),
      mlp: await benchRunnerOverhead({
        name: 'mlp',
        file: path.join(__dirname, 'workloads', 'mlp.exp.ts'),
        steps: 30,
      }),
    },
    store: await benchStore(),
  };
  console.log(JSON.stringify(result, null, 2));
}

void main();
