import type { ParamValue } from './definition';

/**
 * The parameters of the instance being constructed. The runner sets `overrides` before `new Experiment()`;
 * each `@param` field initializer then reports its default, takes the override when there is one (checked
 * against the default's type), and the runner reads back `values` and `unknown` afterwards.
 */
export interface Construction {
  overrides: Record<string, unknown>;
  defaults: Record<string, ParamValue>;
  values: Record<string, ParamValue>;
  /** Called with the value of a parameter named `seed` as soon as it is initialised. */
  onSeed?: (seed: number) => void;
}

let current: Construction | undefined;

/** Runs `build` with `construction` as the target of `@param` initialisers. */
export function construct<T>(construction: Construction, build: () => T): T {
  const previous = current;
  current = construction;
  try {
    return build();
  } finally {
    current = previous;
  }
}

export function currentConstruction(): Construction | undefined {
  return current;
}

/** A parameter type error; the runner reports it as an input error, not as a failed run. */
export class ParamError extends Error {
  override name = 'ParamError';
}

export function paramType(value: unknown): 'number' | 'boolean' | 'string' | 'number[]' | undefined {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return 'number[]';
  return undefined;
}

/** The value a parameter takes: its override when given (type-checked against the default), else its default. */
export function resolveParam(name: string, initial: unknown): ParamValue {
  const type = paramType(initial);
  if (type === undefined) {
    throw new ParamError(
      `parameter '${name}': its default must be a number, boolean, string or number[], not ${describe(initial)}`,
    );
  }
  const c = current;
  if (!c) return initial as ParamValue;
  c.defaults[name] = initial as ParamValue;
  let value = initial as ParamValue;
  if (Object.hasOwn(c.overrides, name)) {
    const override = c.overrides[name];
    if (paramType(override) !== type || (type === 'number' && !Number.isFinite(override))) {
      throw new ParamError(`parameter '${name}' expects a ${type}, got ${describe(override)}`);
    }
    value = override as ParamValue;
  }
  c.values[name] = value;
  if (name === 'seed' && typeof value === 'number') c.onSeed?.(value);
  return value;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `the array ${JSON.stringify(value)}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
