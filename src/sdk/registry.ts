import type { ExperimentDefinition } from './definition';

/**
 * Experiments defined since the last `takeDefinitions()`. `@experiment` registers a class when its definition
 * runs, so the runner finds every experiment a module defines, exported or not, in source order.
 */
const defined: ExperimentDefinition[] = [];

export function register(definition: ExperimentDefinition): void {
  defined.push(definition);
}

export function takeDefinitions(): ExperimentDefinition[] {
  return defined.splice(0, defined.length);
}
