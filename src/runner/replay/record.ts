/**
 * Recording one call of an experiment's step() (or an observable) at the level of tfjs's engine: every kernel it runs (name,
 * attributes, input and output storage), every tensor it creates from JavaScript values (an upload, such as
 * `tf.scalar(lr)` or the ones that seed a gradient), which variables it reassigns, and anything that would make
 * the step impossible to replay without running its JavaScript: a read-back to JavaScript, a variable created,
 * a random number drawn from Math.random. See replayer.ts for how recordings become a replayable program.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataType, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';

export type DataId = object;
export type Values = Float32Array | Int32Array | Uint8Array;

export interface RecordedTensor {
  dataId: DataId;
  shape: number[];
  dtype: DataType;
}

export interface RecordedKernel {
  kernel: string;
  attrs: NamedAttrMap;
  /**
   * Inputs by the kernel's input names, in the order the op passed them (undefined inputs left out); a list
   * input (AddN's, Concat's `tensors`) as one entry per element, named `tensors[0]`, `tensors[1]`...
   */
  inputs: [string, RecordedTensor][];
  /** The inputs were passed as a list, not a named map (tfjs's AddN). */
  listInputs: boolean;
  outputs: RecordedTensor[];
}

export interface Recording {
  kernels: RecordedKernel[];
  /** Tensors made from JavaScript values during the step, with a copy of those values. */
  uploads: Map<DataId, { values: Values; shape: number[]; dtype: DataType }>;
  /** Registered variables' storage before and after the step, by variable name. */
  before: Map<string, DataId>;
  after: Map<string, DataId>;
  /** Why this step cannot be replayed, if it cannot (the first reason seen), variables created aside. */
  problem?: string;
  /** Whether the call created variables (as optimizers do on their first step: then it is a warm-up). */
  createdVariables: boolean;
}

/** The engine's entry points that recording wraps (tfjs-core's Engine; its type does not export them all). */
interface Engine {
  runKernel(kernel: string, inputs: Record<string, Tensor>, attrs?: NamedAttrMap): Tensor | Tensor[];
  makeTensor(values: unknown, shape: number[], dtype: DataType, backend?: unknown): Tensor;
  makeVariable(...args: unknown[]): tf.Variable;
  readSync(dataId: DataId): unknown;
  read(dataId: DataId): Promise<unknown>;
  state: { registeredVariables: Record<string, tf.Variable> };
}

const WRAPPED = ['runKernel', 'makeTensor', 'makeVariable', 'readSync', 'read'] as const;

export function engine(): Engine {
  return tf.engine() as unknown as Engine;
}

export function variableStorage(): Map<string, DataId> {
  const variables = engine().state.registeredVariables;
  return new Map(Object.keys(variables).map((name) => [name, variables[name].dataId]));
}

/**
 * Calls `run` (one step; `label` names it in problems, e.g. "step()") with the engine's entry points wrapped, and returns what it did. The wrappers are
 * removed before returning, whatever happens, so steps that are not recorded pay nothing for this.
 */
export function recordStep(
  run: () => unknown,
  backendValues: (dataId: DataId) => Values,
  label: string,
): { recording: Recording; result: unknown } {
  const e = engine();
  for (const name of WRAPPED) {
    if (Object.prototype.hasOwnProperty.call(e, name)) throw new Error(`engine.${name} is already wrapped`);
  }
  const recording: Recording = {
    kernels: [],
    uploads: new Map(),
    before: variableStorage(),
    after: new Map(),
    createdVariables: false,
  };
  const refuse = (problem: string) => (recording.problem ??= problem);
  const saved = {
    runKernel: e.runKernel,
    makeTensor: e.makeTensor,
    makeVariable: e.makeVariable,
    readSync: e.readSync,
    read: e.read,
    random: Math.random,
  };
  let depth = 0;
  e.runKernel = function (kernel, inputs, attrs) {
    depth++;
    let result: Tensor | Tensor[];
    try {
      result = saved.runKernel.call(this, kernel, inputs, attrs);
    } finally {
      depth--;
    }
    if (depth === 0) {
      recording.kernels.push({
        kernel,
        attrs: attrs ?? {},
        listInputs: Array.isArray(inputs),
        inputs: Object.entries(inputs).flatMap(([name, t]: [string, Tensor | Tensor[] | undefined]) =>
          t == null
            ? []
            : Array.isArray(t)
              ? t.map((u, i): [string, RecordedTensor] => [`${name}[${i}]`, describe(u)])
              : [[name, describe(t)] as [string, RecordedTensor]],
        ),
        outputs: (Array.isArray(result) ? result : [result]).map(describe),
      });
    }
    return result;
  };
  e.makeTensor = function (values, shape, dtype, backend) {
    const t = saved.makeTensor.call(this, values, shape, dtype, backend);
    if (depth === 0) {
      if (t.dtype === 'string' || t.dtype === 'complex64') refuse(`${label} makes a ${t.dtype} tensor`);
      else
        recording.uploads.set(t.dataId, {
          values: backendValues(t.dataId).slice(),
          shape: t.shape,
          dtype: t.dtype,
        });
    }
    return t;
  };
  e.makeVariable = function (...args) {
    recording.createdVariables = true;
    return saved.makeVariable.apply(this, args);
  };
  e.readSync = function (dataId) {
    if (depth === 0) refuse(`${label} reads tensor values back to JavaScript (dataSync, arraySync)`);
    return saved.readSync.call(this, dataId);
  };
  e.read = function (dataId) {
    if (depth === 0) refuse(`${label} reads tensor values back to JavaScript (data, array)`);
    return saved.read.call(this, dataId);
  };
  Math.random = () => {
    refuse(`${label} draws random numbers (Math.random, or a tfjs random op without a seed)`);
    return saved.random();
  };
  let result: unknown;
  try {
    result = run();
    if (result !== undefined && typeof (result as PromiseLike<unknown>).then === 'function') {
      refuse(`${label} is asynchronous`);
    }
  } finally {
    // The wrappers are own properties of the engine, shadowing its prototype's methods: delete them.
    for (const name of WRAPPED) delete (e as unknown as Record<string, unknown>)[name];
    Math.random = saved.random;
  }
  recording.after = variableStorage();
  return { recording, result };
}

function describe(t: TensorInfo): RecordedTensor {
  return { dataId: t.dataId, shape: t.shape.slice(), dtype: t.dtype };
}
