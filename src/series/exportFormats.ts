import type { SeriesData } from '../store/seriesData';

/** A run's samples to export: its id and every series at full resolution. */
export interface ExportedRun {
  id: string;
  series: ReadonlyMap<string, SeriesData>;
}

/** Quotes a CSV field when it holds a comma, quote or newline (RFC 4180). */
export function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Every sample, series by series in append order, as CSV. One run: `step,series,value` (the `lm export`
 * format); several, or `wall`: a `run` column first and/or a `wall` column (seconds into training) last.
 */
export function samplesCsv(
  runs: readonly ExportedRun[],
  options: { run?: boolean; wall?: boolean } = {},
): string {
  const header = [options.run && 'run', 'step', 'series', 'value', options.wall && 'wall']
    .filter(Boolean)
    .join(',');
  const lines = [header];
  for (const { id, series } of runs) {
    for (const [name, s] of series) {
      const prefix = options.run ? `${id},` : '';
      const field = csvField(name);
      for (let i = 0; i < s.step.length; i++) {
        lines.push(`${prefix}${s.step[i]},${field},${s.value[i]}${options.wall ? `,${s.wall[i]}` : ''}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every sample as one JSON object a line: `{step, series, value}` (plus `run` and `wall` when asked). */
export function samplesJsonl(
  runs: readonly ExportedRun[],
  options: { run?: boolean; wall?: boolean } = {},
): string {
  const lines: string[] = [];
  for (const { id, series } of runs) {
    for (const [name, s] of series) {
      for (let i = 0; i < s.step.length; i++) {
        const sample = { ...(options.run && { run: id }), step: s.step[i], series: name, value: s.value[i] };
        lines.push(JSON.stringify(options.wall ? { ...sample, wall: s.wall[i] } : sample));
      }
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
