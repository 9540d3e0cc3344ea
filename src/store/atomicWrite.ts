import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Suffix of the temporary files {@link writeFileAtomicSync} leaves behind only if the process dies mid-write. */
export const TEMP_SUFFIX = '.tmp';

/** Windows refuses to rename over a file another process holds open for a moment; retry these codes there. */
const RETRYABLE_RENAME = new Set(['EPERM', 'EACCES', 'EBUSY']);
const RENAME_ATTEMPTS = 5;
const RENAME_RETRY_MS = 20;

/**
 * Replaces `file` with `data` atomically: a reader sees either the old content or the new one, never a part.
 *
 * Writes a temporary file in the same folder (`<name>.<pid>-<hex>.tmp`, so the rename stays on one
 * filesystem), then renames it over `file`. Survives the writing process being killed at any point; it does not
 * fsync, so it does not promise durability across a power loss.
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const temp = path.join(
    dir,
    `${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
  );
  try {
    fs.writeFileSync(temp, data, { flag: 'wx' });
    renameWithRetry(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new Error(`Could not write ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function renameWithRetry(from: string, to: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      fs.renameSync(from, to);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const retry = process.platform === 'win32' && RETRYABLE_RENAME.has(code) && attempt < RENAME_ATTEMPTS;
      if (!retry) throw err;
      sleepSync(RENAME_RETRY_MS);
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
