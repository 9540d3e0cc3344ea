import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(REPO_ROOT, 'templates');

export interface WorkspaceOptions {
  /** Extra or replaced files, by path relative to the workspace. */
  files?: Record<string, string>;
  /** Written to .vscode/settings.json. */
  settings?: Record<string, unknown>;
}

/** A workspace folder: a copy of templates/, plus the given files and settings. */
export function makeWorkspace(dir: string, options: WorkspaceOptions = {}): string {
  fs.cpSync(EXAMPLES, dir, { recursive: true });
  for (const [relative, text] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    fs.writeFileSync(path.join(dir, relative), text);
  }
  if (options.settings) {
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify(options.settings, null, 2));
  }
  return dir;
}

/** An example's text, to derive variants of it (more steps, a deliberate error). */
export function exampleText(name: string): string {
  return fs.readFileSync(path.join(EXAMPLES, name), 'utf8');
}

export interface Position {
  /** 1-based, as the editor shows them. */
  line: number;
  column: number;
}

/** Where `pattern` first matches in a file's text, 1-based; `group` picks a capture group's start. */
export function positionOf(text: string, pattern: RegExp, group = 0): Position {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'd').exec(lines[i]);
    if (match) return { line: i + 1, column: match.indices![group][0] + 1 };
  }
  throw new Error(`no line matches ${pattern}`);
}
