/**
 * Step replay: the training loop's step() run as a compiled program (program.ts) instead of through tfjs's
 * engine, when the step provably does the same thing every time. On the small models of theory experiments
 * the engine, not the arithmetic, is most of a step (deep linear d = 4: ~190 us a step, of which the kernels'
 * arithmetic is a few us), so this is what lets them run as fast as the numpy script a researcher would write.
 *
 * The same machinery replays observables that return a tensor (their value is read from the program).
 *
 * The rules, in order:
 * - Off when asked (`@experiment({ replay: false })`, LM_REPLAY=off), on a backend whose storage is not the CPU
 *   backend's, for runs of fewer than MIN_CALLS calls, when step() declares a parameter (it may read the step
 *   number) or is async.
 * - Step 0 is recorded (record.ts) and compiled; when it creates variables (an optimizer's slots on its first
 *   step) it counts as a warm-up and step 1 is the one recorded. When it only changes JavaScript state (a
 *   tf.layers model sets its built flag on its first call, a step adds a field it keeps), its program is
 *   provisional: the proof decides, and if step 1 does something else, step 1's own recording becomes the
 *   program, proved at step 2. A step that reads values back, draws random numbers, creates variables after
 *   that, changes JavaScript state other than integer counters (state.ts; counters advance on replayed calls
 *   too) or points a field at an object it did not compute is not replayable.
 * - The next step is the proof: the program runs, its results are kept, the variables are put back, the real
 *   step runs recorded, and both must agree: the two recordings' signatures exactly (other kernels, shapes,
 *   uploads or counters' steps mean the step is not the same every time), the values to 1e-4 of their scale.
 *   (Each recorded step costs several plain ones: the MLP's 3 ms step takes 10-18 ms recorded while its code
 *   is cold, so the recording and the proof are one step each, and a provisional program saves one.)
 * - From then on steps replay, and every `checkEvery` steps one real step runs recorded and its signature must
 *   still match; if it does not, replay stops for the rest of the run with a warning that says which step and
 *   why (the steps since the last check may have missed the change). `checkEvery` aims at checks taking ~5% of
 *   the time, between 20 and 1000 steps (at least 100 for the first, whose estimate rests on cold timings). The
 *   1000 wins on the smallest models: a check is a real step of code that replay keeps cold (1-5 ms on the
 *   deep linear d = 4 model in the runner, against ~3 us replayed), so there checks take a quarter to a third of the time;
 *   the bound on how many steps a change can go unseen is kept over the 5%.
 * - A step whose output would be written into storage some other tensor shares (a clone kept by the user) runs
 *   for real.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReplayInfo } from '../../store/manifest';
import type { BlasAddon } from '../native/addon';
import {
  compileProgram,
  currentTensor,
  fieldName,
  refresh,
  stepSignature,
  type CpuStorage,
  type Program,
  type Sources,
} from './program';
import { recordStep, type DataId, type Recording, type Values } from './record';
import { snapshotState, stateChange, type FieldSnapshot } from './state';

/** `LM_REPLAY=off` turns step replay off for every run (to compare against it, or to rule it out). */
export const REPLAY_ENV = 'LM_REPLAY';

const MIN_CHECK_EVERY = 20;
const MAX_CHECK_EVERY = 1000;
const FIRST_CHECK_EVERY = 100;
/**
 * Runs with fewer calls are not replayed: two of them are recorded (each slower than a plain call) before the
 * first replay, so a short run pays for the recording and keeps little of the gain (measured: the 6-step NTK
 * bench, 152 ms a step plain, 426 with replay).
 */
const MIN_CALLS = 30;
/** Largest share of the time the periodic checks may take. */
const CHECK_SHARE = 0.05;
/** Agreement between the replayed and the real step, relative to the largest magnitude of the values. */
const TOLERANCE = 1e-4;

type Call = (t: number) => unknown;
type Recorded = Recording & { sources: Sources };
type Phase = 'warmup' | 'record' | 'prove' | 'on' | 'off';

export interface ReplayOptions {
  enabled: boolean;
  /** How many calls the run will make (its steps, or an observable's samples). */
  calls: number;
  /** Called once when replay stops after it was on, with the reason. */
  warn: (message: string) => void;
}

/**
 * What is replayed: the training step (its effect is on variables and fields), or an observable (its effect is
 * also the tensor it returns, read from the program as numbers).
 */
export type Replayed = { kind: 'step' } | { kind: 'observable'; name: string };

export class Replayer {
  /** The first call is recorded too; one that creates variables (an optimizer's slots) is a warm-up. */
  private phase: Phase = 'warmup';
  private reason = '';
  private program?: Program;
  /** The program is of a first call that changed JavaScript state: the proof may replace it (see prove). */
  private provisional = false;
  private replayed = 0;
  private checkEvery = MIN_CHECK_EVERY;
  private sinceCheck = 0;
  private realMs = 0;
  private intervalStart = 0;
  private readonly label: string;
  private readonly calls: string;
  private readonly warn: (message: string) => void;
  /** The backend's storage, when replay can reach it (the backend does not change during a run). */
  private readonly storage = cpuStorage();

  constructor(
    private readonly instance: Record<string, unknown>,
    private readonly call: Call,
    private readonly what: Replayed,
    options: ReplayOptions,
  ) {
    this.warn = options.warn;
    this.label = what.kind === 'step' ? 'step()' : `observable '${what.name}'`;
    this.calls = what.kind === 'step' ? 'steps' : 'calls';
    const storage = this.storage;
    if (!options.enabled) this.stop('turned off for this experiment');
    else if (process.env[REPLAY_ENV] === 'off') this.stop(`turned off by ${REPLAY_ENV}=off`);
    else if (!storage)
      this.stop(`the ${tf.getBackend()} backend keeps tensors where replay cannot reach them`);
    else if (options.calls < MIN_CALLS) {
      this.stop(
        `only ${options.calls} ${this.calls} in this run: recording and proving would cost more than replay saves`,
      );
    } else if (what.kind === 'step' && call.length > 0) {
      this.stop('step() takes the step number, so it may differ from step to step');
    } else if (call.constructor.name === 'AsyncFunction') this.stop(`${this.label} is async`);
  }

  /**
   * One call (step t): for real, recorded, or replayed. Returns what the call returned when it ran, and for a
   * replayed observable its value as a number or number[].
   */
  run(t: number): unknown {
    switch (this.phase) {
      case 'off':
        return this.call.call(this.instance, t);
      case 'warmup':
      case 'record': {
        const { recording, result } = this.record(t);
        if (recording) this.compile(recording);
        return result;
      }
      case 'prove':
        return this.prove(t);
      case 'on': {
        if (++this.sinceCheck >= this.checkEvery) return this.check(t);
        const replayed = this.replay(t);
        return replayed === NOT_REPLAYED ? this.call.call(this.instance, t) : replayed;
      }
    }
  }

  get replaying(): boolean {
    return this.phase === 'on';
  }

  info(): ReplayInfo {
    const on = this.phase === 'on';
    return {
      on,
      reason: on
        ? `replayed, checked against a real call every ${this.checkEvery} ${this.calls}`
        : this.reason,
      replayed: this.replayed,
      ...(this.program && {
        operations: this.program.operationCount,
        nativeOperations: this.program.nativeOperations,
        calls: this.program.operations.length,
      }),
    };
  }

  dispose(): void {
    this.program?.dispose();
    this.program = undefined;
  }

  private stop(reason: string): void {
    this.phase = 'off';
    this.reason = `not replayed: ${reason}`;
    this.dispose();
  }

  /** One real call, recorded; no recording (and replay off) when it cannot be replayed. */
  private record(t: number): { recording?: Recorded; result: unknown } {
    const storage = this.storage!;
    const before = snapshotState(this.instance);
    const start = performance.now();
    const { recording, result } = recordStep(
      () => this.call.call(this.instance, t),
      (dataId) => storage.data.get(dataId).values as Values,
      this.label,
    );
    this.realMs = performance.now() - start;
    const after = snapshotState(this.instance);
    // The first call may set up what later calls use. Variables (an optimizer's slots): a warm-up, and the next
    // call is the one recorded and held to every rule. JavaScript state only (a built flag, a field it keeps):
    // the program is provisional, and the proof on the next call decides.
    const { problem: changed, counters } = stateChange(before, after, this.label);
    const first = this.phase === 'warmup';
    if (first && !recording.problem && recording.createdVariables) {
      this.phase = 'record';
      return { result };
    }
    const problem =
      recording.problem ??
      (recording.createdVariables ? `${this.label} creates a variable` : undefined) ??
      (first ? undefined : changed) ??
      this.resultProblem(result);
    if (problem) {
      this.stop(problem);
      return { result };
    }
    // A provisional program advances no counters: a first call's integer changes may be set-up too (a model's
    // count of its nodes); when the step does advance some, the proof's recording, with them, replaces it.
    const provisional = first && changed !== undefined;
    if (first) this.provisional = provisional;
    const found = {
      ...sources(recording, before.fields, after.fields),
      counters: provisional ? [] : counters,
    };
    if (this.what.kind === 'observable')
      found.result = {
        dataId: (result as tf.Tensor).dataId,
        shape: (result as tf.Tensor).shape,
        dtype: (result as tf.Tensor).dtype,
      };
    return { recording: { ...recording, sources: found }, result };
  }

  /** An observable is replayed only when it returns a scalar or 1-D tensor (numbers come from JavaScript). */
  private resultProblem(result: unknown): string | undefined {
    if (this.what.kind === 'step') return undefined;
    if (!(result instanceof tf.Tensor)) return `${this.label} returns ${typeof result}, not a tensor`;
    if (result.rank > 1 || result.dtype === 'string' || result.dtype === 'complex64') {
      return `${this.label} returns a ${result.dtype} tensor of rank ${result.rank}`;
    }
    return undefined;
  }

  private compile(recording: Recorded): void {
    try {
      this.program = compileProgram(recording, recording.sources, this.storage!, kernelFunc);
      this.phase = 'prove';
    } catch (error) {
      this.stop(message(error));
    }
  }

  /** The replayed call against the real one, from the same state: outputs must agree. */
  private prove(t: number): unknown {
    const program = this.program!;
    const storage = this.storage!;
    const targets = refresh(program, this.instance, storage);
    if (!targets) {
      this.stop(
        `${this.label} leaves its results in storage that other tensors share (tensors it made and did not ` +
          `dispose: wrap its body in tf.tidy)`,
      );
      return this.call.call(this.instance, t);
    }
    const saved = targets.map((values) => values.slice());
    const start = performance.now();
    try {
      this.execute(program, targets);
    } catch (error) {
      // The program failed before writing anything back (bindings and counters come last).
      this.stop(`the compiled program failed: ${message(error)}`);
      return this.call.call(this.instance, t);
    }
    const replayMs = performance.now() - start;
    for (const c of program.counters) (c.holder[c.key] as number) -= c.delta; // the real step advances them
    const replayed = targets.map((values) => values.slice());
    if (program.result !== undefined) replayed.push(program.slots[program.result].values!.slice());
    targets.forEach((values, i) => values.set(saved[i]));
    const { recording, result } = this.record(t);
    if (!recording) return result;
    try {
      const real = stepSignature(recording, recording.sources);
      if (real !== program.signature) {
        if (this.provisional) return this.replace(recording, result);
        this.stop(
          `${this.label} runs different kernels or uploads different values from one call to the next ` +
            `(${firstDifference(program.signature, real)})`,
        );
        return result;
      }
    } catch (error) {
      this.stop(message(error));
      return result;
    }
    const outputs = program.bindings.map((b) => ({
      what: describeTarget(b.target),
      values: storage.data.get(currentTensor(b.target, this.instance).dataId).values as Values,
    }));
    if (program.result !== undefined) {
      outputs.push({
        what: 'the value it returns',
        values: storage.data.get((result as tf.Tensor).dataId).values as Values,
      });
    }
    for (let i = 0; i < outputs.length; i++) {
      const gap = relativeGap(replayed[i], outputs[i].values, storage.native);
      if (!(gap <= TOLERANCE)) {
        if (this.provisional) return this.replace(recording, result);
        this.stop(
          `the replayed ${this.label} differs from the real one by ${gap.toExponential(2)} (relative) on ${outputs[i].what}`,
        );
        return result;
      }
    }
    // Both times are of cold code here (the first replay, an early real step): the first interval is at least
    // FIRST_CHECK_EVERY, and the next ones are measured.
    this.schedule(this.realMs, replayMs, FIRST_CHECK_EVERY);
    this.provisional = false;
    this.phase = 'on';
    return result;
  }

  /**
   * A provisional program that is not what the second call did (its first call set something up that changes
   * the kernels): the second call's recording, which passed every rule, becomes the program, proved next call.
   */
  private replace(recording: Recorded, result: unknown): unknown {
    this.provisional = false;
    this.dispose();
    this.compile(recording);
    return result;
  }

  /**
   * The interval between checks that keeps their cost under CHECK_SHARE of the time: a check (a real call,
   * recorded, and its signature) against the time per call since the last check (for the step, that includes
   * the observables), measured afresh at every check.
   */
  private schedule(checkMs: number, msPerCall: number, least = MIN_CHECK_EVERY): void {
    const every = checkMs / (CHECK_SHARE * Math.max(msPerCall, 1e-4));
    this.checkEvery = Math.round(Math.min(MAX_CHECK_EVERY, Math.max(least, every)));
    this.sinceCheck = 0;
    this.intervalStart = performance.now();
  }

  /** A periodic check: one real call, recorded, whose signature must still be the program's. */
  private check(t: number): unknown {
    const msPerCall = (performance.now() - this.intervalStart) / this.sinceCheck;
    const program = this.program!;
    const start = performance.now();
    const { recording, result } = this.record(t);
    if (!recording) {
      this.warnStopped(t);
      return result;
    }
    try {
      const signature = stepSignature(recording, recording.sources);
      this.schedule(performance.now() - start, msPerCall);
      if (signature !== program.signature) {
        this.stop(
          `${this.label} changed at step ${t + 1} (${firstDifference(program.signature, signature)})`,
        );
        this.warnStopped(t);
      }
    } catch (error) {
      this.stop(message(error));
      this.warnStopped(t);
    }
    return result;
  }

  private warnStopped(t: number): void {
    this.warn(
      `replay of ${this.label} stopped at step ${t + 1}: ${this.reason.replace(/^not replayed: /, '')}; the run ` +
        `goes on with real ${this.calls}, but up to ${this.checkEvery} ${this.calls} before were replayed and may have missed the change`,
    );
  }

  /**
   * One replayed call; NOT_REPLAYED when it has to run for real instead: an output's storage is shared, or the
   * state the program reads is gone (a variable or field disposed elsewhere), which stops replay for good.
   */
  private replay(t: number): unknown {
    const program = this.program!;
    let targets: Values[] | undefined;
    try {
      targets = refresh(program, this.instance, this.storage!);
    } catch (error) {
      this.stop(message(error));
      this.warn(
        `replay of ${this.label} stopped at step ${t + 1}: ${this.reason.replace(/^not replayed: /, '')}`,
      );
      return NOT_REPLAYED;
    }
    if (!targets) return NOT_REPLAYED;
    try {
      this.execute(program, targets);
    } catch (error) {
      this.stop(`the compiled program failed: ${message(error)}`);
      this.warn(
        `replay of ${this.label} stopped at step ${t + 1}: ${this.reason.replace(/^not replayed: /, '')}`,
      );
      return NOT_REPLAYED;
    }
    this.replayed++;
    if (program.result === undefined) return undefined;
    const slot = program.slots[program.result];
    const values = Array.from(slot.values!);
    return this.resultRank === 0 ? values[0] : values;
  }

  private get resultRank(): number {
    return this.program?.resultShape?.length ?? 0;
  }

  private execute(program: Program, targets: Values[]): void {
    for (const operation of program.operations) operation();
    const { bindings, slots, counters } = program;
    for (let i = 0; i < bindings.length; i++)
      if (!bindings[i].inPlace) targets[i].set(slots[bindings[i].slot].values as never);
    for (let i = 0; i < counters.length; i++)
      (counters[i].holder[counters[i].key] as number) += counters[i].delta;
  }
}

const NOT_REPLAYED = Symbol('not replayed');

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The backend's storage when it is the CPU backend's (cpu, blas), else undefined. */
function cpuStorage(): CpuStorage | undefined {
  const backend = tf.backend() as unknown as Partial<CpuStorage>;
  return backend.data && typeof backend.write === 'function' && typeof backend.disposeData === 'function'
    ? (backend as CpuStorage)
    : undefined;
}

function kernelFunc(kernel: string): tf.KernelFunc {
  const config = tf.getKernel(kernel, tf.getBackend());
  if (!config) throw new Error(`kernel ${kernel} is not registered for ${tf.getBackend()}`);
  return config.kernelFunc;
}

/** Where the step's inputs come from and which of its outputs the fields keep. */
function sources(recording: Recording, before: FieldSnapshot, after: FieldSnapshot): Sources {
  const variables = new Map<DataId, string>();
  for (const [name, dataId] of recording.before) variables.set(dataId, name);
  return { variables, fields: tensorFields(before), keptFields: tensorFields(after) };
}

function tensorFields(snapshot: FieldSnapshot): Map<DataId, { key: string; index?: number }> {
  const fields = new Map<DataId, { key: string; index?: number }>();
  for (const [key, value] of snapshot) {
    if (value instanceof tf.Tensor && !(value instanceof tf.Variable) && !value.isDisposed) {
      fields.set(value.dataId, { key });
    } else if (Array.isArray(value)) {
      value.forEach((v, index) => {
        if (v instanceof tf.Tensor && !(v instanceof tf.Variable) && !v.isDisposed)
          fields.set(v.dataId, { key, index });
      });
    }
  }
  return fields;
}

/**
 * max |a - b| / max |b| (NaN when either holds one). Float32 storage goes through the addon when there is one:
 * the proof compares every weight once per run, and a cold JavaScript loop over the MLP's 670k weights took
 * ~5 ms of it (the addon's one pass: 1.3 ms).
 */
function relativeGap(a: Values, b: Values, addon: BlasAddon | undefined): number {
  if (addon?.relativeGap && a instanceof Float32Array && b instanceof Float32Array && a.length === b.length)
    return addon.relativeGap(a, b);
  let scale = 0;
  let gap = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
  }
  return gap / Math.max(scale, 1e-30);
}

function describeTarget(target: Program['bindings'][number]['target']): string {
  return target.kind === 'variable' ? `variable '${target.name}'` : `this.${fieldName(target)}`;
}

function firstDifference(a: string, b: string): string {
  const [x, y] = [a.split('\n'), b.split('\n')];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `operation ${i + 1}: ${short(x[i])} then ${short(y[i])}`;
  }
  return 'same operations';
}

const short = (line: string | undefined) =>
  line === undefined ? 'nothing' : line.length > 120 ? `${line.slice(0, 117)}...` : line;
