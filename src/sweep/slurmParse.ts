/**
 * Reading SLURM's command-line tools. Their text output is the stable interface (`squeue --json` ignores `-j` in
 * 22.05 and changes layout between releases), so the coordinator asks for fixed fields with `-o` and parses
 * them defensively here: unknown states are kept as they are and classed as active, malformed lines are
 * skipped and counted, array task ranges (`3-5`, `[3-5%2]`, `1,4`) are expanded. Pure functions, no process.
 */

/** The `squeue -o` format the coordinator asks for: array job id, task id, state, reason, node list. */
export const SQUEUE_FORMAT = '%F|%K|%T|%r|%N';

/** One array task as squeue shows it. */
export interface TaskStatus {
  task: number;
  /** SLURM's state name in capitals (`PENDING`, `RUNNING`, `TIMEOUT`, ...); a suffix like `+` is dropped. */
  state: string;
  /** squeue's reason (`JobArrayTaskLimit`, `launch failed requeued held`), empty when None. */
  reason: string;
  /** Node(s) the task runs or ran on, empty when it never started. */
  nodes: string;
}

export interface SqueueParse {
  tasks: Map<number, TaskStatus>;
  /** Lines that did not have the expected shape (shown in the coordinator's log, never fatal). */
  skipped: string[];
}

/**
 * Parses `squeue -h -r -t all -j <job> -o '%F|%K|%T|%r|%N'` for one array job. Lines of other jobs are
 * ignored (squeue 22.05 may list every job when `-j` is ignored by some front end), ranges are expanded.
 */
export function parseSqueue(text: string, jobId: string): SqueueParse {
  const tasks = new Map<number, TaskStatus>();
  const skipped: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const fields = line.split('|');
    if (fields.length < 3) {
      skipped.push(line);
      continue;
    }
    const [job, taskText, stateText, reasonText = '', nodes = ''] = fields.map((f) => f.trim());
    if (job !== jobId) continue;
    const state = normalizeState(stateText);
    const indices = parseTaskIds(taskText);
    if (!state || indices === null) {
      skipped.push(line);
      continue;
    }
    const reason = reasonText === 'None' || reasonText === '(null)' ? '' : reasonText;
    for (const task of indices) tasks.set(task, { task, state, reason, nodes });
  }
  return { tasks, skipped };
}

/** `RUNNING`, `CANCELLED+`, `cancelled by 0` → capitals without decorations; '' for nothing usable. */
export function normalizeState(text: string): string {
  const match = /^[A-Za-z_]+/.exec(text.trim());
  return match ? match[0].toUpperCase() : '';
}

/**
 * Array task ids as squeue prints them: `4`, `3-5`, `[3-5%2]`, `1,4,7-8`, `[0-99:2]` (a step). Null when the
 * text is not task ids (`N/A`: not an array job).
 */
export function parseTaskIds(text: string): number[] | null {
  const body = text.trim().replace(/^\[/, '').replace(/\]$/, '').replace(/%\d+$/, '');
  if (!/^\d/.test(body)) return null;
  const ids: number[] = [];
  for (const part of body.split(',')) {
    const range = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!range) return null;
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    const step = range[3] === undefined ? 1 : Number(range[3]);
    if (to < from || step < 1 || to - from > 1_000_000) return null;
    for (let i = from; i <= to; i += step) ids.push(i);
  }
  return ids;
}

/**
 * What a task's state means for its points:
 * - `active`: queued, running, requeued, suspended or completing: its points may still run;
 * - `held`: waiting for a human (`scontrol release`): held by an admin or user, or requeued and held after a
 *   failed launch;
 * - `done`: the task ended normally; its points recorded their own outcome;
 * - `interrupted`: the task was stopped from outside the experiment (cancelled, preempted, node failure, boot
 *   failure, deadline) or its worker died (`FAILED`: the worker exits 0 whenever it recorded its points, and a
 *   point's own failure is recorded by the worker, so a failed task means the worker was killed): its
 *   unfinished points are `cancelled` and run again when the sweep is run again;
 * - `failed`: the task hit its limits (time limit, out of memory), which the point would hit again: its
 *   unfinished points are `failed` (run again with --retry-failed, after raising --time or --mem).
 */
export type TaskPhase = 'active' | 'held' | 'done' | 'interrupted' | 'failed';

const INTERRUPTED = new Set([
  'CANCELLED',
  'PREEMPTED',
  'NODE_FAIL',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'FAILED',
]);
const FAILED = new Set(['TIMEOUT', 'OUT_OF_MEMORY']);
const HELD_STATES = new Set(['REQUEUE_HOLD', 'SPECIAL_EXIT', 'RESV_DEL_HOLD']);

export function taskPhase(status: Pick<TaskStatus, 'state' | 'reason'>): TaskPhase {
  const { state, reason } = status;
  if (state === 'COMPLETED') return 'done';
  if (INTERRUPTED.has(state)) return 'interrupted';
  if (FAILED.has(state)) return 'failed';
  if (HELD_STATES.has(state) || isHeldReason(reason)) return 'held';
  return 'active';
}

/** squeue's reasons for a task that will not start until someone releases it. */
export function isHeldReason(reason: string): boolean {
  return /held/i.test(reason) || /^JobHeld(Admin|User)$/.test(reason);
}

/**
 * `scontrol show job <id>`: `Key=Value` pairs separated by spaces and newlines, several records separated by
 * blank lines. A value may itself contain spaces (`Reason=launch failed requeued held` in some versions,
 * `Comment=...`): text that does not start a new `Key=` continues the previous value.
 */
export function parseScontrolJobs(text: string): Record<string, string>[] {
  const records: Record<string, string>[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const record: Record<string, string> = {};
    let last: string | null = null;
    for (const token of block.split(/\s+/).filter(Boolean)) {
      const pair = /^([A-Za-z][\w/:.]*)=(.*)$/.exec(token);
      if (pair) {
        last = pair[1];
        record[last] = pair[2];
      } else if (last !== null) {
        record[last] += ` ${token}`;
      }
    }
    if (Object.keys(record).length > 0) records.push(record);
  }
  return records;
}

/** What the coordinator wants to know about one task from `scontrol show job <job>_<task>`. */
export interface TaskDetails {
  state: string;
  reason: string;
  /** `2:0` (exit code 2) or `0:9` (killed by signal 9). */
  exitCode: string;
  restarts: number;
  nodes: string;
}

export function taskDetails(record: Record<string, string>): TaskDetails {
  const reason = record.Reason ?? '';
  return {
    state: normalizeState(record.JobState ?? ''),
    reason: reason === 'None' || reason === '(null)' ? '' : reason,
    exitCode: record.ExitCode ?? '',
    restarts: Number.parseInt(record.Restarts ?? '0', 10) || 0,
    nodes: record.NodeList === '(null)' ? '' : (record.NodeList ?? ''),
  };
}

/** `sbatch --parsable` prints `<job id>` or `<job id>;<cluster>`; throws on anything else. */
export function parseSbatch(stdout: string): string {
  const line = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .pop();
  const match = line ? /^(\d+)(?:;\S+)?$/.exec(line) : null;
  if (!match) throw new Error(`sbatch printed no job id (it printed: ${JSON.stringify(stdout.trim())})`);
  return match[1];
}

/** True when a squeue/scontrol failure says the job is unknown to the controller (purged after MinJobAge). */
export function isUnknownJobError(stderr: string): boolean {
  return /invalid job id/i.test(stderr);
}

/**
 * A SLURM time limit in seconds: `minutes`, `minutes:seconds`, `hours:minutes:seconds`, `days-hours`,
 * `days-hours:minutes`, `days-hours:minutes:seconds`; null for `UNLIMITED`/`INFINITE`. Throws otherwise.
 */
export function parseTimeLimit(text: string): number | null {
  const t = text.trim();
  if (/^(UNLIMITED|INFINITE)$/i.test(t)) return null;
  let match = /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(t);
  if (match) {
    const [, d, h, m = '0', s = '0'] = match;
    return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s);
  }
  match = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(t);
  if (match) {
    const [, a, b, c] = match;
    if (c !== undefined) return (Number(a) * 60 + Number(b)) * 60 + Number(c);
    if (b !== undefined) return Number(a) * 60 + Number(b);
    return Number(a) * 60;
  }
  throw new Error(
    `'${text}' is not a SLURM time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)`,
  );
}
