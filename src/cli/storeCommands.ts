import { loadRun } from '../store/runReader';
import { listRuns, resolveRunId } from '../store/runsDir';
import type { SeriesData } from '../store/seriesData';
import { samplesCsv, samplesJsonl } from '../series/exportFormats';
import { groupLastValues } from '../series/lastValues';
import { formatReport, runReport } from './report';
import { num } from '../series/format';
import { table } from './table';
import { UsageError } from './overrides';

/** `lm ls`: the runs in the runs directory, newest first. */
export function lsCommand(runsDir: string, json: boolean): number {
  const runs = listRuns(runsDir);
  if (json) {
    console.log(
      JSON.stringify(
        runs.map((r) =>
          r.manifest ? { id: r.id, ...summary(r.manifest) } : { id: r.id, problem: r.problem },
        ),
      ),
    );
    return 0;
  }
  if (runs.length === 0) {
    console.log(`no runs in ${runsDir}`);
    return 0;
  }
  const rows = runs.map((r) => {
    if (!r.manifest) return [r.id, '?', 'unreadable', '-', '-', '-', r.problem];
    const s = summary(r.manifest);
    return [
      r.id,
      s.experiment,
      s.status,
      `${s.step}/${s.steps}`,
      num(s.stepsPerSecond),
      s.agreement,
      s.startedAt,
    ];
  });
  console.log(table(['run', 'experiment', 'status', 'steps', 'steps/s', 'agreement', 'started'], rows));
  return 0;
}

function summary(m: NonNullable<ReturnType<typeof listRuns>[number]['manifest']>) {
  const passed = m.agreement.filter((a) => a.pass).length;
  return {
    experiment: m.experiment,
    status: m.status,
    step: m.step,
    steps: m.steps,
    stepsPerSecond: m.stepsPerSecond,
    agreement: m.agreement.length ? `${passed}/${m.agreement.length} pass` : '-',
    startedAt: m.startedAt,
  };
}

/** `lm show <run>`: one run's parameters, final observables and agreement. */
export function showCommand(runsDir: string, ref: string, json: boolean): number {
  const id = resolveRunId(runsDir, ref);
  const { manifest, series } = loadRun(runsDir, id);
  const report = runReport(manifest, `${runsDir}/${id}`, groupLastValues(lastOf(series)));
  if (json) console.log(JSON.stringify({ ...report, manifest }));
  else {
    const params = Object.entries(manifest.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    console.log(
      `${manifest.title}\nfile: ${manifest.file}\nparameters: ${params.join(' ') || '-'}\nseed: ${manifest.seed}\n`,
    );
    console.log(formatReport(report));
  }
  return 0;
}

function lastOf(series: Map<string, SeriesData>): Map<string, number> {
  const last = new Map<string, number>();
  for (const [name, data] of series) if (data.value.length) last.set(name, data.value[data.value.length - 1]);
  return last;
}

/** `lm export <run>`: every sample as CSV (`step,series,value`) or JSON lines, series by series. */
export function exportCommand(
  runsDir: string,
  ref: string,
  format: string,
  write: (text: string) => void,
): number {
  if (format !== 'csv' && format !== 'jsonl')
    throw new UsageError(`--format must be csv or jsonl, got '${format}'`);
  const id = resolveRunId(runsDir, ref);
  const runs = [{ id, series: loadRun(runsDir, id).series }];
  write(format === 'csv' ? samplesCsv(runs) : samplesJsonl(runs));
  return 0;
}
