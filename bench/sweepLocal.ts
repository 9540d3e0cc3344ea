import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLocalPool } from '../src/sweep/localPool';
import { pointsToRun, prepareSweep } from '../src/sweep/prepare';

/**
 * The local sweep backend (issue 5): parallel efficiency, the throughput of a 16-point sweep with 2 workers
 * over 1 worker (target >= 1.8 on 2 cores), and the overhead per point (a 1-step point: runner process start,
 * compile, tfjs load, run creation, summary). Points are the deep linear template (small matrices, one core
 * each), 16 seeds of `steps` steps, on the backend `auto` picks.
 */
const TEMPLATE = path.join(__dirname, '..', 'templates', 'deepLinear.exp.ts');

async function sweepSeconds(workers: number, steps: number, seeds: number): Promise<number> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-sweep-'));
  try {
    const { dir, manifest, points } = await prepareSweep({
      file: TEMPLATE,
      seeds,
      steps,
      runsDir,
      backend: { kind: 'local', workers },
    });
    const start = performance.now();
    const results = await runLocalPool(dir, manifest, pointsToRun(points, false), {
      workers,
      runsDir,
      backend: 'auto',
    }).done;
    const seconds = (performance.now() - start) / 1000;
    const bad = results.filter((r) => r.state !== 'completed');
    if (bad.length > 0) throw new Error(`points did not complete: ${JSON.stringify(bad[0])}`);
    return seconds;
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

export async function benchSweepLocal(steps = 1500, points = 16) {
  const one = await sweepSeconds(1, steps, points);
  const two = await sweepSeconds(2, steps, points);
  const overhead = (await sweepSeconds(1, 1, 4)) / 4;
  return {
    points,
    stepsPerPoint: steps,
    seconds: { oneWorker: one, twoWorkers: two },
    parallelEfficiency: one / two,
    target: 1.8,
    overheadPerPointSeconds: overhead,
    loadAverage: os.loadavg()[0],
  };
}
