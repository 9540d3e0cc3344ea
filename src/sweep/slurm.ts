import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BackendChoice } from '../protocol/runner';
import { writeFileAtomicSync } from '../store/atomicWrite';
import {
  isUnknownJobError,
  parseSbatch,
  parseScontrolJobs,
  parseSqueue,
  parseTimeLimit,
  SQUEUE_FORMAT,
  taskDetails,
  taskPhase,
  type TaskPhase,
  type TaskStatus,
} from './slurmParse';
import {
  readPoints,
  writePoint,
  writeSweepManifest,
  type PointRecord,
  type SweepManifest,
} from './sweepStore';

/**
 * The SLURM backend of `lm sweep`: one job array per submission, several points per array task, results through
 * the shared filesystem.
 *
 * On disk, next to the sweep's `sweep.json` and `points/`, each submission has a folder `slurm/<n>/` with
 * `submission.json` (which points each array task runs, the job id, when), the generated `batch.sh` and the
 * tasks' logs `task-<a>.out`. The batch script runs `node <dist/cli.js> sweep-worker <sweepDir> --task
 * $SLURM_ARRAY_TASK_ID --submission <n>` with the Node and the build of the machine that submitted (a shared
 * filesystem is assumed, as on any SLURM cluster); the worker runs its task's points one after the other with
 * runPoint, so every point is an ordinary run and writes its own point file. The coordinator only reads those
 * files, polls `squeue` (one call per poll for the whole array) and, for tasks the scheduler ended without
 * their points recording an outcome (cancelled, preempted, node failure, time limit, killed worker), writes the
 * outcome the scheduler gives: those are the only point files it writes, and only for points whose executor is
 * gone.
 */

export const SLURM_FOLDER = 'slurm';
/** Without a known point duration: at most this many array tasks per submission. */
export const DEFAULT_MAX_TASKS = 100;
/** With known point durations (a resumed sweep): aim for array tasks of about this many seconds. */
export const TARGET_TASK_SECONDS = 300;

export interface SlurmOptions {
  partition?: string;
  /** SLURM time limit of each array task (`HH:MM:SS`, `D-HH:MM`, minutes, ...). */
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  /** Extra `#SBATCH` lines, with or without the `#SBATCH ` prefix (`--account=abc`, `--qos=short`). */
  sbatchLines: string[];
  pointsPerTask?: number;
  /** At most this many array tasks at a time (the `%N` of `--array`). */
  maxRunning?: number;
  pollSeconds: number;
  /** Submit and return without following the job. */
  detach?: boolean;
}

export class SlurmOptionError extends Error {}

/** Checks the options before anything is submitted; throws a SlurmOptionError naming the bad one. */
export function checkSlurmOptions(options: SlurmOptions): void {
  if (options.partition !== undefined && !/^[\w.,-]+$/.test(options.partition))
    throw new SlurmOptionError(
      `--partition '${options.partition}' is not a partition name (or a list of them)`,
    );
  if (options.time !== undefined) {
    try {
      parseTimeLimit(options.time);
    } catch (error) {
      throw new SlurmOptionError(`--time: ${(error as Error).message}`);
    }
  }
  if (options.mem !== undefined && !/^\d+[KMGT]?$/i.test(options.mem))
    throw new SlurmOptionError(`--mem '${options.mem}' is not a SLURM memory size (e.g. 4000, 8G)`);
  for (const line of options.sbatchLines) sbatchLine(line);
  if (!(options.pollSeconds > 0))
    throw new SlurmOptionError(`--poll-seconds must be positive, not ${options.pollSeconds}`);
}

/** `--qos=short` or `#SBATCH --qos=short` → `#SBATCH --qos=short`; throws for anything that is not an option. */
export function sbatchLine(text: string): string {
  const body = text.trim().replace(/^#SBATCH\s+/, '');
  if (!/^-{1,2}[A-Za-z]/.test(body) || /[\r\n]/.test(body))
    throw new SlurmOptionError(
      `--sbatch-line '${text}' is not an sbatch option (expected e.g. '--account=abc' or '#SBATCH --qos=short')`,
    );
  if (/^--?(a|array|o|output|e|error|J|job-name)(=|\s|$)/.test(body))
    throw new SlurmOptionError(
      `--sbatch-line '${text}': lm sweep sets the array, output and job name itself (use --max-running for the throttle)`,
    );
  return `#SBATCH ${body}`;
}

/**
 * Points per array task. Given: that. Else, when some points of the sweep already ran (a resumed sweep), from
 * their median duration: tasks of about TARGET_TASK_SECONDS, and within half the time limit when --time is
 * given. Else ceil(points / DEFAULT_MAX_TASKS): at most 100 array tasks, so thousands of short points do not
 * flood the scheduler while a small sweep gets one point per task and runs fully in parallel.
 */
export function choosePointsPerTask(
  count: number,
  options: Pick<SlurmOptions, 'pointsPerTask' | 'time'>,
  medianPointSeconds: number | null,
): number {
  if (options.pointsPerTask !== undefined) return options.pointsPerTask;
  if (medianPointSeconds !== null && medianPointSeconds > 0) {
    let k = Math.ceil(TARGET_TASK_SECONDS / medianPointSeconds);
    const limit = options.time === undefined ? null : parseTimeLimit(options.time);
    if (limit !== null) k = Math.min(k, Math.floor((0.5 * limit) / medianPointSeconds));
    return Math.max(1, Math.min(count, k));
  }
  return Math.max(1, Math.ceil(count / DEFAULT_MAX_TASKS));
}

/** The median wall time of the points that completed, or null when none did. */
export function medianPointSeconds(points: PointRecord[]): number | null {
  const seconds = points
    .filter((p) => p.state === 'completed' && p.startedAt && p.endedAt)
    .map((p) => (Date.parse(p.endedAt!) - Date.parse(p.startedAt!)) / 1000)
    .filter((s) => Number.isFinite(s) && s >= 0)
    .sort((a, b) => a - b);
  return seconds.length === 0 ? null : seconds[Math.floor(seconds.length / 2)];
}

/** Consecutive groups of `k` point indices: array task `a` runs `tasks[a]`. */
export function packTasks(indices: number[], k: number): number[][] {
  const tasks: number[][] = [];
  for (let i = 0; i < indices.length; i += k) tasks.push(indices.slice(i, i + k));
  return tasks;
}

export const Submission = z.object({
  submission: z.number().int().positive(),
  jobId: z.string().nullable(),
  /** Point indices of each array task. */
  tasks: z.array(z.array(z.number().int().nonnegative())),
  submittedAt: z.string(),
  tfjsBackend: BackendChoice,
  /** Failed points of this submission were asked for (a worker requeued after they failed skips them). */
  retryFailed: z.boolean(),
  sbatch: z.array(z.string()),
});
export type Submission = z.infer<typeof Submission>;

export function submissionDir(dir: string, n: number): string {
  return path.join(dir, SLURM_FOLDER, String(n));
}

export function readSubmission(dir: string, n: number): Submission {
  const file = path.join(submissionDir(dir, n), 'submission.json');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = Submission.safeParse(json);
  if (!parsed.success)
    throw new Error(`${file} is not a valid submission: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function writeSubmission(dir: string, submission: Submission): void {
  writeFileAtomicSync(
    path.join(submissionDir(dir, submission.submission), 'submission.json'),
    JSON.stringify(Submission.parse(submission), null, 2) + '\n',
  );
}

/** The newest submission of the sweep (highest number), or null when it was never submitted. */
export function latestSubmission(dir: string): Submission | null {
  let numbers: number[];
  try {
    numbers = fs
      .readdirSync(path.join(dir, SLURM_FOLDER))
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => b - a);
  } catch {
    return null;
  }
  for (const n of numbers) {
    try {
      return readSubmission(dir, n);
    } catch {
      // a submission being written, or a damaged one: try the one before
    }
  }
  return null;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The batch script of a submission: resources as #SBATCH lines, then the worker with this machine's Node. */
export function batchScript(options: {
  sweepDir: string;
  submission: number;
  nodePath: string;
  cliPath: string;
  slurm: SlurmOptions;
}): string {
  const { slurm } = options;
  const lines = [
    '#!/bin/bash',
    ...(slurm.partition !== undefined ? [`#SBATCH --partition=${slurm.partition}`] : []),
    ...(slurm.time !== undefined ? [`#SBATCH --time=${slurm.time}`] : []),
    ...(slurm.cpusPerTask !== undefined ? [`#SBATCH --cpus-per-task=${slurm.cpusPerTask}`] : []),
    ...(slurm.mem !== undefined ? [`#SBATCH --mem=${slurm.mem}`] : []),
    ...slurm.sbatchLines.map(sbatchLine),
    '# Written by `lm sweep --backend slurm`: each array task runs its points (slurm/<n>/submission.json) one',
    '# after the other as ordinary runs; results go to the runs folder through the shared filesystem.',
    'set -e',
    `exec ${quote(options.nodePath)} ${quote(options.cliPath)} sweep-worker ${quote(options.sweepDir)} --task "$SLURM_ARRAY_TASK_ID" --submission ${options.submission}`,
    '',
  ];
  return lines.join('\n');
}

/** How the coordinator runs SLURM's tools (replaced in tests by captured outputs). */
export interface SlurmTools {
  run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export const systemTools: SlurmTools = {
  run: (command, args) =>
    new Promise((resolve) => {
      execFile(command, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const missing = error && (error as NodeJS.ErrnoException).code === 'ENOENT';
        resolve({
          code,
          stdout: String(stdout),
          stderr: missing
            ? `${command} not found on PATH: run lm sweep --backend slurm on a SLURM login node`
            : String(stderr) || (error ? error.message : ''),
        });
      });
    }),
};

export class SlurmError extends Error {}

/**
 * Submits one array job for `queue` (points to run, in order): writes slurm/<n>/submission.json and batch.sh,
 * runs sbatch, records the job id in the submission and in sweep.json. Returns the submission.
 */
export async function submitSweep(
  dir: string,
  manifest: SweepManifest,
  queue: PointRecord[],
  options: {
    slurm: SlurmOptions;
    pointsPerTask: number;
    tfjsBackend: BackendChoice;
    retryFailed: boolean;
    nodePath?: string;
    cliPath?: string;
    tools?: SlurmTools;
  },
): Promise<Submission> {
  const tools = options.tools ?? systemTools;
  const previous = latestSubmission(dir);
  const n = (previous?.submission ?? 0) + 1;
  const folder = submissionDir(dir, n);
  fs.mkdirSync(folder, { recursive: true });
  const tasks = packTasks(
    queue.map((p) => p.index),
    options.pointsPerTask,
  );
  const cliPath = path.resolve(options.cliPath ?? process.argv[1]);
  const script = path.join(folder, 'batch.sh');
  fs.writeFileSync(
    script,
    batchScript({
      sweepDir: path.resolve(dir),
      submission: n,
      nodePath: options.nodePath ?? process.execPath,
      cliPath,
      slurm: options.slurm,
    }),
    { mode: 0o755 },
  );
  const throttle = options.slurm.maxRunning !== undefined ? `%${options.slurm.maxRunning}` : '';
  const args = [
    '--parsable',
    `--array=0-${tasks.length - 1}${throttle}`,
    `--job-name=lm-${manifest.id}`,
    `--output=${path.join(folder, 'task-%a.out')}`,
    `--chdir=${process.cwd()}`,
    script,
  ];
  let submission: Submission = {
    submission: n,
    jobId: null,
    tasks,
    submittedAt: new Date().toISOString(),
    tfjsBackend: options.tfjsBackend,
    retryFailed: options.retryFailed,
    sbatch: args,
  };
  writeSubmission(dir, submission);
  const result = await tools.run('sbatch', args);
  if (result.code !== 0) {
    fs.rmSync(folder, { recursive: true, force: true });
    throw new SlurmError(
      result.code === null
        ? result.stderr.trim()
        : `sbatch refused the sweep: ${result.stderr.trim() || `exit code ${result.code}`}`,
    );
  }
  submission = { ...submission, jobId: parseSbatch(result.stdout) };
  writeSubmission(dir, submission);
  recordJob(dir, manifest, submission, options.pointsPerTask);
  return submission;
}

/** Writes the submission's job id into sweep.json's backend (the manifest is rewritten whole, as prepare does). */
export function recordJob(
  dir: string,
  manifest: SweepManifest,
  submission: Submission,
  pointsPerTask?: number,
) {
  manifest.backend = {
    kind: 'slurm',
    jobId: submission.jobId,
    pointsPerTask: pointsPerTask ?? Math.max(1, ...submission.tasks.map((t) => t.length)),
    submission: submission.submission,
  };
  writeSweepManifest(dir, manifest);
}

/** One poll: every task of the job by its array index, or `gone` when the controller no longer knows the job. */
export type JobPoll =
  | { kind: 'ok'; tasks: Map<number, TaskStatus>; skipped: string[] }
  | { kind: 'gone' }
  | { kind: 'error'; message: string };

export async function pollJob(tools: SlurmTools, jobId: string): Promise<JobPoll> {
  const result = await tools.run('squeue', ['-h', '-r', '-t', 'all', '-j', jobId, '-o', SQUEUE_FORMAT]);
  if (result.code !== 0) {
    if (isUnknownJobError(result.stderr)) return { kind: 'gone' };
    return { kind: 'error', message: result.stderr.trim() || `squeue exit code ${result.code}` };
  }
  const parsed = parseSqueue(result.stdout, jobId);
  // squeue answers with nothing (rather than an error) for a job purged between two calls in some versions
  if (parsed.tasks.size === 0 && parsed.skipped.length === 0) return { kind: 'gone' };
  return { kind: 'ok', ...parsed };
}

/** `scontrol show job <job>_<task>`: exit code, restarts, reason; null when unavailable. */
export async function taskDetailsOf(tools: SlurmTools, jobId: string, task: number) {
  const result = await tools.run('scontrol', ['show', 'job', `${jobId}_${task}`]);
  if (result.code !== 0) return null;
  const record = parseScontrolJobs(result.stdout)[0];
  return record ? taskDetails(record) : null;
}

/** A task as the coordinator judges it at one poll. */
export interface TaskView {
  task: number;
  points: number[];
  status: TaskStatus | null;
  phase: TaskPhase | 'gone';
}

export function viewTasks(submission: Submission, poll: JobPoll): TaskView[] {
  return submission.tasks.map((points, task) => {
    if (poll.kind === 'error') {
      return { task, points, status: null, phase: 'active' };
    }
    const status = poll.kind === 'ok' ? (poll.tasks.get(task) ?? null) : null;
    return { task, points, status, phase: status ? taskPhase(status) : 'gone' };
  });
}

const ENDED: ReadonlySet<TaskView['phase']> = new Set(['done', 'interrupted', 'failed', 'gone']);
export const isEnded = (view: TaskView) => ENDED.has(view.phase);

const UNFINISHED = new Set(['pending', 'running', 'cancelled']);

/**
 * The points of an ended task that recorded no outcome get the scheduler's: a point left `running` (its worker
 * died with the task) becomes `cancelled` when the task was interrupted or its worker killed (run again by the
 * next run of the sweep), `failed` when the task hit its time or memory limit or completed without recording
 * it; a point the task never reached becomes `cancelled`. Returns the records written.
 */
export function settleTask(
  dir: string,
  submission: Submission,
  view: TaskView,
  points: PointRecord[],
  detail?: string,
): PointRecord[] {
  const jobId = submission.jobId ?? '?';
  const written: PointRecord[] = [];
  const what = view.status
    ? `ended ${view.status.state}${view.status.reason ? ` (${view.status.reason})` : ''}`
    : 'left the queue without a final state';
  for (const index of view.points) {
    const point = points[index];
    if (!point || !UNFINISHED.has(point.state)) continue;
    if (point.state === 'cancelled' && point.error?.startsWith('SLURM')) continue; // already settled
    // started by this submission's task (not a leftover of an earlier attempt)
    const started = point.startedAt !== null && point.startedAt >= submission.submittedAt;
    const state =
      started && (view.phase === 'failed' || view.phase === 'done')
        ? ('failed' as const)
        : ('cancelled' as const);
    const record: PointRecord = {
      ...point,
      state,
      endedAt: point.endedAt ?? new Date().toISOString(),
      error:
        `SLURM task ${jobId}_${view.task} ${what} ${started ? 'while the point was running' : 'before the point started'}` +
        `${detail ? ` (${detail})` : ''}`,
    };
    writePoint(dir, record);
    written.push(record);
  }
  return written;
}

/** What the user is shown about a task whose state needs attention; null for ordinary states. */
export function taskNotice(jobId: string, view: TaskView): string | null {
  const name = `SLURM task ${jobId}_${view.task} (point${view.points.length > 1 ? 's' : ''} ${view.points.join(', ')})`;
  const status = view.status;
  const reason = status?.reason ? ` (${status.reason})` : '';
  switch (view.phase) {
    case 'held':
      return `${name} is held${reason}: release it with 'scontrol release ${jobId}_${view.task}', or cancel it with 'scancel ${jobId}_${view.task}'`;
    case 'interrupted':
      return `${name} ended ${status!.state}${reason}: its unfinished points are cancelled and run again when you run the sweep again`;
    case 'failed':
      return `${name} ended ${status!.state}${reason}${status!.state === 'TIMEOUT' ? ' (raise --time or lower --points-per-task)' : ' (raise --mem)'}: its unfinished points failed (run the sweep again with --retry-failed)`;
    case 'gone':
      return `${name} left the queue without a final state`;
    case 'active':
      if (status && /^(REQUEUED|REQUEUE_FED|SUSPENDED|PREEMPTED|STOPPED)$/.test(status.state))
        return `${name} is ${status.state}${reason}`;
      return null;
    case 'done':
      return null;
  }
}

/** Counts of the job's tasks for the progress line: `SLURM job 12: 3 pending, 2 running, 1 held`. */
export function jobSummary(jobId: string, views: TaskView[]): string {
  const counts = new Map<string, number>();
  for (const v of views) {
    if (isEnded(v)) continue;
    const key = v.phase === 'held' ? 'held' : (v.status?.state.toLowerCase() ?? 'unknown');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].map(([state, n]) => `${n} ${state}`);
  return `SLURM job ${jobId}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export interface MonitorOptions {
  pollSeconds: number;
  tools?: SlurmTools;
  /** A line for the user (a notice, a warning). */
  log?(line: string): void;
  /** After every poll: the points as they are, the tasks as the scheduler sees them. */
  polled?(points: PointRecord[], views: TaskView[]): void;
  /** Resolves when the user asks to stop (Ctrl-C). */
  interrupt?: Promise<void>;
}

export interface MonitorResult {
  points: PointRecord[];
  interrupted: boolean;
}

/**
 * Follows a submission until every task ended: polls squeue every `pollSeconds`, reads the point files, tells
 * the user about held, requeued, failed and interrupted tasks, and settles the points of tasks that ended
 * without recording them. A task is settled only when two polls in a row saw it ended, so a point file written
 * just before the task ended has time to show on a shared filesystem, and a task shown PREEMPTED or NODE_FAIL
 * for a moment before SLURM requeues it is not given up. When `interrupt` resolves, the
 * job is cancelled (scancel) and its running points marked cancelled.
 */
export async function monitorSubmission(
  dir: string,
  manifest: SweepManifest,
  submission: Submission,
  options: MonitorOptions,
): Promise<MonitorResult> {
  const tools = options.tools ?? systemTools;
  const jobId = submission.jobId;
  if (jobId === null) throw new SlurmError(`submission ${submission.submission} has no job id`);
  const log = options.log ?? (() => undefined);
  const notices = new Map<number, string>();
  const seenEnded = new Set<number>();
  const settled = new Set<number>();
  let lastError = '';
  let interrupted = false;
  void options.interrupt?.then(() => (interrupted = true));
  for (;;) {
    const poll = await pollJob(tools, jobId);
    if (poll.kind === 'error' && poll.message !== lastError)
      log(`squeue failed (will retry): ${poll.message}`);
    lastError = poll.kind === 'error' ? poll.message : '';
    if (poll.kind === 'ok' && poll.skipped.length > 0)
      log(`squeue printed lines that were not understood: ${poll.skipped.slice(0, 3).join(' / ')}`);
    const views = viewTasks(submission, poll);
    let points = readPoints(dir, manifest.points.length);
    for (const view of views) {
      const notice = taskNotice(jobId, view);
      if (notice && notices.get(view.task) !== notice) log(notice);
      notices.set(view.task, notice ?? '');
      if (!isEnded(view)) {
        seenEnded.delete(view.task); // requeued after a preemption or a node failure: not ended after all
        continue;
      }
      if (settled.has(view.task)) continue;
      if (!seenEnded.has(view.task)) {
        seenEnded.add(view.task);
        continue;
      }
      settled.add(view.task);
      const unfinished = view.points.some((i) => UNFINISHED.has(points[i]?.state ?? 'pending'));
      if (!unfinished) continue;
      let detail: string | undefined;
      if (view.phase === 'failed' || view.phase === 'done' || view.status?.state === 'FAILED') {
        const details = await taskDetailsOf(tools, jobId, view.task);
        if (details?.exitCode) detail = `exit code ${details.exitCode}`;
      }
      const taskLog = path.join(submissionDir(dir, submission.submission), `task-${view.task}.out`);
      settleTask(dir, submission, view, points, [detail, `log ${taskLog}`].filter(Boolean).join(', '));
    }
    points = readPoints(dir, manifest.points.length);
    options.polled?.(points, views);
    if (views.every((v) => settled.has(v.task))) return { points, interrupted: false };
    if (interrupted) break;
    await Promise.race([
      sleep(options.pollSeconds * 1000),
      options.interrupt ?? new Promise(() => undefined),
    ]);
    if (interrupted) break;
  }
  return { points: await cancelSubmission(dir, manifest, submission, tools, log), interrupted: true };
}

/** scancel the job, then mark its unfinished points cancelled (the workers may do so too; either is right). */
export async function cancelSubmission(
  dir: string,
  manifest: SweepManifest,
  submission: Submission,
  tools: SlurmTools = systemTools,
  log: (line: string) => void = () => undefined,
): Promise<PointRecord[]> {
  const jobId = submission.jobId!;
  const result = await tools.run('scancel', [jobId]);
  if (result.code === 0) log(`cancelled SLURM job ${jobId} (scancel ${jobId})`);
  else log(`scancel ${jobId} failed: ${result.stderr.trim()}; cancel it yourself`);
  const points = readPoints(dir, manifest.points.length);
  let marked = 0;
  for (const index of submission.tasks.flat()) {
    const point = points[index];
    if (point.state !== 'running' && point.state !== 'pending') continue;
    const record: PointRecord = {
      ...point,
      state: 'cancelled',
      endedAt: new Date().toISOString(),
      error: `SLURM job ${jobId} cancelled from the sweep (Ctrl-C)`,
    };
    if (point.state === 'running') marked++;
    writePoint(dir, record);
    points[index] = record;
  }
  log(
    `${marked} running point${marked === 1 ? '' : 's'} marked cancelled; run the same command again to continue`,
  );
  return points;
}

/**
 * Before submitting again: the previous submission's job, if the scheduler still has tasks of it queued or
 * running (then the sweep attaches to it instead of submitting a second one), after settling the points its
 * ended tasks left unfinished (a worker that died on another host leaves its point `running` forever).
 */
export async function previousJob(
  dir: string,
  manifest: SweepManifest,
  tools: SlurmTools = systemTools,
): Promise<{ submission: Submission; active: boolean } | null> {
  const submission = latestSubmission(dir);
  if (!submission?.jobId) return null;
  const poll = await pollJob(tools, submission.jobId);
  if (poll.kind === 'error') throw new SlurmError(`squeue failed: ${poll.message}`);
  const views = viewTasks(submission, poll);
  if (views.some((v) => !isEnded(v))) return { submission, active: true };
  const points = readPoints(dir, manifest.points.length);
  for (const view of views) settleTask(dir, submission, view, points);
  return { submission, active: false };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
