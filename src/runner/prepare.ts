import type { ParamValue } from '../store/manifest';
import { construct, ParamError, type Construction } from '../sdk/construction';
import type { ExperimentDefinition } from '../sdk/definition';
import { seedEverything } from './seed';

/** A run that cannot begin because of what the user asked for (experiment name, parameters). */
export class InputError extends Error {
  override name = 'InputError';
}

/** The experiment to run: the one named, or the file's only one. */
export function pickExperiment(
  definitions: ExperimentDefinition[],
  file: string,
  name?: string,
): ExperimentDefinition {
  const names = definitions.map((d) => d.name).join(', ');
  if (definitions.length === 0) throw new InputError(`${file} defines no @experiment class`);
  if (name !== undefined) {
    const found = definitions.find((d) => d.name === name);
    if (!found) throw new InputError(`${file} has no experiment '${name}' (it defines: ${names})`);
    return found;
  }
  if (definitions.length > 1)
    throw new InputError(`${file} defines several experiments (${names}); choose one with --experiment`);
  return definitions[0];
}

export interface Constructed {
  instance: Record<string, unknown>;
  params: Record<string, ParamValue>;
  seed: number;
}

/**
 * Seeds every random source, then constructs the experiment with `overrides`. A parameter named `seed`
 * reseeds as soon as it is initialised, so the run's randomness follows it; `seed` (from `--seed`) overrides it.
 */
export function constructExperiment(
  definition: ExperimentDefinition,
  overrides: Record<string, unknown>,
  seed?: number,
): Constructed {
  const all = { ...overrides };
  if (seed !== undefined && definition.params.includes('seed')) {
    if (Object.hasOwn(all, 'seed') && all.seed !== seed)
      throw new InputError(`--seed ${seed} conflicts with --set seed=${String(all.seed)}`);
    all.seed = seed;
  }
  const unknown = Object.keys(all).filter((k) => !definition.params.includes(k));
  if (unknown.length > 0) {
    const known = definition.params.join(', ') || 'none';
    throw new InputError(
      `${definition.name} has no parameter ${unknown.map((k) => `'${k}'`).join(', ')} (parameters: ${known})`,
    );
  }
  let runSeed = seed ?? 0;
  seedEverything(runSeed);
  const construction: Construction = {
    overrides: all,
    defaults: {},
    values: {},
    onSeed: (s) => seedEverything((runSeed = s)),
  };
  try {
    const instance = construct(construction, () => new definition.ctor()) as Record<string, unknown>;
    return { instance, params: construction.values, seed: runSeed };
  } catch (error) {
    if (error instanceof ParamError) throw new InputError(error.message);
    throw error;
  }
}
