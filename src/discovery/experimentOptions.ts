import type ts from 'typescript';
import { report, type DiscoveryContext } from './context';
import type { SdkDecorator } from './decorators';
import { evaluateConstant } from './literals';
import { isPositiveInteger, readOptionObject, sourceSnippet, typedOption } from './options';
import { experimentOptionKeys } from './sdkContract';

export interface ExperimentOptions {
  title?: string;
  steps?: number;
  description?: string;
  replay?: boolean;
}

/** Reads `@experiment({ title, steps, description, replay })` on the class `className`; `steps` is required. */
export function readExperimentOptions(
  context: DiscoveryContext,
  use: SdkDecorator,
  className: string,
): ExperimentOptions {
  const entries = readOptionObject(context, use.args?.[0], '@experiment', experimentOptionKeys);
  if (!entries) return {};
  return {
    title: typedOption(context, entries, 'title', '@experiment', 'string'),
    steps: readSteps(context, use, entries.get('steps'), className),
    description: typedOption(context, entries, 'description', '@experiment', 'string'),
    replay: typedOption(context, entries, 'replay', '@experiment', 'boolean'),
  };
}

/** `steps` as a positive integer, reporting it when missing or invalid. */
function readSteps(
  context: DiscoveryContext,
  use: SdkDecorator,
  value: ts.Expression | undefined,
  className: string,
): number | undefined {
  if (value === undefined) {
    const message = `@experiment on '${className}' needs 'steps', how many times step() is called: @experiment({ steps: 1000 }).`;
    report(context, 'steps-missing', use.node, message);
    return undefined;
  }
  const steps = evaluateConstant(value);
  if (isPositiveInteger(steps)) return steps;
  const message = `'steps' of '${className}' must be a positive integer literal, got ${sourceSnippet(context, value)}.`;
  report(context, 'steps-invalid', value, message);
  return undefined;
}
