import { parseSeriesName } from '../protocol/series';

/** A measured series of an observable: `loss` (component null) or `modes[2]` (component 2). */
export interface MeasuredSeries {
  name: string;
  component: number | null;
}

/** A prediction series drawn over a measured one, with the names of its band series when it has both. */
export interface PredictionSeries {
  name: string;
  prediction: string;
  component: number | null;
  band: { lo: string; hi: string } | null;
}

export interface ObservableSeries {
  measured: MeasuredSeries[];
  predictions: PredictionSeries[];
}

/**
 * The series of one observable among a run's series names (see `src/protocol/series.ts` for the naming):
 * measured series by component, then prediction series by prediction name and component. A band is used only
 * when both its `:lo` and `:hi` series exist.
 *
 * @example
 * observableSeries(['modes[1]', 'modes[0]', 'modes[0]~saxe', 'loss'], 'modes');
 * // => { measured: [{ name: 'modes[0]', component: 0 }, { name: 'modes[1]', component: 1 }],
 * //      predictions: [{ name: 'modes[0]~saxe', prediction: 'saxe', component: 0, band: null }] }
 */
export function observableSeries(names: Iterable<string>, observable: string): ObservableSeries {
  const all = new Set(names);
  const measured: MeasuredSeries[] = [];
  const predictions: PredictionSeries[] = [];
  for (const name of all) {
    const parsed = parseSeriesName(name);
    if (!parsed || parsed.observable !== observable || parsed.band !== undefined) continue;
    const component = parsed.index ?? null;
    if (parsed.prediction === undefined) measured.push({ name, component });
    else {
      const lo = `${name}:lo`;
      const hi = `${name}:hi`;
      const band = all.has(lo) && all.has(hi) ? { lo, hi } : null;
      predictions.push({ name, prediction: parsed.prediction, component, band });
    }
  }
  measured.sort((a, b) => byComponent(a.component, b.component));
  predictions.sort((a, b) => byName(a.prediction, b.prediction) || byComponent(a.component, b.component));
  return { measured, predictions };
}

/** Code-unit order, independent of the locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byComponent(a: number | null, b: number | null): number {
  return (a ?? -1) - (b ?? -1);
}
