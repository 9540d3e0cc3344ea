import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { writeFileAtomicSync } from './atomicWrite';
import { Manifest, MANIFEST_SCHEMA_VERSION } from './manifest';

/**
 * `manifest.json`, the description of one run (schema in `manifest.ts`). Written only by the run's writer,
 * always atomically (temp file + rename), as indented JSON, so a reader never sees half a manifest. Reading
 * never throws for a bad file: it reports what is wrong, so one damaged run cannot break a listing.
 */
export const MANIFEST_FILE = 'manifest.json';

/** A readable manifest, or why there is none. */
export type ManifestRead = { manifest: Manifest; problem: null } | { manifest: null; problem: string };

/** Validates `manifest` against the schema, then writes it atomically into `runDir`. Throws naming the run. */
export function writeManifest(runDir: string, manifest: Manifest): Manifest {
  const checked = Manifest.safeParse(manifest);
  if (!checked.success) {
    throw new Error(
      `Refusing to write an invalid manifest for run ${manifest.id}: ${describeIssues(checked.error)}`,
    );
  }
  writeFileAtomicSync(path.join(runDir, MANIFEST_FILE), JSON.stringify(checked.data, null, 2) + '\n');
  return checked.data;
}

/** Reads and validates `runDir/manifest.json`; a missing, unreadable, corrupt or newer-schema file is a problem. */
export function readManifest(runDir: string): ManifestRead {
  let text: string;
  try {
    text = fs.readFileSync(path.join(runDir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    return problem(readFailure(err as NodeJS.ErrnoException));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return problem(`${MANIFEST_FILE} is not valid JSON (${(err as Error).message})`);
  }
  return validate(json);
}

function validate(json: unknown): ManifestRead {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > MANIFEST_SCHEMA_VERSION) {
    return problem(
      `${MANIFEST_FILE} has schema version ${version}, newer than this version of Learning Mechanics Lab reads ` +
        `(${MANIFEST_SCHEMA_VERSION}): update it to open this run`,
    );
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    return problem(
      `${MANIFEST_FILE} does not match manifest schema ${MANIFEST_SCHEMA_VERSION}: ${describeIssues(parsed.error)}`,
    );
  }
  return { manifest: parsed.data, problem: null };
}

function readFailure(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') {
    return `${MANIFEST_FILE} is missing (the run may be starting, or the folder was not made by the lab)`;
  }
  return `${MANIFEST_FILE} cannot be read: ${err.message}`;
}

function problem(message: string): ManifestRead {
  return { manifest: null, problem: message };
}

/** The first few schema issues as `path: message`, joined by `; `. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, 4)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > shown.length ? `; and ${error.issues.length - shown.length} more` : '';
  return shown.join('; ') + more;
}
