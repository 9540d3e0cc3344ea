import { z } from 'zod';
import { PredictionScore } from '../protocol/score';

/** Bumped whenever a manifest field changes meaning; readers refuse newer versions with a clear error. */
export const MANIFEST_SCHEMA_VERSION = 1;

export const RunStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'diverged']);
export type RunStatus = z.infer<typeof RunStatus>;

export const ParamValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.number())]);
export type ParamValue = z.infer<typeof ParamValue>;

/** Where in the user's file an error happened, mapped back through the source map. */
export const SourceLocation = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
});
export type SourceLocation = z.infer<typeof SourceLocation>;

export const RunError = z.object({
  message: z.string(),
  stack: z.string().optional(),
  location: SourceLocation.optional(),
  /** For a diverged run: the step whose loss (or other observable) was not finite. */
  step: z.number().int().optional(),
});
export type RunError = z.infer<typeof RunError>;

export const BackendInfo = z.object({
  name: z.string(),
  tfjsVersion: z.string(),
  /** Why this backend: `requested` or the fallback chain that was tried (e.g. "tensorflow: not installed"). */
  reason: z.string(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

/** Whether the loop replayed a call (step() or an observable) as a compiled program (src/runner/replay/), and why (not). */
export const ReplayInfo = z.object({
  on: z.boolean(),
  reason: z.string(),
  /** Calls replayed (steps, for step()). */
  replayed: z.number().int().nonnegative(),
  /** The program's size: operations in all, and how many of them skip tfjs's kernels for direct loops or addon calls. */
  operations: z.number().int().nonnegative().optional(),
  nativeOperations: z.number().int().nonnegative().optional(),
  /** Calls per replay: runs of small native operations go to the addon as one program call each. */
  calls: z.number().int().nonnegative().optional(),
});
export type ReplayInfo = z.infer<typeof ReplayInfo>;

export const StepReplayInfo = ReplayInfo.extend({ observables: z.record(z.string(), ReplayInfo) });
export type StepReplayInfo = z.infer<typeof StepReplayInfo>;

export const ObservableInfo = z.object({
  name: z.string(),
  every: z.number().int().positive().nullable(),
  atEnd: z.boolean(),
});

export const PredictionInfo = z.object({
  name: z.string(),
  observable: z.string(),
  score: z.string(),
  tolerance: z.number(),
});

export const SweepTag = z.object({ id: z.string(), index: z.number().int().nonnegative() });
export type SweepTag = z.infer<typeof SweepTag>;

export const Manifest = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  id: z.string(),
  experiment: z.string(),
  title: z.string(),
  file: z.string(),
  /** sha256 of the experiment file's text when the run started. */
  contentHash: z.string(),
  params: z.record(z.string(), ParamValue),
  seed: z.number(),
  steps: z.number().int().nonnegative(),
  backend: BackendInfo,
  observables: z.array(ObservableInfo),
  predictions: z.array(PredictionInfo),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: RunStatus,
  error: RunError.nullable(),
  /** The last step that completed. */
  step: z.number().int().nonnegative(),
  /** Training-loop throughput, first step to last, observables included; null before the first step. */
  stepsPerSecond: z.number().nullable(),
  agreement: z.array(PredictionScore),
  /** The process that writes the run, so a reader can tell a live run from one whose writer died. */
  writer: z.object({ pid: z.number().int(), hostname: z.string() }),
  /** Step replay, once the loop has decided (absent in runs from before it existed, and before step 4). */
  replay: StepReplayInfo.optional(),
  /** The sweep this run is a point of (src/sweep/), absent for a run on its own. */
  sweep: SweepTag.optional(),
});
export type Manifest = z.infer<typeof Manifest>;
