import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendChoice } from '../protocol/runner';
import type { PreparedSweep } from './prepare';
import { pointsToRun } from './prepare';
import {
  choosePointsPerTask,
  jobSummary,
  medianPointSeconds,
  monitorSubmission,
  previousJob,
  recordJob,
  submissionDir,
  submitSweep,
  systemTools,
  type SlurmOptions,
  type SlurmTools,
  type Submission,
  type TaskView,
} from './slurm';
import { readPoints, type PointRecord } from './sweepStore';

export interface SlurmRunOptions {
  slurm: SlurmOptions;
  tfjsBackend: BackendChoice;
  retryFailed: boolean;
  /** Lines for the user (stderr in the CLI). */
  log(line: string): void;
  /** After every poll: the points, the tasks, the job's one-line summary (`SLURM job 12: 2 running`). */
  progress?(points: PointRecord[], views: TaskView[], job: string, finishedThisSession: number): void;
  /** Resolves on Ctrl-C: the job is cancelled and its running points marked cancelled. */
  interrupt?: Promise<void>;
  tools?: SlurmTools;
  nodePath?: string;
  cliPath?: string;
}

export interface SlurmRunResult {
  points: PointRecord[];
  interrupted: boolean;
  detached: boolean;
  jobIds: string[];
}

/**
 * Runs (or resumes) a prepared sweep on SLURM. If the sweep's last job still has tasks queued or running (a
 * detached sweep, or a coordinator that was killed), it is followed rather than submitted twice; its ended
 * tasks' unfinished points are settled first. Then the points still to run (pending and cancelled ones, failed
 * ones with retryFailed) go into one new job array, which is followed until every task ended, unless detached.
 */
export async function runSlurmSweep(
  prepared: PreparedSweep,
  options: SlurmRunOptions,
): Promise<SlurmRunResult> {
  const { dir, manifest } = prepared;
  const tools = options.tools ?? systemTools;
  const jobIds: string[] = [];
  let interrupted = false;
  void options.interrupt?.then(() => (interrupted = true));
  const follow = (submission: Submission) => {
    const before = new Map(readPoints(dir, manifest.points.length).map((p) => [p.index, p.state]));
    const finishedStates = new Set(['completed', 'diverged', 'failed']);
    return monitorSubmission(dir, manifest, submission, {
      pollSeconds: options.slurm.pollSeconds,
      tools,
      log: options.log,
      interrupt: options.interrupt,
      polled: (points, views) => {
        const finished = points.filter(
          (p) => finishedStates.has(p.state) && !finishedStates.has(before.get(p.index) ?? 'pending'),
        ).length;
        options.progress?.(points, views, jobSummary(submission.jobId!, views), finished);
      },
    });
  };

  const previous = await previousJob(dir, manifest, tools);
  if (previous?.active) {
    const { submission } = previous;
    recordJob(dir, manifest, submission);
    options.log(
      `following SLURM job ${submission.jobId} (submitted ${submission.submittedAt}, ` +
        `${submission.tasks.length} tasks), which still runs points of this sweep`,
    );
    jobIds.push(submission.jobId!);
    if (options.slurm.detach) {
      return { points: readPoints(dir, manifest.points.length), interrupted: false, detached: true, jobIds };
    }
    const result = await follow(submission);
    if (result.interrupted) return { points: result.points, interrupted: true, detached: false, jobIds };
  }
  if (interrupted)
    return { points: readPoints(dir, manifest.points.length), interrupted, detached: false, jobIds };

  const points = readPoints(dir, manifest.points.length);
  const queue = pointsToRun(points, options.retryFailed);
  if (queue.length === 0) return { points, interrupted: false, detached: false, jobIds };
  const pointsPerTask = choosePointsPerTask(queue.length, options.slurm, medianPointSeconds(points));
  const submission = await submitSweep(dir, manifest, queue, {
    slurm: options.slurm,
    pointsPerTask,
    tfjsBackend: options.tfjsBackend,
    retryFailed: options.retryFailed,
    tools,
    nodePath: options.nodePath,
    cliPath: options.cliPath ?? realScript(),
  });
  jobIds.push(submission.jobId!);
  const folder = submissionDir(dir, submission.submission);
  const throttle =
    options.slurm.maxRunning !== undefined ? `, at most ${options.slurm.maxRunning} at a time` : '';
  options.log(
    `submitted SLURM job ${submission.jobId}: ${submission.tasks.length} array task` +
      `${submission.tasks.length > 1 ? 's' : ''} of up to ${pointsPerTask} point${pointsPerTask > 1 ? 's' : ''}` +
      `${throttle}; script ${path.join(folder, 'batch.sh')}, logs ${path.join(folder, 'task-<n>.out')}`,
  );
  if (options.slurm.detach) {
    options.log(
      `detached: the job runs on; run the same command again to follow it (it does not submit twice), ` +
        `or cancel it with 'scancel ${submission.jobId}'`,
    );
    return { points: readPoints(dir, manifest.points.length), interrupted: false, detached: true, jobIds };
  }
  const result = await follow(submission);
  return { points: result.points, interrupted: result.interrupted, detached: false, jobIds };
}

/** The CLI script this process runs (dist/cli.js), through any `lm` symlink. */
function realScript(): string {
  const script = process.argv[1];
  try {
    return fs.realpathSync(script);
  } catch {
    return path.resolve(script);
  }
}
