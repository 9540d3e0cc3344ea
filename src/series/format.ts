/** How numbers and durations read in tables, hovers, the status bar and the runs view. */

/** A number for a table: 4 significant digits, exponent notation when very large or small. */
export function num(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) {
    return value.toExponential(3).replace(/\.?0+e/, 'e');
  }
  return String(Number(value.toPrecision(4)));
}

/** A rate for the status bar and the runs view: 512, 8291, 112.7k, 1.35M (no exponents for a speed). */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)}k`;
  return num(perSecond);
}

/** The compute path a run takes: its tfjs backend, and whether step() is replayed (src/runner/replay/). */
export function computePath(backend: string, replaying: boolean | undefined): string {
  return replaying ? `${backend} + replay` : backend;
}

/** A duration for an ETA: 12.3s, 4m5s, 2h10m. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${Math.round(seconds % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
