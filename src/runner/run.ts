import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DescribeRequest, RunnerMessage } from '../protocol/runner';
import { StartRequest } from '../protocol/runner';
import type { z } from 'zod';
import * as sdk from '../sdk/index';
import * as observables from '../sdk/observables';
import * as theory from '../sdk/theory';
import { initialManifest } from '../store/initialManifest';
import { createRun } from '../store/runWriter';
import { selectBackend, tfjsModules } from './backend';
import { compileExperiment, CompileError } from './compile';
import { userLocation } from './errors';
import { LeakWatch } from './leakWatch';
import { loadExperiments } from './load';
import { trainLoop } from './loop';
import { constructExperiment, InputError, pickExperiment } from './prepare';
import { Recorder } from './recorder';
import { SampleSink } from './sink';

type Start = z.output<typeof StartRequest>;

/** How often a running run's manifest records its progress, for readers such as `lm ls`. */
const MANIFEST_EVERY_MS = 1000;
type Send = (message: RunnerMessage) => void;

/** Modules an experiment imports from the runner, so a file in any folder runs without an install. */
export function providedModules(): Record<string, unknown> {
  return {
    'learning-mechanics': sdk,
    'learning-mechanics/theory': theory,
    'learning-mechanics/observables': observables,
    ...tfjsModules(),
  };
}

/**
 * Carries out one `start` request: compile, pick the backend, load and construct the experiment, create
 * the run in the store, train, score, and close. Problems before the run exists are sent as `rejected`.
 */
export async function runRequest(request: Start, send: Send, stopRequested: () => boolean): Promise<void> {
  const file = path.resolve(request.file);
  let prepared;
  try {
    prepared = await prepare(request, file);
  } catch (error) {
    send({ type: 'rejected', rejection: rejectionOf(error) });
    return;
  }
  const { definition, constructed, backend, text } = prepared;
  const steps = request.steps ?? definition.options.steps;
  const writer = createRun(
    request.runsDir,
    initialManifest({
      experiment: definition.name,
      title: definition.options.title ?? definition.name,
      file,
      contentHash: createHash('sha256').update(text).digest('hex'),
      params: constructed.params,
      seed: constructed.seed,
      steps,
      backend,
      observables: definition.observables.map(({ name, every, atEnd }) => ({ name, every, atEnd })),
      predictions: definition.predictions.map(({ name, observable, score, tolerance }) => ({
        name,
        observable,
        score,
        tolerance,
      })),
      ...(request.sweep && { sweep: request.sweep }),
    }),
  );
  send({ type: 'started', manifest: writer.manifest, runDir: writer.dir });
  const sink = new SampleSink(writer, send, request.batchMs, request.batchSize);
  const origin = performance.now();
  const recorder = new Recorder(sink, definition.predictions, () => (performance.now() - origin) / 1000);
  let lastManifest = performance.now();
  const manifestDue = () => {
    const now = performance.now();
    if (now - lastManifest < MANIFEST_EVERY_MS) return false;
    lastManifest = now;
    return true;
  };
  const leaks = new LeakWatch((message) => process.stderr.write(`warning: ${message}\n`));
  const outcome = await trainLoop({ definition, instance: constructed.instance, steps }, recorder, sink, {
    stopRequested,
    checkLeaks: (step) => leaks.check(step),
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    yieldMs: request.batchMs,
    progress: (step, stepsPerSecond, replaying) => {
      if (manifestDue()) writer.updateManifest({ step, stepsPerSecond });
      send({ type: 'progress', step, steps, stepsPerSecond, replaying });
    },
  });
  sink.flush();
  const agreement = recorder.score();
  writer.updateManifest({ ...outcome, agreement, endedAt: new Date().toISOString() });
  writer.close();
  send({ type: 'finished', ...outcome, agreement });
}

/**
 * Carries out a `describe` request: compile and load the file on the CPU backend (nothing is constructed, no
 * run is created) and send what each experiment declares, or `rejected`.
 */
export async function describeRequest(request: DescribeRequest, send: Send): Promise<void> {
  try {
    const file = path.resolve(request.file);
    readExperimentFile(file);
    const compiled = await compileExperiment(file);
    await selectBackend('cpu');
    const experiments = loadExperiments(compiled, providedModules()).map((d) => ({
      name: d.name,
      title: d.options.title ?? d.name,
      steps: d.options.steps,
      params: d.params,
      observables: d.observables.map((o) => o.name),
      sweeps: d.sweeps.map(({ name, options }) => ({ name, options })),
    }));
    send({ type: 'described', experiments });
  } catch (error) {
    send({ type: 'rejected', rejection: rejectionOf(error) });
  }
}

async function prepare(request: Start, file: string) {
  const text = readExperimentFile(file);
  const compiled = await compileExperiment(file);
  const backend = await selectBackend(request.backend);
  const definitions = loadExperiments(compiled, providedModules());
  const definition = pickExperiment(definitions, request.file, request.experiment);
  if (typeof definition.ctor.prototype.step !== 'function') {
    throw new InputError(
      `${definition.name} has no step(t) method; the runner calls it once per training step`,
    );
  }
  const constructed = constructExperiment(definition, request.overrides, request.seed);
  return { definition, constructed, backend, text };
}

function readExperimentFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read experiment file ${file}: ${(error as Error).message}`);
  }
}

function rejectionOf(error: unknown) {
  if (error instanceof CompileError) {
    return {
      kind: 'compile' as const,
      message: error.message,
      ...(error.location && { location: error.location }),
    };
  }
  if (error instanceof InputError) return { kind: 'input' as const, message: error.message };
  const location = error instanceof Error ? userLocation(error.stack) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const where = location ? `${location.file}:${location.line}:${location.column}: ` : '';
  return { kind: 'load' as const, message: `${where}${message}`, ...(location && { location }) };
}
