/**
 * The JavaScript state a recorded call may not change. A replayed call runs none of its JavaScript, so any
 * number, string, array or object it updates outside tensors (a step counter, a running product kept on a
 * helper object, a list it appends to) would silently stop changing. Before and after each recorded call the
 * experiment's state is walked: its fields, and the objects they hold, down to a depth and a size limit;
 * tensors are compared by identity (tensor fields of the experiment itself may be replaced by the call's
 * outputs: those are bound, see program.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** How deep into nested objects, and how many values in all, the walk looks. */
const MAX_DEPTH = 6;
const MAX_VALUES = 20000;

/** The experiment's own fields, by name, with arrays copied: what tensor-field bindings are read from. */
export type FieldSnapshot = Map<string, unknown>;

export interface StateSnapshot {
  fields: FieldSnapshot;
  /** Every primitive, typed array and nested tensor reachable from non-tensor fields, by path. */
  nested: Map<string, Entry>;
}

/** A value in the state, and where it lives (to advance a counter there). */
interface Entry {
  value: unknown;
  holder: Record<string | number, unknown>;
  key: string | number;
}

/** A number the call advances by the same amount every time (a step counter): replay advances it too. */
export interface Counter {
  path: string;
  holder: Record<string | number, unknown>;
  key: string | number;
  delta: number;
}

export function snapshotState(instance: Record<string, unknown>): StateSnapshot {
  const fields: FieldSnapshot = new Map();
  const nested = new Map<string, Entry>();
  const seen = new Set<object>([instance]);
  for (const key of Object.keys(instance)) {
    const value = instance[key];
    fields.set(key, Array.isArray(value) ? value.slice() : value);
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (!(v instanceof tf.Tensor))
          walk(v, `${key}[${i}]`, value as unknown as Entry['holder'], i, 1, nested, seen);
      });
    } else if (!(value instanceof tf.Tensor)) {
      walk(value, key, instance, key, 1, nested, seen);
    }
  }
  return { fields, nested };
}

function walk(
  value: unknown,
  path: string,
  holder: Entry['holder'],
  key: string | number,
  depth: number,
  into: Map<string, Entry>,
  seen: Set<object>,
): void {
  if (into.size >= MAX_VALUES || typeof value === 'function') return;
  if (value === null || typeof value !== 'object' || value instanceof tf.Tensor) {
    into.set(path, { value, holder, key });
    return;
  }
  if (ArrayBuffer.isView(value)) {
    into.set(path, { value: sample(value as unknown as ArrayLike<number>), holder, key });
    return;
  }
  if (seen.has(value) || depth > MAX_DEPTH) return;
  seen.add(value);
  if (value instanceof Map || value instanceof Set) {
    into.set(`${path}.size`, { value: value.size, holder, key });
    return;
  }
  const inner = value as Entry['holder'];
  if (Array.isArray(value)) {
    into.set(`${path}.length`, { value: value.length, holder, key });
    value.forEach((v, i) => walk(v, `${path}[${i}]`, inner, i, depth + 1, into, seen));
    return;
  }
  for (const k of Object.keys(value)) {
    // tfjs optimizers count their calls in iterations_, read only when their weights are saved.
    if (k === 'iterations_' && value instanceof tf.Optimizer) continue;
    walk(inner[k], `${path}.${k}`, inner, k, depth + 1, into, seen);
  }
}

/**
 * What the call did to the state: integers it advanced (counters, which replay advances by the same amount),
 * and the first change replay cannot repeat, if any: a field added, another value or nested object changed, or
 * a field now holding another object that is not a tensor. Top-level tensors may change (kept outputs).
 */
export function stateChange(
  before: StateSnapshot,
  after: StateSnapshot,
  label: string,
): { problem?: string; counters: Counter[] } {
  const counters: Counter[] = [];
  for (const [path, entry] of after.nested) {
    const [old, now] = [before.nested.get(path)?.value, entry.value];
    // Only numbers are subtracted: a tensor would be formatted as text to do it.
    if (
      typeof old === 'number' &&
      typeof now === 'number' &&
      Number.isInteger(old) &&
      Number.isInteger(now) &&
      now !== old
    ) {
      counters.push({ path, holder: entry.holder, key: entry.key, delta: now - old });
    }
  }
  const problem = unreplayable(before, after, label, new Set(counters.map((c) => c.path)));
  return { problem, counters };
}

function unreplayable(
  before: StateSnapshot,
  after: StateSnapshot,
  label: string,
  counters: Set<string>,
): string | undefined {
  for (const [key, value] of after.fields) {
    const old = before.fields.get(key);
    if (!before.fields.has(key)) return `${label} adds the field this.${key}`;
    if (counters.has(key)) continue;
    if (Array.isArray(value) && Array.isArray(old)) {
      if (value.length !== old.length) return `${label} changes the length of this.${key}`;
      for (let i = 0; i < value.length; i++) {
        if (!counters.has(`${key}[${i}]`) && !sameOrTensor(old[i], value[i])) {
          return `${label} changes this.${key}[${i}]`;
        }
      }
    } else if (!sameOrTensor(old, value)) {
      return `${label} changes this.${key}`;
    }
  }
  for (const [path, entry] of after.nested) {
    if (counters.has(path)) continue;
    if (!before.nested.has(path) || !sameValue(before.nested.get(path)!.value, entry.value))
      return `${label} changes this.${path}`;
  }
  for (const path of before.nested.keys()) {
    if (!after.nested.has(path)) return `${label} changes this.${path}`;
  }
  return undefined;
}

/** A typed array's values: all of them up to 4096, else 257 evenly spaced ones (a dataset is not copied). */
function sample(values: ArrayLike<number>): number[] {
  if (values.length <= 4096) return Array.from(values);
  const picks: number[] = [values.length];
  for (let i = 0; i < 256; i++) picks.push(values[Math.floor((i * values.length) / 256)]);
  return picks;
}

const sameOrTensor = (a: unknown, b: unknown) =>
  Object.is(a, b) || (a instanceof tf.Tensor && b instanceof tf.Tensor && !(a instanceof tf.Variable));

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const [x, y] = [a as number[], b as number[]];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  return Object.is(a, b);
}
