import { loadSeries, seriesNames } from '../store/runReader';
import type { Summary } from './spec';

/**
 * The summary values of one run: for each summarised observable, each of its series (`loss`, or `modes[0]`,
 * `modes[1]`, ... for a vector) reduced to one number over its finite samples: the last, the min, the max, or
 * the mean of the last k. Null when a series has no finite sample; prediction series (`name~prediction`) are
 * not observables and are left out.
 */
export function summarizeRun(
  runsDir: string,
  runId: string,
  summarize: Record<string, Summary>,
): Record<string, number | null> {
  const names = seriesNames(runsDir, runId).filter((n) => !n.includes('~'));
  const summary: Record<string, number | null> = {};
  for (const [observable, reducer] of Object.entries(summarize)) {
    for (const name of names.filter((n) => n === observable || n.startsWith(`${observable}[`))) {
      const values = Array.from(loadSeries(runsDir, runId, name).value).filter(Number.isFinite);
      summary[name] = reduce(values, reducer);
    }
  }
  return summary;
}

export function reduce(values: number[], reducer: Summary): number | null {
  if (values.length === 0) return null;
  if (reducer === 'final') return values[values.length - 1];
  if (reducer === 'min') return Math.min(...values);
  if (reducer === 'max') return Math.max(...values);
  const last = values.slice(-reducer.meanLast);
  return last.reduce((s, v) => s + v, 0) / last.length;
}
