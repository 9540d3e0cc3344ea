import { parseSeriesName } from '../protocol/series';

/** The last value of each observable: a number, or for a vector observable its components in order. */
export type LastValues = Record<string, number | number[]>;

/**
 * Groups the last sample of every observable series (`loss`, `modes[0]`, `modes[1]`, ...) by observable.
 * Prediction and band series are left out.
 */
export function groupLastValues(last: ReadonlyMap<string, number>): LastValues {
  const out: LastValues = {};
  for (const [name, value] of last) {
    const parsed = parseSeriesName(name);
    if (!parsed || parsed.prediction !== undefined) continue;
    if (parsed.index === undefined) out[parsed.observable] = value;
    else {
      const vector = Array.isArray(out[parsed.observable]) ? (out[parsed.observable] as number[]) : [];
      vector[parsed.index] = value;
      out[parsed.observable] = vector;
    }
  }
  return out;
}
