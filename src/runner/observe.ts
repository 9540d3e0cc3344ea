import * as tf from '@tensorflow/tfjs';

/** What one observable or prediction call produced, read back to plain numbers. */
export type Reading = number | number[];

/**
 * Calls `read` inside a tfjs scope and reads its result back as numbers. Tensors created during the call,
 * the returned one included, are disposed afterwards; a tensor an observable keeps across calls must be
 * `tf.keep`-ed. Accepts a number, a number[] or typed array, a scalar or 1-D tensor, or a promise of one.
 */
export async function readValue(read: () => unknown, what: string): Promise<Reading> {
  return readNow(read, what);
}

/**
 * `readValue`, synchronously when `read` returns a value rather than a promise: the loop samples without a
 * microtask hop per observable (a few us each, which a replayed observable's whole call costs).
 */
export function readNow(read: () => unknown, what: string): Reading | Promise<Reading> {
  tf.engine().startScope();
  let result: unknown;
  try {
    result = read();
  } catch (error) {
    tf.engine().endScope();
    throw error;
  }
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    return (async () => {
      try {
        return toNumbers(await result, what);
      } finally {
        tf.engine().endScope();
      }
    })();
  }
  try {
    return toNumbers(result, what);
  } finally {
    tf.engine().endScope();
  }
}

function toNumbers(result: unknown, what: string): Reading {
  if (typeof result === 'number') return result;
  if (result instanceof tf.Tensor) {
    if (result.rank > 1)
      throw new TypeError(
        `${what} returned a tensor of shape [${result.shape}]; expected a scalar or 1-D tensor`,
      );
    // Every backend the runner picks reads synchronously; dataSync skips a promise per sample.
    const data = Array.from(result.dataSync(), Number);
    return result.rank === 0 ? data[0] : data;
  }
  if (Array.isArray(result) || ArrayBuffer.isView(result)) {
    const values = Array.from(result as ArrayLike<unknown>);
    if (values.every((v) => typeof v === 'number')) return values as number[];
  }
  throw new TypeError(
    `${what} returned ${describe(result)}; expected a number, a number[] or a scalar or 1-D tensor`,
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array with non-numbers';
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}
