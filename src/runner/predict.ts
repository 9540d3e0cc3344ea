import type { PredictionDefinition } from '../sdk/definition';
import { readValue, type Reading } from './observe';
import type { PredictedPoint } from './recorder';

type Call = (...args: unknown[]) => unknown;

function isBand(value: unknown): value is { y: unknown; lo?: unknown; hi?: unknown } {
  return typeof value === 'object' && value !== null && 'y' in value && !Array.isArray(value);
}

/** Evaluates a point prediction at `step`: a value (number or vector) or a band `{ y, lo, hi }`. */
export async function predictAt(
  instance: object,
  p: PredictionDefinition,
  step: number,
): Promise<PredictedPoint> {
  const what = `prediction '${p.name}'`;
  const method = (instance as Record<string, Call>)[p.name].bind(instance);
  let band: { y: unknown; lo?: unknown; hi?: unknown } | undefined;
  const y = await readValue(() => {
    const result = method(step);
    if (!isBand(result)) return result;
    band = result;
    return result.y;
  }, what);
  if (!band) return { y };
  return {
    y,
    lo: await readValue(() => band!.lo, `${what} (lo)`),
    hi: await readValue(() => band!.hi, `${what} (hi)`),
  };
}

/**
 * Evaluates a curve prediction once over all the observable's planned sample steps. It returns one entry per
 * step (a number, or a vector for a vector observable), or a band `{ y, lo, hi }` of such arrays.
 */
export function predictCurve(instance: object, p: PredictionDefinition, steps: number[]): PredictedPoint[] {
  const result = (instance as Record<string, Call>)[p.name].call(instance, steps);
  const parts = isBand(result) ? result : { y: result };
  const column = (value: unknown, side: string): Reading[] => {
    if (!Array.isArray(value) || value.length !== steps.length) {
      throw new TypeError(
        `curve prediction '${p.name}'${side} must return an array of ${steps.length} entries (one per sample step), got ${Array.isArray(value) ? `${value.length} entries` : typeof value}`,
      );
    }
    return value as Reading[];
  };
  const y = column(parts.y, '');
  const lo = parts.lo === undefined ? undefined : column(parts.lo, '.lo');
  const hi = parts.hi === undefined ? undefined : column(parts.hi, '.hi');
  return y.map((value, i) => ({ y: value, ...(lo && { lo: lo[i] }), ...(hi && { hi: hi[i] }) }));
}
