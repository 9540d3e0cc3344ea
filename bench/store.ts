import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Sample } from '../src/protocol/series';
import { initialManifest } from '../src/store/initialManifest';
import { loadRun, loadSeries } from '../src/store/runReader';
import { createRun } from '../src/store/runWriter';
import { SERIES_FILE } from '../src/store/seriesFile';

/**
 * Run-store throughput, in a temporary runs directory that is removed afterwards. Writes `SAMPLES` samples over
 * `SERIES` series in batches of `BATCH` (as the runner appends them: one batch array reused, its samples
 * updated in place), closing the writer (so everything is written to the OS; no fsync); then loads the whole
 * run, then one series. A smaller warm-up run first lets the JIT settle. Timings, not assertions.
 */
const SAMPLES = 2_000_000;
const SERIES = 8;
const BATCH = 1000;
const MANIFEST_UPDATES = 200;

export async function benchStore(): Promise<Record<string, number>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-store-'));
  try {
    writeRun(root, 'warmup', SAMPLES / 10);
    loadRun(root, 'warmup');
    const writeSeconds = writeRun(root, 'bench', SAMPLES);
    const loadSeconds = time(() => loadRun(root, 'bench'));
    const seriesSeconds = time(() => loadSeries(root, 'bench', 's3'));
    const updateSeconds = updateManifests(root);
    return {
      storeWriteSamplesPerSec: Math.round(SAMPLES / writeSeconds),
      storeLoadRunSamplesPerSec: Math.round(SAMPLES / loadSeconds),
      storeLoadSeriesScannedSamplesPerSec: Math.round(SAMPLES / seriesSeconds),
      storeManifestUpdatesPerSec: Math.round(MANIFEST_UPDATES / updateSeconds),
      storeBytesPerSample: fs.statSync(path.join(root, 'bench', SERIES_FILE)).size / SAMPLES,
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Seconds to append `count` samples in batches and close the run. */
function writeRun(runsDir: string, id: string, count: number): number {
  const batch: Sample[] = Array.from({ length: BATCH }, (_, i) => ({
    series: `s${i % SERIES}`,
    step: 0,
    value: 0,
    wall: 0,
  }));
  const writer = createRun(runsDir, manifest(id));
  return time(() => {
    for (let first = 0; first < count; first += BATCH) {
      for (let i = 0; i < BATCH; i++) {
        const sample = batch[i];
        sample.step = Math.floor((first + i) / SERIES);
        sample.value = Math.sin(first + i);
        sample.wall = (first + i) * 1e-6;
      }
      writer.append(batch);
    }
    writer.close();
  });
}

/** Seconds for MANIFEST_UPDATES progress updates of a run's manifest (atomic rewrites). */
function updateManifests(runsDir: string): number {
  const writer = createRun(runsDir, manifest('updates'));
  const seconds = time(() => {
    for (let step = 1; step <= MANIFEST_UPDATES; step++)
      writer.updateManifest({ step, stepsPerSecond: step });
  });
  writer.close();
  return seconds;
}

function manifest(id: string) {
  return initialManifest({
    id,
    experiment: 'Bench',
    title: 'store benchmark',
    file: 'bench/store.ts',
    contentHash: '0',
    params: {},
    seed: 0,
    steps: SAMPLES / SERIES,
    backend: { name: 'none', tfjsVersion: '0', reason: 'benchmark' },
    observables: [],
    predictions: [],
  });
}

function time(work: () => unknown): number {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
}
