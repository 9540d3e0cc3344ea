import Module from 'node:module';
import * as path from 'node:path';
import type { ExperimentDefinition } from '../sdk/definition';
import { takeDefinitions } from '../sdk/registry';
import type { CompiledExperiment } from './compile';

type Loadable = Module & {
  _compile(code: string, filename: string): void;
  require(id: string): unknown;
};

/**
 * Evaluates a compiled experiment as a CommonJS module whose `require` answers the provided modules (the SDK,
 * the tfjs instance the runner set up) and resolves anything else from the experiment's own folder.
 * Returns the experiments its definition registered, in source order.
 */
export function loadExperiments(
  compiled: CompiledExperiment,
  provided: Record<string, unknown>,
): ExperimentDefinition[] {
  (Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');
  takeDefinitions();
  const mod = new Module(compiled.filename) as Loadable;
  mod.filename = compiled.filename;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    path.dirname(compiled.filename),
  );
  const ownRequire = mod.require.bind(mod);
  mod.require = (id: string) => (Object.hasOwn(provided, id) ? provided[id] : ownRequire(id));
  mod._compile(compiled.code, compiled.filename);
  return takeDefinitions();
}
