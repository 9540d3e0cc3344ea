/**
 * Series naming, shared by the runner, the store, the CLI and (later) the webviews.
 *
 * - a scalar observable `loss` is the series `loss`;
 * - a vector observable `modes` is the family `modes[0]`, `modes[1]`, ...;
 * - a prediction `saxe` on `modes` writes `modes[0]~saxe`, ...; its band, when it has one,
 *   `modes[0]~saxe:lo` and `modes[0]~saxe:hi`.
 */

/** One recorded value: `series` at training step `step`, `wall` seconds after the training loop began. */
export interface Sample {
  series: string;
  step: number;
  value: number;
  wall: number;
}

export function componentName(observable: string, index: number): string {
  return `${observable}[${index}]`;
}

export function predictionSeriesName(series: string, prediction: string): string {
  return `${series}~${prediction}`;
}

export function bandSeriesName(series: string, prediction: string, side: 'lo' | 'hi'): string {
  return `${predictionSeriesName(series, prediction)}:${side}`;
}

export interface ParsedSeriesName {
  observable: string;
  index?: number;
  prediction?: string;
  band?: 'lo' | 'hi';
}

const SERIES_NAME = /^([^[~:]+)(?:\[(\d+)\])?(?:~([^:]+)(?::(lo|hi))?)?$/;

/** Inverse of the three builders above; undefined for a name none of them makes. */
export function parseSeriesName(name: string): ParsedSeriesName | undefined {
  const m = SERIES_NAME.exec(name);
  if (!m) return undefined;
  const parsed: ParsedSeriesName = { observable: m[1] };
  if (m[2] !== undefined) parsed.index = Number(m[2]);
  if (m[3] !== undefined) parsed.prediction = m[3];
  if (m[4] !== undefined) parsed.band = m[4] as 'lo' | 'hi';
  return parsed;
}
