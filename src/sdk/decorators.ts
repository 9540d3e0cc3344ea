import { ScoreKind } from '../protocol/score';
import { defaultTolerance } from '../series/agreement';
import { resolveParam } from './construction';
import type {
  ExperimentDefinition,
  ExperimentOptions,
  ObservableDefinition,
  ObservableOptions,
  ParamValue,
  PredictionDefinition,
  PredictionOptions,
  SweepDefinition,
  SweepOptions,
} from './definition';
import { register } from './registry';

/** What member decorators leave in the class's decorator metadata for `@experiment` to collect. */
interface Declared {
  params: string[];
  observables: ObservableDefinition[];
  predictions: PredictionDefinition[];
  /** Shared with the registered definition, so `@sweep` may sit above or below `@experiment`. */
  sweeps: SweepDefinition[];
}

const DECLARED = Symbol('learning-mechanics.declared');

function declared(metadata: DecoratorMetadataObject): Declared {
  if (!Object.hasOwn(metadata, DECLARED)) {
    metadata[DECLARED] = { params: [], observables: [], predictions: [], sweeps: [] } satisfies Declared;
  }
  return metadata[DECLARED] as Declared;
}

function memberName(context: { name: string | symbol }, decorator: string): string {
  if (typeof context.name !== 'string') throw new TypeError(`${decorator} needs a member with a string name`);
  return context.name;
}

/** Marks a class as an experiment the runner can run: `@experiment({ title, steps })`. */
export function experiment(options: ExperimentOptions) {
  if (!Number.isInteger(options?.steps) || options.steps < 1) {
    throw new TypeError(`@experiment needs { steps: a positive integer }, got ${JSON.stringify(options)}`);
  }
  if (options.replay !== undefined && typeof options.replay !== 'boolean') {
    throw new TypeError(`@experiment: 'replay' must be true or false, got ${JSON.stringify(options.replay)}`);
  }
  return (ctor: new () => object, context: ClassDecoratorContext): void => {
    const name = String(context.name);
    const d = declared(context.metadata);
    const definition: ExperimentDefinition = { name, options, ...d, ctor };
    for (const p of d.predictions) {
      if (!d.observables.some((o) => o.name === p.observable)) {
        const known = d.observables.map((o) => o.name).join(', ') || 'none';
        throw new TypeError(
          `${name}: prediction '${p.name}' is tied to '${p.observable}', which is not an observable (known: ${known})`,
        );
      }
    }
    register(definition);
  };
}

/** A parameter: typed by its default, overridable from outside the file (`lm run --set name=value`). */
export function param<T extends ParamValue>(
  _value: undefined,
  context: ClassFieldDecoratorContext<unknown, T>,
) {
  const name = memberName(context, '@param');
  declared(context.metadata).params.push(name);
  return (initial: T): T => resolveParam(name, initial) as T;
}

type Method = (this: never, ...args: never[]) => unknown;

type MethodDecorator = (method: Method, context: ClassMethodDecoratorContext) => void;

/**
 * An observable of the training process, sampled every `every` steps (default 1) and/or at the end:
 * `@observable({ every: 10 })`, `@observable({ atEnd: true })`, or bare `@observable` for every step.
 */
export function observable(method: Method, context: ClassMethodDecoratorContext): void;
export function observable(options?: ObservableOptions): MethodDecorator;
export function observable(
  first?: ObservableOptions | Method,
  context?: ClassMethodDecoratorContext,
): MethodDecorator | void {
  if (typeof first === 'function') return observable({})(first, context!);
  const options = first ?? {};
  const every = options.every ?? (options.atEnd ? null : 1);
  if (every !== null && (!Number.isInteger(every) || every < 1)) {
    throw new TypeError(`@observable: 'every' must be a positive integer, got ${String(options.every)}`);
  }
  return (_method, ctx) => {
    const name = memberName(ctx, '@observable');
    declared(ctx.metadata).observables.push({ name, every, atEnd: options.atEnd ?? false });
  };
}

/** A theory prediction of the observable `observable`, scored against it (see PredictionOptions). */
export function prediction(observable: string, options: PredictionOptions = {}) {
  const score = ScoreKind.parse(options.score ?? 'r2');
  const tolerance = options.tolerance ?? defaultTolerance(score);
  if (!Number.isFinite(tolerance)) throw new TypeError(`@prediction: tolerance must be a finite number`);
  return (_method: Method, context: ClassMethodDecoratorContext): void => {
    const name = memberName(context, '@prediction');
    const curve = options.curve ?? false;
    declared(context.metadata).predictions.push({ name, observable, score, tolerance, curve });
  };
}

/**
 * A sweep of the experiment below or above it: `@sweep('widths', { grid: { width: [64, 128, 256] }, seeds: 3,
 * summarize: { loss: 'final' } })`. Run it with `lm sweep <file>` or Run Sweep in the editor; each point is an
 * ordinary run. The options are checked when the sweep is expanded (src/sweep/spec.ts), where the
 * experiment's parameters are known.
 */
export function sweep(name: string, options: SweepOptions) {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new TypeError(`@sweep needs a name of letters, digits, '-' or '_', got ${JSON.stringify(name)}`);
  }
  return (_ctor: new () => object, context: ClassDecoratorContext): void => {
    const sweeps = declared(context.metadata).sweeps;
    if (sweeps.some((s) => s.name === name)) throw new TypeError(`@sweep: two sweeps are named '${name}'`);
    sweeps.unshift({ name, options }); // class decorators apply bottom-up: keep source order
  };
}

/** n values evenly spaced from a to b, both included. */
export function linspace(a: number, b: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`linspace needs a positive integer count, got ${n}`);
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

/** n values evenly spaced in log from a to b (both > 0), both included: logspace(1e-3, 1e-1, 3) = [1e-3, 1e-2, 1e-1]. */
export function logspace(a: number, b: number, n: number): number[] {
  if (!(a > 0 && b > 0)) throw new TypeError(`logspace needs positive ends, got ${a} and ${b}`);
  return linspace(Math.log(a), Math.log(b), n).map((x, i) => (i === 0 ? a : i === n - 1 ? b : Math.exp(x)));
}
