import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

/**
 * Run ids name the run folders under a runs directory, e.g. `20261128-134102-DeepLinear-3f9a`:
 * UTC start time (so ids sort by time as plain strings), the sanitized experiment name, 4 random hex digits.
 *
 * Every path the store builds from an id goes through {@link runPath}, so an id read from a command line,
 * a webview message or a folder name can never reach outside the runs directory.
 */

/** What a run id may look like: a letter or digit, then letters, digits, `.`, `_`, `-` (and never `..`). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Longer ids are refused: folder names must stay well inside every filesystem's name limit. */
export const MAX_RUN_ID_LENGTH = 200;

/** The experiment part of a new id is cut to this many characters. */
const MAX_EXPERIMENT_PART = 48;

/**
 * A new, time-sortable, filesystem-safe run id for `experiment` started at `date`.
 *
 * @example newRunId('Deep Linear/v2', new Date('2026-11-28T13:41:02Z')) // '20261128-134102-Deep-Linear-v2-3f9a'
 */
export function newRunId(experiment: string, date: Date = new Date()): string {
  if (Number.isNaN(date.getTime()))
    throw new Error(`newRunId: the date for experiment '${experiment}' is invalid`);
  return `${utcStamp(date)}-${sanitizeExperiment(experiment)}-${randomBytes(2).toString('hex')}`;
}

/** `YYYYMMDD-HHMMSS` in UTC. */
function utcStamp(date: Date): string {
  const iso = date.toISOString(); // 2026-11-28T13:41:02.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** Runs of characters outside `[A-Za-z0-9_]` become one `-`; an empty result becomes `run`. */
function sanitizeExperiment(experiment: string): string {
  const safe = experiment
    .replace(/[^A-Za-z0-9_]+/g, '-')
    .slice(0, MAX_EXPERIMENT_PART)
    .replace(/^-+|-+$/g, '');
  return safe === '' ? 'run' : safe;
}

/** Why `id` is not a valid run id, or undefined when it is one. */
export function runIdProblem(id: string): string | undefined {
  if (id === '') return 'it is empty';
  if (id.length > MAX_RUN_ID_LENGTH) return `it is longer than ${MAX_RUN_ID_LENGTH} characters`;
  if (!RUN_ID_PATTERN.test(id)) return `it must match ${RUN_ID_PATTERN.source}`;
  if (id.includes('..')) return "it contains '..'";
  return undefined;
}

export function isRunId(id: string): boolean {
  return runIdProblem(id) === undefined;
}

/**
 * The folder of run `id` inside `runsDir` (resolved to an absolute path). Throws, naming the id, when the id
 * is not a valid run id or would resolve outside `runsDir` (`../x`, `/abs`, `a/b`, empty).
 */
export function runPath(runsDir: string, id: string): string {
  const problem = runIdProblem(id);
  if (problem !== undefined) throw new Error(`Invalid run id ${JSON.stringify(id)}: ${problem}.`);
  const root = path.resolve(runsDir);
  const full = path.resolve(root, id);
  const rel = path.relative(root, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)) {
    throw new Error(`Invalid run id ${JSON.stringify(id)}: it resolves outside the runs directory ${root}.`);
  }
  return full;
}
