import * as os from 'node:os';
import type { Manifest } from './manifest';

/**
 * Telling a live run from one whose writer died. A manifest says `running` until its writer records an end; a
 * runner killed hard (SIGKILL, a crash of the whole host process) never does. Readers detect that case for
 * runs written on this host by probing the writer's pid, and report the run as failed without touching the
 * file (readers never write). A run written on another host (a cluster node) cannot be probed and stays
 * `running`. A pid reused by an unrelated process after the writer died makes a dead run look live; that is
 * the accepted limit of a pid probe.
 */

/** Whether a process with this pid exists: `process.kill(pid, 0)` succeeds, or fails only for permission. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The message readers put on a `running` run whose writer process is gone. */
export function deadWriterMessage(pid: number): string {
  return `the runner (pid ${pid}) ended without finishing the run`;
}

/**
 * `manifest` as readers should present it: unchanged, except that a `running` manifest written on this host by
 * a process that no longer exists becomes `failed` with {@link deadWriterMessage}.
 */
export function withLiveness(manifest: Manifest, hostname: string = os.hostname()): Manifest {
  if (manifest.status !== 'running' || manifest.writer.hostname !== hostname) return manifest;
  if (isProcessAlive(manifest.writer.pid)) return manifest;
  return { ...manifest, status: 'failed', error: { message: deadWriterMessage(manifest.writer.pid) } };
}
