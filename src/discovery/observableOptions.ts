import type ts from 'typescript';
import { report, type DiscoveryContext } from './context';
import type { SdkDecorator } from './decorators';
import { evaluateConstant } from './literals';
import { isPositiveInteger, readOptionObject, sourceSnippet, typedOption } from './options';
import { observableOptionKeys } from './sdkContract';

export interface ObservableOptions {
  /** Sampling cadence in steps; null when sampled only at the end. */
  every: number | null;
  atEnd: boolean;
}

/**
 * Reads `@observable`, `@observable()` or `@observable({ every, atEnd })` on the method `name`. Without
 * `every` an observable is sampled every step, or only at the end when `atEnd` is true.
 */
export function readObservableOptions(
  context: DiscoveryContext,
  use: SdkDecorator,
  name: string,
): ObservableOptions {
  const entries = readOptionObject(context, use.args?.[0], '@observable', observableOptionKeys) ?? new Map();
  const atEnd = typedOption(context, entries, 'atEnd', '@observable', 'boolean') ?? false;
  const every = readEvery(context, entries.get('every'), name);
  return { every: every ?? (atEnd ? null : 1), atEnd };
}

/** `every` as a positive integer; undefined (reported) when it is something else. */
function readEvery(
  context: DiscoveryContext,
  value: ts.Expression | undefined,
  name: string,
): number | undefined {
  if (value === undefined) return undefined;
  const every = evaluateConstant(value);
  if (isPositiveInteger(every)) return every;
  const message = `'every' of observable '${name}' must be a positive integer literal (a number of steps), got ${sourceSnippet(context, value)}.`;
  report(context, 'every-invalid', value, message);
  return undefined;
}
