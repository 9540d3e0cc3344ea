import * as path from 'node:path';
import { runPoint, type RunningPoint } from '../sweep/runPoint';
import { readSubmission } from '../sweep/slurm';
import { readPoint, readSweepManifest, writePoint, type PointRecord } from '../sweep/sweepStore';

export interface WorkerFlags {
  task: number;
  submission: number;
}

/** A runner killed by one of these was stopped from outside (scancel, preemption), not failed by its code. */
const STOP_SIGNALS = /^the runner was killed by (SIGTERM|SIGINT|SIGHUP|SIGUSR1|SIGUSR2)/;

/**
 * `lm sweep-worker <sweepDir> --task A --submission N` (hidden; run by the batch script of a SLURM sweep on a
 * compute node): runs the points of array task A of submission N one after the other, each as an ordinary run
 * (runPoint), writing each point's record in the sweep's folder. A point already completed or diverged is
 * skipped (the task was requeued after a node failure), and so is one that failed during this submission
 * unless failed points were asked for again. On SIGTERM (scancel, preemption, the time limit's warning) the
 * running point is stopped and recorded `cancelled`, and the worker exits. Exit 0 when it ran its points
 * whatever their outcome (they are recorded), 130 when stopped, 2 when its task cannot be found.
 */
export async function sweepWorkerCommand(sweepDir: string, flags: WorkerFlags): Promise<number> {
  const dir = path.resolve(sweepDir);
  let indices: number[];
  let manifest;
  let submission;
  try {
    manifest = readSweepManifest(dir);
    submission = readSubmission(dir, flags.submission);
    const task = submission.tasks[flags.task];
    if (!task) {
      throw new Error(
        `submission ${flags.submission} has ${submission.tasks.length} tasks, not a task ${flags.task}`,
      );
    }
    indices = task;
  } catch (error) {
    console.error(`lm sweep-worker: ${(error as Error).message}`);
    return 2;
  }
  const runsDir = path.dirname(path.dirname(dir));
  const cpus = process.env.SLURM_CPUS_PER_TASK;
  if (cpus && /^\d+$/.test(cpus)) process.env.LM_BLAS_THREADS ??= cpus;
  const say = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
  say(
    `task ${flags.task} of SLURM job ${process.env.SLURM_ARRAY_JOB_ID ?? '?'}: points ${indices.join(', ')}`,
  );

  let current: RunningPoint | null = null;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping`);
    stopping = true;
    current?.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    for (const index of indices) {
      if (stopping) break;
      const previous = readPoint(dir, index);
      if (previous.state === 'completed' || previous.state === 'diverged') {
        say(`point ${index}: already ${previous.state}, skipped`);
        continue;
      }
      if (
        previous.state === 'failed' &&
        !submission.retryFailed &&
        previous.endedAt !== null &&
        previous.endedAt >= submission.submittedAt
      ) {
        say(`point ${index}: failed earlier in this submission, skipped`);
        continue;
      }
      const started = performance.now();
      current = runPoint(dir, manifest, previous, {
        runsDir,
        backend: submission.tfjsBackend,
      });
      let record: PointRecord = await current.done;
      current = null;
      if (record.state === 'failed' && (stopping || STOP_SIGNALS.test(record.error ?? ''))) {
        record = { ...record, state: 'cancelled', error: `stopped by the scheduler: ${record.error}` };
        writePoint(dir, record);
        // the scheduler signals every process of the task, and the runner may see it before this process
        // does: do not start the next point
        stopping = true;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      say(
        `point ${index}: ${record.state} in ${seconds} s${record.runId ? ` (run ${record.runId})` : ''}` +
          `${record.error ? `: ${record.error}` : ''}`,
      );
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onSignal);
  }
  return stopping ? 130 : 0;
}
