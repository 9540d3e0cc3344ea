/**
 * The bare training loop the runner's overhead is measured against: the same experiment class, compiled,
 * loaded and constructed exactly as the runner does, then `step(t)` called `steps` times with nothing else.
 * Run in a child process (like the runner); prints {"stepsPerSecond": ...} on stdout.
 */
import { selectBackend } from '../src/runner/backend';
import { compileExperiment } from '../src/runner/compile';
import { loadExperiments } from '../src/runner/load';
import { constructExperiment, pickExperiment } from '../src/runner/prepare';
import { providedModules } from '../src/runner/run';

async function main(): Promise<void> {
  const [file, stepsText, backend] = process.argv.slice(2);
  const steps = Number(stepsText);
  await selectBackend(backend as 'auto');
  const definitions = loadExperiments(await compileExperiment(file), providedModules());
  const { instance } = constructExperiment(pickExperiment(definitions, file), {});
  const call = (name: string, ...args: unknown[]) =>
    (instance[name] as (...a: unknown[]) => unknown).call(instance, ...args);
  if (typeof instance.setup === 'function') await call('setup');
  const start = performance.now();
  for (let t = 0; t < steps; t++) {
    const result = call('step', t);
    if (result instanceof Promise) await result;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ stepsPerSecond: steps / seconds }));
}

void main();
