import type { ExperimentDefinition } from '../sdk/definition';
import type { RunError, StepReplayInfo } from '../store/manifest';
import { runErrorFrom } from './errors';
import { readValue } from './observe';
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
        await sample(trial, recorder, done, observers);
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

async function sample(
  trial: Trial,
  recorder: Recorder,
  step: number,
  observers: Map<string, Replayer>,
): Promise<void> {
  const { definition, instance, steps } = trial;
  for (const o of definition.observables) {
    if (!isSampleStep(o, step, steps)) continue;
    const reading = await readValue(() => observers.get(o.name)!.run(step), `observable '${o.name}'`);
    recorder.observe(o, step, reading);
    for (const p of definition.predictions) {
      if (p.observable === o.name && !p.curve) recorder.predict(p, step, await predictAt(instance, p, step));
    }
  }
}
