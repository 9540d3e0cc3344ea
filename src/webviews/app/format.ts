/** Number formatting for labels, ticks and tooltips: short, stable widths, no locale surprises. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 });

/** 12345 -> "12,345". */
export function formatInteger(v: number): string {
  return integer.format(v);
}

/** 1234567 -> "1.2M", 6000 -> "6k", 950 -> "950". */
export function formatCount(v: number): string {
  if (v >= 1e6) return `${trim((v / 1e6).toFixed(1))}M`;
  if (v >= 1e4) return `${trim((v / 1e3).toFixed(0))}k`;
  if (v >= 1e3) return `${trim((v / 1e3).toFixed(1))}k`;
  return String(Math.round(v));
}

/** A value with `digits` significant digits: 0.1235, 12,345, 1.23e-5, 4.5e7 (no "e+", no trailing zeros). */
export function formatValue(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e7 || abs < 1e-3) return exponential(v, digits);
  return decimal.format(Number(v.toPrecision(digits)));
}

/**
 * An axis tick: three significant digits, with k/M suffixes on an axis that reaches 10,000 (so 5k and 10k sit
 * side by side rather than 5,000 and 10k) and exponents below 0.001. On a log axis only 1, 2 and 5 times a
 * power of ten are labelled.
 */
export function formatTick(v: number, log: boolean, axisMax: number): string {
  if (log && !isOneTwoFive(v)) return '';
  const abs = Math.abs(v);
  if (v === 0) return '0';
  if (abs >= 1e12 || abs < 1e-3) return exponential(v, 3);
  if (axisMax >= 1e4 && abs >= 1e3) {
    const [scale, suffix] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : [1e3, 'k'];
    return `${Number((v / scale).toPrecision(3))}${suffix}`;
  }
  return formatValue(v, 3);
}

function isOneTwoFive(v: number): boolean {
  if (!(v > 0)) return false;
  const mantissa = Math.round((v / 10 ** Math.floor(Math.log10(v) + 1e-9)) * 1000) / 1000;
  return mantissa === 1 || mantissa === 2 || mantissa === 5;
}

/** 1.23e-5, 4e7. */
function exponential(v: number, digits: number): string {
  const [mantissa, exponent] = v.toExponential(Math.max(0, digits - 1)).split('e');
  return `${trim(mantissa)}e${Number(exponent)}`;
}

/** Seconds as "42 s", "3.5 min", "1.2 h". */
export function formatSeconds(s: number): string {
  if (s < 120) return `${formatValue(s, 3)} s`;
  if (s < 7200) return `${formatValue(s / 60, 3)} min`;
  return `${formatValue(s / 3600, 3)} h`;
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
