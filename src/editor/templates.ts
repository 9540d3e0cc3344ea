import * as fs from 'node:fs';
import * as path from 'node:path';

/** Templates are the bundled experiments; each names its strand of theory in its first comment. */
export const STRANDS: Record<string, string> = {
  a: '(a) Solvable settings',
  b: '(b) Tractable limits',
  c: '(c) Simple laws',
  d: '(d) Theories of hyperparameters',
  e: '(e) Universal behaviours',
};

/** The folder under templates/ of the sweep templates, listed in a group of their own. */
export const SWEEP_TEMPLATES = 'sweeps';
export const SWEEPS_GROUP = 'Sweeps (many runs, fitted laws)';

/** A template's title (its doc comment's first line) and strand (a `Strand: (x)` line in that comment). */
export function templateInfo(text: string): { title: string; strand: string } {
  const title = /\/\*\*\s*\n\s*\*\s*(.+)/.exec(text)?.[1] ?? '';
  const strand = /Strand:\s*\(([a-e])\)/.exec(text)?.[1] ?? '';
  return { title, strand: STRANDS[strand] ?? 'Other' };
}

export interface TemplateEntry {
  /** Path relative to the templates folder, e.g. `deepLinear.exp.ts` or `sweeps/lrTransfer.exp.ts`. */
  file: string;
  title: string;
  strand: string;
  /** The picker's group: the strand for run templates, {@link SWEEPS_GROUP} for sweep templates. */
  group: string;
}

/** Every template in `dir` and its sweeps folder: run templates by strand, then the sweep templates. */
export function listTemplates(dir: string): TemplateEntry[] {
  const read = (sub: string) => {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder)) return [];
    return fs
      .readdirSync(folder)
      .filter((f) => f.endsWith('.exp.ts'))
      .sort()
      .map((f) => {
        const file = path.posix.join(sub, f);
        const info = templateInfo(fs.readFileSync(path.join(dir, file), 'utf8'));
        return { file, ...info, group: sub ? SWEEPS_GROUP : info.strand };
      });
  };
  const runs = read('').sort((a, b) => a.group.localeCompare(b.group));
  return [...runs, ...read(SWEEP_TEMPLATES)];
}
