import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLocalPool } from '../src/sweep/localPool';
import { pointsToRun, prepareSweep } from '../src/sweep/prepare';

/**
 * The local sweep backend (issue 5): parallel efficiency, the throughput of a 16-point sweep with 2 workers
 * over 1 worker (target >= 1.8 on 2 cores), and the overhead per point (a 1-step point: runner process start,
 * compile, tfjs load, run creation, summary). Points are the deep linear template, 16 seeds of `steps` steps,
 * on the backend `auto` picks. A lone runner uses ~1.3 cores (V8's GC and compiler threads), which the pool
 * turns off when its workers fill the cores; so the efficiency is given both as the product runs it (1 worker
 * with V8's threads) and core for core (1 worker without them, as each of the 2 workers runs).
 */
const TEMPLATE = path.join(__dirname, '..', 'templates', 'deepLinear.exp.ts');

async function sweepSeconds(
  workers: number,
  steps: number,
  seeds: number,
  execArgv?: string[],
): Promise<number> {
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
      ...(execArgv && { runner: { execArgv } }),
    }).done;
    const seconds = (performance.now() - start) / 1000;
    const bad = results.filter((r) => r.state !== 'completed');
    if (bad.length > 0) throw new Error(`points did not complete: ${JSON.stringify(bad[0])}`);
    return seconds;
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

export async function benchSweepLocal(steps = 6000, points = 16) {
  const one = await sweepSeconds(1, steps, points);
  const oneSingleThreaded = await sweepSeconds(1, steps, points, ['--single-threaded']);
  const two = await sweepSeconds(2, steps, points);
  const overhead = (await sweepSeconds(1, 1, 4)) / 4;
  return {
    points,
    stepsPerPoint: steps,
    seconds: { oneWorker: one, oneWorkerSingleThreadedV8: oneSingleThreaded, twoWorkers: two },
    parallelEfficiency: one / two,
    parallelEfficiencyCoreForCore: oneSingleThreaded / two,
    target: 1.8,
    overheadPerPointSeconds: overhead,
    loadAverage: os.loadavg()[0],
  };
}
