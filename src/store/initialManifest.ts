import * as os from 'node:os';
import { MANIFEST_SCHEMA_VERSION } from './manifest';
import type { Manifest } from './manifest';
import { newRunId } from './runId';

/** What the runner knows about a run before its first step; the store fills in the rest. */
export type ManifestStart = Pick<
  Manifest,
  | 'experiment'
  | 'title'
  | 'file'
  | 'contentHash'
  | 'params'
  | 'seed'
  | 'steps'
  | 'backend'
  | 'observables'
  | 'predictions'
  | 'sweep'
> & {
  /** Defaults to `newRunId(experiment, now)`. */
  id?: string;
};

/**
 * The manifest of a run that starts now in this process: status `running`, step 0, no end, no error, no scores,
 * and `writer` set to this process and host (which is what lets readers detect a writer that died).
 */
export function initialManifest(start: ManifestStart, now: Date = new Date()): Manifest {
  const { id, ...fields } = start;
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: id ?? newRunId(start.experiment, now),
    ...fields,
    startedAt: now.toISOString(),
    endedAt: null,
    status: 'running',
    error: null,
    step: 0,
    stepsPerSecond: null,
    agreement: [],
    writer: { pid: process.pid, hostname: os.hostname() },
  };
}
