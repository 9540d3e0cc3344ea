import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerProcess, type RunnerListener, type RunnerOutcome } from '../../src/host/runnerProcess';
import type { StartRequest } from '../../src/protocol/runner';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'runner');

export function tempRunsDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lm-runner-'));
}

/** Forks the built runner (dist/runner.js) on a fixture and waits for its outcome. */
export function startFixture(
  fixture: string,
  runsDir: string,
  extra: Partial<StartRequest> = {},
  listener: RunnerListener = {},
): RunnerProcess {
  const file = path.isAbsolute(fixture) ? fixture : path.join(FIXTURES, fixture);
  return new RunnerProcess(
    { type: 'start', file, overrides: {}, backend: 'cpu', runsDir, ...extra },
    listener,
  );
}

export async function runFixture(
  fixture: string,
  runsDir: string,
  extra: Partial<StartRequest> = {},
  listener: RunnerListener = {},
): Promise<RunnerOutcome> {
  return startFixture(fixture, runsDir, extra, listener).done;
}

export function finished(outcome: RunnerOutcome) {
  if (outcome.kind !== 'finished') throw new Error(`expected a finished run, got ${JSON.stringify(outcome)}`);
  return outcome;
}
