import type { ExperimentDefinition } from '../sdk/definition';
import type { RunError, StepReplayInfo } from '../store/manifest';
import { runErrorFrom } from './errors';
import { readNow } from './observe';
import { predictAt, predictCurve } from './predict';
import { Divergence, type Recorder } from './recorder';
import { Replayer } from './replay/replayer';
import { isSampleStep, nextSampleStep, sampleSteps } from './schedule';
import type { SampleSink } from './sink';

export interface Trial {
  definition: ExperimentDefinition;
  instance: Record<string, unknown>;
  steps: number;
}

export interface LoopControl {
  stopRequested(): boolean;
  /** Called once per yield with the completed steps, to watch for tensor leaks. */
  checkLeaks(step: number): void;
  /** Warnings for the user (step replay stopping), written where the leak watch writes. */
  warn(message: string): void;
  progress(step: number, stepsPerSecond: number | null, replaying: boolean): void;
  /** How often the loop yields to the event loop (to receive `stop`) and flushes samples, in ms. */
  yieldMs: number;
}

export interface LoopOutcome {
  status: 'completed' | 'failed' | 'cancelled' | 'diverged';
  error: RunError | null;
  /** Completed steps. */
  step: number;
  stepsPerSecond: number | null;
  /** What step replay did; undefined when the loop failed before its first step. */
  replay?: StepReplayInfo;
}

type Call = (...args: unknown[]) => unknown;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/**
 * Runs `setup`, then `steps` calls of `step(t)`, sampling observables on their schedule and evaluating
 * predictions next to them. Throughput is measured from the first step to the last, observables included.
 * Never throws: an exception becomes a failed outcome, a non-finite loss a diverged one.
 */
export async function trainLoop(
  trial: Trial,
  recorder: Recorder,
  sink: SampleSink,
  control: LoopControl,
): Promise<LoopOutcome> {
  const { instance, steps, definition } = trial;
  const call = (name: string, ...args: unknown[]) => (instance[name] as Call).call(instance, ...args);
  let done = 0;
  let replayer: Replayer | undefined;
  const enabled = definition.options.replay !== false;
  const observers = new Map(
    definition.observables.map((o) => [
      o.name,
      new Replayer(
        instance,
        instance[o.name] as Call,
        { kind: 'observable', name: o.name },
        { enabled, warn: control.warn, calls: sampleSteps(o, steps).length },
      ),
    ]),
  );
  let first: number | undefined;
  let last: number | undefined;
  const rate = () =>
    first !== undefined && last !== undefined && last > first ? (done / (last - first)) * 1000 : null;
  const outcome = (status: LoopOutcome['status'], error: RunError | null = null): LoopOutcome => ({
    status,
    error,
    step: done,
    stepsPerSecond: rate(),
    ...(replayer && {
      replay: {
        ...replayer.info(),
        observables: Object.fromEntries([...observers].map(([name, o]) => [name, o.info()])),
      },
    }),
  });
  try {
    if (typeof instance.setup === 'function') await call('setup');
    await sample(trial, recorder, 0, observers);
    for (const p of definition.predictions.filter((p) => p.curve)) {
      const o = definition.observables.find((o) => o.name === p.observable)!;
      const planned = sampleSteps(o, steps);
      predictCurve(instance, p, planned).forEach((point, i) => recorder.predict(p, planned[i], point));
    }
    // The predicted curves go out now, so the chart draws them before training starts; left waiting, they
    // would fill the first batch and flush inside the loop (with a 4000-step deep linear run's 2000 points:
    // 4-8 ms, measured, of a 50-90 ms loop).
    sink.flush();
    replayer = new Replayer(
      instance,
      instance.step as Call,
      { kind: 'step' },
      { enabled, warn: control.warn, calls: steps },
    );
    let nextSample = nextSampleStep(definition.observables, 0, steps);
    let lastYield = performance.now();
    first = performance.now();
    for (let t = 0; t < steps; t++) {
      const result = replayer.run(t);
      if (result !== undefined && isThenable(result)) await result;
      done = t + 1;
      if (done === nextSample) {
        const sampled = sample(trial, recorder, done, observers);
        if (sampled) await sampled;
        nextSample = nextSampleStep(definition.observables, done, steps);
      }
      last = performance.now();
      if (last - lastYield >= control.yieldMs) {
        sink.tick(last);
        control.progress(done, rate(), replayer.replaying);
        control.checkLeaks(done);
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        if (control.stopRequested()) return outcome('cancelled');
      }
    }
    return outcome('completed');
  } catch (error) {
    if (error instanceof Divergence) return outcome('diverged', { message: error.message, step: error.step });
    return outcome('failed', runErrorFrom(error));
  } finally {
    replayer?.dispose();
    for (const o of observers.values()) o.dispose();
  }
}

/**
 * Samples the observables due at `step` (from the `from`-th on), synchronously while every reading is (the
 * usual case, and a replayed observable's), and returns a promise only once one is not or a prediction is to
 * be evaluated at this step: the loop then awaits it.
 */
function sample(
  trial: Trial,
  recorder: Recorder,
  step: number,
  observers: Map<string, Replayer>,
  from = 0,
): Promise<void> | undefined {
  const { definition, instance, steps } = trial;
  const observables = definition.observables;
  for (let i = from; i < observables.length; i++) {
    const o = observables[i];
    if (!isSampleStep(o, step, steps)) continue;
    const reading = readNow(() => observers.get(o.name)!.run(step), `observable '${o.name}'`);
    const pointwise = definition.predictions.filter((p) => p.observable === o.name && !p.curve);
    if (!(reading instanceof Promise) && pointwise.length === 0) {
      recorder.observe(o, step, reading);
      continue;
    }
    return (async () => {
      recorder.observe(o, step, await reading);
      for (const p of pointwise) recorder.predict(p, step, await predictAt(instance, p, step));
      await sample(trial, recorder, step, observers, i + 1);
    })();
  }
  return undefined;
}
