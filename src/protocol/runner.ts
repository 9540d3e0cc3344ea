import { z } from 'zod';
import { PredictionScore } from './score';
import { BackendInfo, Manifest, RunError, SourceLocation, SweepTag } from '../store/manifest';

/**
 * The messages between a host (the `lm` CLI or the VS Code extension) and a runner child process.
 * The runner speaks first (`ready`, with its protocol version); the host answers `start`; the runner
 * streams `started`, then `samples` batches and `progress`, and ends with exactly one `finished`
 * (or `rejected` when the run could not begin). The host may send `stop` at any time.
 */
export const PROTOCOL_VERSION = 1;

export const BackendChoice = z.enum(['auto', 'tensorflow', 'blas', 'wasm', 'cpu']);
export type BackendChoice = z.infer<typeof BackendChoice>;

export const StartRequest = z.object({
  type: z.literal('start'),
  file: z.string(),
  experiment: z.string().optional(),
  overrides: z.record(z.string(), z.unknown()),
  steps: z.number().int().nonnegative().optional(),
  seed: z.number().int().optional(),
  backend: BackendChoice,
  runsDir: z.string(),
  /** Longest time samples wait in the runner before they are sent and flushed, in ms. */
  batchMs: z.number().positive().default(100),
  /** Most samples in one batch. */
  batchSize: z.number().int().positive().default(2000),
  /** Set when the run is a point of a sweep; recorded in its manifest. */
  sweep: SweepTag.optional(),
});
export type StartRequest = z.input<typeof StartRequest>;

/** Instead of `start`: compile and load the file and say what it declares (`described`), then exit. */
export const DescribeRequest = z.object({ type: z.literal('describe'), file: z.string() });
export type DescribeRequest = z.infer<typeof DescribeRequest>;

export const HostMessage = z.discriminatedUnion('type', [
  StartRequest,
  DescribeRequest,
  z.object({ type: z.literal('stop') }),
]);
export type HostMessage = z.input<typeof HostMessage>;

/** Why a run could not begin: the file did not compile, or the input (experiment name, parameters) is bad. */
export const Rejection = z.object({
  kind: z.enum(['compile', 'input', 'load', 'protocol']),
  message: z.string(),
  location: SourceLocation.optional(),
});
export type Rejection = z.infer<typeof Rejection>;

/** Any number, NaN and infinities included (zod's number() refuses them, but observables may produce them). */
const AnyNumber = z.custom<number>((v) => typeof v === 'number', 'expected a number');

/** One experiment of a described file: its name, parameters, observables and sweeps (options unchecked). */
export const DescribedExperiment = z.object({
  name: z.string(),
  title: z.string(),
  steps: z.number().int(),
  params: z.array(z.string()),
  observables: z.array(z.string()),
  sweeps: z.array(z.object({ name: z.string(), options: z.unknown() })),
});
export type DescribedExperiment = z.infer<typeof DescribedExperiment>;

export const RunnerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('described'), experiments: z.array(DescribedExperiment) }),
  z.object({ type: z.literal('ready'), protocolVersion: z.number().int(), pid: z.number().int() }),
  z.object({ type: z.literal('rejected'), rejection: Rejection }),
  z.object({ type: z.literal('started'), manifest: Manifest, runDir: z.string() }),
  z.object({
    type: z.literal('samples'),
    /** Columnar batch: sample i is (series[i], step[i], value[i], wall[i]). */
    series: z.array(z.string()),
    step: z.array(z.number()),
    value: z.array(AnyNumber),
    wall: z.array(z.number()),
  }),
  z.object({
    type: z.literal('progress'),
    step: z.number().int(),
    steps: z.number().int(),
    stepsPerSecond: z.number().nullable(),
    /** Whether step() is being replayed as a compiled program (src/runner/replay/). */
    replaying: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('finished'),
    status: z.enum(['completed', 'failed', 'cancelled', 'diverged']),
    error: RunError.nullable(),
    step: z.number().int(),
    stepsPerSecond: z.number().nullable(),
    agreement: z.array(PredictionScore),
  }),
]);
export type RunnerMessage = z.infer<typeof RunnerMessage>;
export type RunnerMessageOf<T extends RunnerMessage['type']> = Extract<RunnerMessage, { type: T }>;

export type { BackendInfo };

/** Exhaustiveness check for switches over message unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
