/** Templates are the bundled examples; each names its strand of theory in its first comment. */
export const STRANDS: Record<string, string> = {
  a: '(a) Solvable settings',
  b: '(b) Tractable limits',
  c: '(c) Simple laws',
  d: '(d) Theories of hyperparameters',
  e: '(e) Universal behaviours',
};

/** A template's title (its doc comment's first line) and strand (a `Strand: (x)` line in that comment). */
export function templateInfo(text: string): { title: string; strand: string } {
  const title = /\/\*\*\s*\n\s*\*\s*(.+)/.exec(text)?.[1] ?? '';
  const strand = /Strand:\s*\(([a-e])\)/.exec(text)?.[1] ?? '';
  return { title, strand: STRANDS[strand] ?? 'Other' };
}
