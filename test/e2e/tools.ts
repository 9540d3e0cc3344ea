import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What scripts/e2eTools.sh installed, as written to <cache>/tools.json. */
export interface E2eTools {
  /** Node 24, which code-server requires. */
  node: string;
  nodeBin: string;
  /** code-server's entry script, run with `node`. */
  codeServer: string;
  codeServerVersion: string;
  chromium: string;
}

export function e2eCacheDir(): string {
  return process.env.LM_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'learning-mechanics-e2e');
}

/** Reads the tools manifest; every path in it must exist. */
export function loadTools(): E2eTools {
  const file = path.join(e2eCacheDir(), 'tools.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/e2eTools.sh first`);
  const tools = JSON.parse(fs.readFileSync(file, 'utf8')) as E2eTools;
  for (const key of ['node', 'codeServer', 'chromium'] as const) {
    if (!fs.existsSync(tools[key])) throw new Error(`${file}: ${key} ${tools[key]} does not exist`);
  }
  return tools;
}

/** The VSIX that `npm run package` made (scripts/package.mjs names it after package.json). */
export function vsixPath(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const file = process.env.LM_E2E_VSIX ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run 'npm run package' first`);
  return file;
}
