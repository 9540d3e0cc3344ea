import type { RunSnapshot } from '../host/runData';
import { parseSeriesName } from '../protocol/series';
import { computePath } from '../series/format';
import type { RunInfo } from '../protocol/webview';

/**
 * A label per run that tells compared runs apart: the parameters whose values differ between them
 * (all parameters for a single run), as `name=value`.
 */
export function differingLabels(params: Array<Record<string, unknown>>): string[] {
  const names = [...new Set(params.flatMap((p) => Object.keys(p)))];
  const differing =
    params.length < 2
      ? names
      : names.filter((n) => new Set(params.map((p) => JSON.stringify(p[n]))).size > 1);
  return params.map((p) => differing.map((n) => `${n}=${JSON.stringify(p[n])}`).join(' '));
}

/** The observables of a run, in declaration order, whether or not they have samples yet. */
function observablesOf(snapshot: RunSnapshot): string[] {
  const declared = snapshot.manifest.observables.map((o) => o.name);
  const seen = [...snapshot.series.keys()]
    .map((n) => parseSeriesName(n)?.observable)
    .filter((o): o is string => !!o);
  return [...new Set([...declared, ...seen])];
}

/** What a chart panel draws: each run's metadata (with a stable colour index) and its data. */
export function panelRuns(snapshots: RunSnapshot[]) {
  const labels = differingLabels(snapshots.map((s) => s.manifest.params));
  return {
    runs: snapshots.map((s, i) => {
      const m = s.manifest;
      const info: RunInfo = {
        id: m.id,
        experiment: m.experiment,
        title: m.title,
        status: s.live ? 'running' : m.status,
        step: m.step,
        steps: m.steps,
        stepsPerSecond: m.stepsPerSecond,
        backend: computePath(m.backend.name, s.live ? s.replaying : m.replay?.on),
        error: m.error?.message ?? null,
        colorIndex: i,
        label: labels[i],
        lr: typeof m.params.lr === 'number' ? m.params.lr : null,
      };
      return { info, series: s.series, observables: observablesOf(s), agreement: m.agreement };
    }),
  };
}
