/**
 * Argument checks shared by the theory functions: each throws a RangeError naming the argument and its value,
 * so a bad parameter in an experiment file surfaces as a readable error at the prediction that used it.
 */

export function checkFinite(values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) throw new RangeError(`${name} must be finite, got ${v}`);
  }
}

export function checkPositive(values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be finite and > 0, got ${v}`);
  }
}

export function checkNonNegative(values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be finite and >= 0, got ${v}`);
  }
}

/** A momentum-like coefficient in [0, 1). */
export function checkBeta(beta: number, name: string): void {
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`${name} must be in [0, 1), got ${beta}`);
}

/** Sample steps: ascending integers >= 0. */
export function checkSteps(steps: readonly number[]): void {
  steps.forEach((step, i) => {
    if (!Number.isInteger(step) || step < 0 || (i > 0 && step < steps[i - 1])) {
      throw new RangeError(`steps must be ascending integers >= 0, got steps[${i}] = ${step}`);
    }
  });
}

/** Every entry finite (and >= 0 when `nonNegative`), else a RangeError naming the first bad one, `name[i]`. */
export function checkArray(values: ArrayLike<number>, name: string, nonNegative = false): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (nonNegative && v < 0)) {
      throw new RangeError(`${name}[${i}] must be finite${nonNegative ? ' and >= 0' : ''}, got ${v}`);
    }
  }
}
