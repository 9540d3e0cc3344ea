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

/** A duration for an ETA: 12.3s, 4m5s, 2h10m. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${Math.round(seconds % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`;
}
