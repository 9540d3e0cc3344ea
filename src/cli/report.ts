import type { PredictionScore } from '../protocol/score';
import type { LastValues } from '../series/lastValues';
import type { Manifest, SourceLocation } from '../store/manifest';
import { num } from '../series/format';
import { table } from './table';

/** The object `lm run --json` and `lm show --json` print. */
export interface RunReport {
  runId: string;
  runDir: string;
  experiment: string;
  status: Manifest['status'];
  error: Manifest['error'];
  backend: string;
  /** Whether step() was replayed as a compiled program, and why (not); null for runs from before replay. */
  replay: { on: boolean; reason: string } | null;
  steps: number;
  stepsPerSecond: number | null;
  observables: LastValues;
  predictions: Array<Pick<PredictionScore, 'name' | 'observable' | 'score' | 'value' | 'tolerance' | 'pass'>>;
}

export function runReport(manifest: Manifest, runDir: string, observables: LastValues): RunReport {
  return {
    runId: manifest.id,
    runDir,
    experiment: manifest.experiment,
    status: manifest.status,
    error: manifest.error,
    backend: manifest.backend.name,
    replay: manifest.replay ? { on: manifest.replay.on, reason: manifest.replay.reason } : null,
    steps: manifest.step,
    stepsPerSecond: manifest.stepsPerSecond,
    observables,
    predictions: manifest.agreement.map(({ name, observable, score, value, tolerance, pass }) => ({
      name,
      observable,
      score,
      value,
      tolerance,
      pass,
    })),
  };
}

function at(location: SourceLocation | undefined): string {
  return location ? `\n  at ${location.file}:${location.line}:${location.column}` : '';
}

const COMPARE: Record<PredictionScore['score'], string> = {
  r2: '>=',
  r2log: '>=',
  maxRelError: '<=',
  ratio: '±',
  band: 'outside band <=',
};

/** The human-readable end of a run: a header line, the final observables, and the agreement table. */
export function formatReport(report: RunReport): string {
  const rate = report.stepsPerSecond === null ? '' : `, ${num(report.stepsPerSecond)} steps/s`;
  const lines = [
    `${report.experiment} ${report.runId}: ${report.status} after ${report.steps} steps${rate} (backend ${report.backend}${report.replay?.on ? ', step replay' : ''})`,
  ];
  if (report.error) lines.push(`error: ${report.error.message}${at(report.error.location)}`);
  // Why a run was slower than it could be: every step went through tfjs (src/runner/replay/).
  if (report.replay && !report.replay.on) lines.push(`step replay: ${report.replay.reason}`);
  const observed = Object.entries(report.observables).map(([name, v]) => [
    name,
    Array.isArray(v) ? v.map(num).join(' ') : num(v),
  ]);
  if (observed.length) lines.push('', table(['observable', 'last value'], observed));
  const predicted = report.predictions.map((p) => [
    p.name,
    p.observable,
    p.score,
    num(p.value),
    `${COMPARE[p.score]} ${num(p.tolerance)}`,
    p.pass ? 'PASS' : 'FAIL',
  ]);
  if (predicted.length)
    lines.push('', table(['prediction', 'observable', 'score', 'value', 'tolerance', 'result'], predicted));
  lines.push('', `run folder: ${report.runDir}`);
  return lines.join('\n');
}
