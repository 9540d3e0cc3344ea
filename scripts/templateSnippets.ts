// Writes dist/snippets/templates.code-snippets: one snippet per bundled template (prefix `lm-<name>`, and
// `lm-sweeps-<name>` for a sweep template), so a
// whole working experiment is a few keystrokes away in any TypeScript file. Generated at build time from
// templates/ (esbuild.mjs runs it), so the snippets never drift from the templates.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listTemplates } from '../src/editor/templates';

export interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

/** A snippet body reproduces the text: `$` and `\` are escaped, so nothing in it is a placeholder. */
export function snippetBody(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => line.replace(/[\\$]/g, '\\$&'));
}

export function templateSnippets(templatesDir: string): Record<string, Snippet> {
  const snippets: Record<string, Snippet> = {};
  for (const { file, title, strand, group } of listTemplates(templatesDir)) {
    const name = file.replace(/\.exp\.ts$/, '').replace('/', '-');
    snippets[`Learning Mechanics template: ${name}`] = {
      prefix: `lm-${name}`,
      description: `${group === strand ? strand : `${group}, ${strand}`}: ${title}`,
      body: snippetBody(fs.readFileSync(path.join(templatesDir, file), 'utf8')),
    };
  }
  return snippets;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const out = path.join(root, 'dist', 'snippets', 'templates.code-snippets');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(templateSnippets(path.join(root, 'templates')), null, 2) + '\n');
}
