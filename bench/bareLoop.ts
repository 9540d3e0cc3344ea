/**
 * The bare training loop the runner's overhead is measured against: the same experiment class, compiled,
 * loaded and constructed as the runner does, then `step(t)` called `steps` times with its observables computed
 * and read back at their cadence, but nothing recorded, scored, streamed or scheduled. Run in a child process
 * (like the runner); prints {"stepsPerSecond": ...} on stdout.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/runner/backend';
import { compileExperiment } from '../src/runner/compile';
import { loadExperiments } from '../src/runner/load';
import { constructExperiment, pickExperiment } from '../src/runner/prepare';
import { providedModules } from '../src/runner/run';
import { isSampleStep } from '../src/runner/schedule';

type Method = (this: unknown, ...args: unknown[]) => unknown;

async function main(): Promise<void> {
  const [file, stepsText, backend] = process.argv.slice(2);
  const steps = Number(stepsText);
  await selectBackend(backend as 'auto');
  const definition = pickExperiment(loadExperiments(await compileExperiment(file), providedModules()), file);
  const { instance } = constructExperiment(definition, {});
  const method = (name: string) => (instance[name] as Method).bind(instance);
  if (typeof instance.setup === 'function') await method('setup')();
  const step = method('step');
  const observe = definition.observables.map((o) => ({ o, read: method(o.name) }));
  const start = performance.now();
  for (let t = 0; t < steps; t++) {
    const result = step(t);
    if (result instanceof Promise) await result;
    for (const { o, read } of observe) {
      if (isSampleStep(o, t + 1, steps)) tf.tidy(() => void readBack(read()));
    }
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ stepsPerSecond: steps / seconds }));
}

function readBack(value: unknown): unknown {
  return value instanceof tf.Tensor ? value.dataSync() : value;
}

void main();
