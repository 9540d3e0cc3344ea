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
} from './definition';
import { register } from './registry';

/** What member decorators leave in the class's decorator metadata for `@experiment` to collect. */
interface Declared {
  params: string[];
  observables: ObservableDefinition[];
  predictions: PredictionDefinition[];
}

const DECLARED = Symbol('learning-mechanics.declared');

function declared(metadata: DecoratorMetadataObject): Declared {
  if (!Object.hasOwn(metadata, DECLARED)) {
    metadata[DECLARED] = { params: [], observables: [], predictions: [] } satisfies Declared;
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
