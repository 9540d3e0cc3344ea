import { table } from '../../cli/table';
import { num } from '../../series/format';
import { evaluateSweepLaws } from '../laws';
import { writeSweepLaws, type PointRecord, type SweepManifest } from '../sweepStore';
import type { LawResult, LawScoreKind } from './result';

/**
 * Evaluates the sweep's laws on its points as recorded now and writes them to `laws.json` (nothing is written
 * when the sweep declares no law). Used when a sweep ends, by the CLI and the editor alike.
 */
export function recordSweepLaws(
  dir: string,
  manifest: SweepManifest,
  points: PointRecord[],
  runsDir: string,
): LawResult[] {
  if (!manifest.spec.laws?.length) return [];
  const laws = evaluateSweepLaws(manifest, points, { runsDir });
  writeSweepLaws(dir, { evaluatedAt: new Date().toISOString(), laws });
  return laws;
}

const RULE: Record<LawScoreKind, (law: LawResult) => string> = {
  maxRelError: (l) => `<= ${num(l.tolerance)}`,
  slopeInBand: (l) => `in [${num(l.band?.[0])}, ${num(l.band?.[1])}]`,
  accuracy: (l) => `>= ${num(l.tolerance)}`,
  maxAbsDeviation: (l) => `<= ${num(l.tolerance)}`,
  factor: (l) => `in [1/${num(l.tolerance)}, ${num(l.tolerance)}]`,
  spreadRatio: (l) => `<= ${num(l.tolerance)}`,
};

/** The law table printed after the point table (empty when there is no law), with problems and notes below. */
export function formatLaws(laws: LawResult[]): string {
  if (laws.length === 0) return '';
  const rows = laws.map((l) => [
    l.name,
    l.score,
    num(l.value),
    RULE[l.score](l),
    String(l.points),
    l.pass ? 'PASS' : 'FAIL',
  ]);
  const lines = ['', table(['law', 'score', 'value', 'pass if', 'points', 'result'], rows)];
  for (const l of laws) {
    if (l.problem) lines.push(`${l.name}: ${l.problem}`);
    for (const note of l.notes) lines.push(`${l.name}: ${note}`);
  }
  return lines.join('\n');
}
