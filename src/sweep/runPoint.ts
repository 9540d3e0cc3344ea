import * as os from 'node:os';
import { RunnerProcess, type RunnerOptions, type RunnerOutcome } from '../host/runnerProcess';
import type { BackendChoice } from '../protocol/runner';
import { summarizeRun } from './summary';
import { writePoint, type PointRecord, type PointState, type SweepManifest } from './sweepStore';

export interface PointOptions {
  runsDir: string;
  backend: BackendChoice;
  runner?: RunnerOptions;
  /** Called when the point's run reports progress. */
  progress?(index: number, step: number, steps: number): void;
}

/** A point being run: stop it (its run keeps what it recorded and the point becomes `cancelled`). */
export interface RunningPoint {
  stop(): void;
  done: Promise<PointRecord>;
}

/**
 * Runs one point of a sweep as an ordinary run tagged with the sweep, recording the point's state in its own
 * file before (running, with this process as executor), when the run is created (its id) and at the end (its
 * state and summary). Used by the local pool and by `lm sweep-worker` on cluster nodes alike.
 */
export function runPoint(
  dir: string,
  sweep: SweepManifest,
  previous: PointRecord,
  options: PointOptions,
): RunningPoint {
  const point = sweep.points[previous.index];
  let record: PointRecord = {
    ...previous,
    state: 'running',
    runId: null,
    attempts: previous.attempts + 1,
    error: null,
    summary: {},
    startedAt: new Date().toISOString(),
    endedAt: null,
    executor: { pid: process.pid, hostname: os.hostname() },
  };
  writePoint(dir, record);
  let stopped = false;
  const runner = new RunnerProcess(
    {
      type: 'start',
      file: sweep.file,
      experiment: sweep.experiment,
      overrides: point.overrides,
      seed: point.seed,
      steps: sweep.steps,
      backend: options.backend,
      runsDir: options.runsDir,
      sweep: { id: sweep.id, index: point.index },
    },
    {
      started: (manifest) => {
        record = { ...record, runId: manifest.id };
        writePoint(dir, record);
      },
      progress: (p) => options.progress?.(point.index, p.step, p.steps),
    },
    options.runner,
  );
  const done = runner.done.then((outcome) => {
    record = { ...record, ...ending(outcome, stopped), endedAt: new Date().toISOString() };
    if (record.runId && (record.state === 'completed' || record.state === 'diverged')) {
      try {
        record.summary = summarizeRun(options.runsDir, record.runId, sweep.spec.summarize);
      } catch (error) {
        record = {
          ...record,
          state: 'failed',
          error: `summarising the run failed: ${(error as Error).message}`,
        };
      }
    }
    writePoint(dir, record);
    return record;
  });
  return {
    stop: () => {
      stopped = true;
      runner.stop();
    },
    done,
  };
}

function ending(outcome: RunnerOutcome, stopped: boolean): { state: PointState; error: string | null } {
  switch (outcome.kind) {
    case 'finished':
      return {
        state: outcome.manifest.status === 'running' ? 'failed' : outcome.manifest.status,
        error: outcome.manifest.error?.message ?? null,
      };
    case 'rejected': {
      const where = outcome.rejection.location
        ? `${outcome.rejection.location.file}:${outcome.rejection.location.line}: `
        : '';
      return { state: 'failed', error: `${where}${outcome.rejection.message}` };
    }
    case 'crashed':
      return stopped ? { state: 'cancelled', error: null } : { state: 'failed', error: outcome.message };
  }
}
