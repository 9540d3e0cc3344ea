/**
 * A recorded step (record.ts) compiled into a program that repeats it without tfjs's engine: a table of slots
 * (the step's variables and tensor fields, read in place; constants copied once; one fixed buffer per
 * intermediate) and a list of operations on them, each a direct call into the native addon where emit.ts has
 * one, or else the backend's own kernel function run on the slots. Its signature is a text that two recordings
 * share exactly when they ran the same kernels, with the same attributes and shapes, on the same inputs and
 * uploads, and bound the same outputs: the test for "this step does the same thing every time".
 */
import * as tf from '@tensorflow/tfjs';
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BlasAddon } from '../native/addon';
import { BINARY_OPS, UNARY_OPS } from '../native/kernels/elementwise';
import { nativeOperation } from './emit';
import type { Counter } from './state';
import {
  engine,
  type DataId,
  type RecordedKernel,
  type RecordedTensor,
  type Recording,
  type Values,
} from './record';

/** Where a slot's values live. */
export type SlotSource =
  | { kind: 'variable'; name: string }
  /** A tensor in a field of the experiment (`this[key]`, or `this[key][index]`). */
  | { kind: 'field'; key: string; index?: number }
  | { kind: 'constant' }
  | { kind: 'temp' };

export interface Slot {
  source: SlotSource;
  dtype: DataType;
  size: number;
  /** Constants and temps: their own storage, registered with the backend as `dataId`. */
  values?: Values;
  dataId?: DataId;
  /** Variables and fields: their storage's reference count at the last refresh. */
  refCount?: number;
}

/** Tensor storage as the CPU and blas backends keep it. */
export interface CpuStorage {
  data: { get(dataId: DataId): { values: unknown; refCount: number }; has(dataId: DataId): boolean };
  write(values: Values, shape: number[], dtype: DataType): DataId;
  disposeData(dataId: DataId, force?: boolean): boolean;
  native?: BlasAddon;
  /** The blas backend's pooled output buffers (native/bufferPool.ts): warm memory the real steps released. */
  alloc?(length: number): Float32Array;
}

/** What the step leaves behind: a variable or a field bound to the slot holding its new value. */
export interface Binding {
  target: Exclude<SlotSource, { kind: 'constant' } | { kind: 'temp' }>;
  slot: number;
  /** The slot is the target's own: the operation that computes it writes straight into the target's storage. */
  inPlace: boolean;
}

export interface Program {
  signature: string;
  slots: Slot[];
  operations: (() => void)[];
  bindings: Binding[];
  /** The slot holding the returned tensor's values, when the call returns one, and its shape. */
  result?: number;
  resultShape?: number[];
  /** The variable and field slots, in slot order (refresh points them at their current storage). */
  sources: Slot[];
  /** The float32 ones among them, and their current storage (refresh sets it). */
  live: Slot[];
  liveValues: Float32Array[];
  /** Counters a replay advances, as the real call did. */
  counters: Counter[];
  /** Operations per replay (kernels, not counting views and constants), several per call when grouped. */
  operationCount: number;
  /** How many operations call the addon directly (the rest run a kernel function). */
  nativeOperations: number;
  /** Frees the storage the program registered with the backend. */
  dispose(): void;
}

/** Where the values of a dataId the step did not produce come from, looked up before the step ran. */
export interface Sources {
  /** Variables' storage before the step, by dataId. */
  variables: Map<DataId, string>;
  /** Tensor fields of the experiment before the step, by dataId. */
  fields: Map<DataId, { key: string; index?: number }>;
  /** Tensor fields after the step, by dataId (outputs the step kept). */
  keptFields: Map<DataId, { key: string; index?: number }>;
  /** The tensor the call returned, for an observable whose value is read from the program. */
  result?: RecordedTensor;
  /** Integers the call advanced by a fixed amount (state.ts). */
  counters?: Counter[];
}

/** A stable number per external constant's storage, so that two recordings name the same tensor alike. */
const constantIds = new WeakMap<DataId, number>();
let nextConstantId = 0;

/**
 * Compiles a recording. Throws an Error whose message says why the step cannot be replayed (an operation
 * whose output aliases only some of its inputs, a variable left bound to an upload...).
 */
export function compileProgram(
  recording: Recording,
  sources: Sources,
  storage: CpuStorage,
  kernelFunc: (kernel: string) => KernelFunc,
): Program {
  return translate(recording, sources, { storage, kernelFunc });
}

/** The signature alone: what a periodic check compares, without allocating or running anything. */
export function stepSignature(recording: Recording, sources: Sources): string {
  return translate(recording, sources, undefined).signature;
}

function translate(
  recording: Recording,
  sources: Sources,
  build: { storage: CpuStorage; kernelFunc: (kernel: string) => KernelFunc } | undefined,
): Program {
  const slots: Slot[] = [];
  /** The slot of each storage, under the dtype it was first seen with; other dtypes of it in `retyped`. */
  const slotOf = new Map<DataId, number>();
  const retyped = new Map<DataId, Map<DataType, number>>();
  const find = (dataId: DataId, dtype: DataType): number | undefined => {
    const slot = slotOf.get(dataId);
    return slot !== undefined && slots[slot].dtype === dtype ? slot : retyped.get(dataId)?.get(dtype);
  };
  const lines: string[] = [];
  const registered: DataId[] = [];
  /** Slots whose values do not depend on the variables or fields: computed once, here. */
  const fixed = new Set<number>();

  const ownStorage = (dtype: DataType, size: number, shape: number[], values?: () => Values) => {
    if (!build) return {};
    // A float32 tensor's storage is not always a Float32Array (a cast from int32 may keep an Int32Array).
    const own = values ? copyAs(dtype, values()) : allocate(dtype, size, build.storage);
    const dataId = build.storage.write(own, shape, dtype);
    registered.push(dataId);
    return { values: own, dataId };
  };

  const input = (t: RecordedTensor): { slot: number; key: string } => {
    const known = find(t.dataId, t.dtype);
    if (known !== undefined) return { slot: known, key: `#${known}` };
    if (slotOf.has(t.dataId))
      throw new Error(`a tensor's storage is read as ${t.dtype} without a kernel that makes it so`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    const add = (slot: Slot, key: string) => {
      slotOf.set(t.dataId, slots.length);
      slots.push(slot);
      return { slot: slots.length - 1, key: `#${slots.length - 1}=${key}` };
    };
    const variable = sources.variables.get(t.dataId);
    if (variable !== undefined)
      return add({ source: { kind: 'variable', name: variable }, dtype: t.dtype, size }, `v:${variable}`);
    const field = sources.fields.get(t.dataId);
    if (field !== undefined) {
      return add({ source: { kind: 'field', ...field }, dtype: t.dtype, size }, `f:${fieldName(field)}`);
    }
    const upload = recording.uploads.get(t.dataId);
    const values = () => upload?.values ?? (build!.storage.data.get(t.dataId).values as Values);
    const slot = add(
      { source: { kind: 'constant' }, dtype: t.dtype, size, ...ownStorage(t.dtype, size, t.shape, values) },
      '',
    );
    fixed.add(slot.slot);
    if (upload) return { slot: slot.slot, key: `${slot.key}u:${t.dtype}:${hashValues(upload.values)}` };
    let id = constantIds.get(t.dataId);
    if (id === undefined) constantIds.set(t.dataId, (id = nextConstantId++));
    return { slot: slot.slot, key: `${slot.key}c:${id}` };
  };

  const inPlace = inPlaceOutputs(recording, sources);

  /** Operations in order; those with `words` can run inside a native program (emit.ts). */
  const steps: { run: () => void; words?: number[]; alpha?: number }[] = [];
  let nativeOperations = 0;
  for (const k of recording.kernels) {
    const inputs = k.inputs.map(([name, t]) => ({ name, tensor: t, ...input(t) }));
    const aliased = k.outputs.map((o) => find(o.dataId, o.dtype));
    const shapes = (ts: RecordedTensor[]) => ts.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ');
    const head =
      `${k.kernel} ${JSON.stringify(k.attrs)} (${inputs.map((i) => `${i.name}=${i.key}`).join(' ')}) ` +
      `${shapes(inputs.map((i) => i.tensor))} ->`;
    if (aliased.every((a) => a !== undefined)) {
      // A view of an input (Identity, Reshape): the same storage under another shape, nothing to run.
      lines.push(`${head} alias ${aliased.join(',')}`);
      continue;
    }
    const [o] = k.outputs;
    const from = slotOf.get(o.dataId);
    if (k.outputs.length === 1 && from !== undefined) {
      // An input's storage under another dtype (Cast from int32 to float32 keeps the Int32Array): a converted
      // copy, since the native operations need float32 storage.
      const slot = slots.length;
      slots.push({
        source: { kind: 'temp' },
        dtype: o.dtype,
        size: slots[from].size,
        ...ownStorage(o.dtype, slots[from].size, o.shape),
      });
      retyped.set(o.dataId, new Map([...(retyped.get(o.dataId) ?? []), [o.dtype, slot]]));
      lines.push(`${head} retype ${from} -> ${slot}`);
      const [source, target] = [slots[from], slots[slot]];
      const convert = () => (target.values as Float32Array).set(source.values as Float32Array);
      if (fixed.has(from)) {
        fixed.add(slot);
        if (build) convert();
      } else if (build) {
        steps.push({ run: convert });
      }
      continue;
    }
    if (aliased.some((a) => a !== undefined) || k.outputs.some((out) => slotOf.has(out.dataId))) {
      throw new Error(`kernel ${k.kernel} returns some of its inputs' storage and some new`);
    }
    const constant = inputs.every((i) => fixed.has(i.slot));
    const outputs = k.outputs.map((o) => {
      const own = constant ? undefined : inPlace.get(o.dataId);
      const ownSlot = own && find(own, 'float32');
      if (ownSlot !== undefined) {
        slotOf.set(o.dataId, ownSlot);
        return slots[ownSlot];
      }
      inPlace.delete(o.dataId);
      const size = o.shape.reduce((a, b) => a * b, 1);
      slotOf.set(o.dataId, slots.length);
      slots.push({ source: { kind: 'temp' }, dtype: o.dtype, size, ...ownStorage(o.dtype, size, o.shape) });
      return slots[slots.length - 1];
    });
    lines.push(`${head} ${outputs.map((o) => slots.indexOf(o)).join(',')} ${shapes(k.outputs)}`);
    if (constant) outputs.forEach((o) => fixed.add(slots.indexOf(o)));
    if (!build) continue;
    const ins = inputs.map((i) => slots[i.slot]);
    const native = build.storage.native && nativeOperation(build.storage.native, k);
    const operation = native
      ? () => native.run(ins, outputs[0])
      : kernelOperation(build.kernelFunc(k.kernel), k, inputs, ins, outputs, build.storage);
    if (constant) {
      // Every input is a constant: run it once now, its outputs are constants too.
      operation();
      continue;
    }
    if (native) nativeOperations++;
    const words =
      native && native.encode && outputs[0].size > 0
        ? native.encode(
            inputs.map((i) => i.slot),
            slots.indexOf(outputs[0]),
          )
        : undefined;
    steps.push({ run: operation, words, alpha: native ? native.alpha : undefined });
  }
  const sourced = slots.filter((s) => s.source.kind === 'variable' || s.source.kind === 'field');
  const live = sourced.filter((s) => s.dtype === 'float32');
  const liveValues: Float32Array[] = [];
  const operations = build?.storage.native?.program
    ? segments(build.storage.native, steps, slots, live, liveValues)
    : steps.map((s) => s.run);

  const bindings: Binding[] = [];
  const bind = (target: Binding['target'], dataId: DataId, what: string) => {
    const slot = slotOf.get(dataId);
    const own = inPlace.has(dataId);
    if (slot === undefined || (!own && slots[slot].source.kind !== 'temp') || fixed.has(slot)) {
      throw new Error(`${what} is set to a tensor not computed from the experiment's state`);
    }
    bindings.push({ target, slot, inPlace: own });
    lines.push(`${target.kind === 'variable' ? `v:${target.name}` : `f:${fieldName(target)}`} <- #${slot}`);
  };
  for (const [name, dataId] of recording.after) {
    if (recording.before.get(name) !== dataId) bind({ kind: 'variable', name }, dataId, `variable '${name}'`);
  }
  for (const [dataId, field] of sources.keptFields) {
    if (!sources.fields.has(dataId)) bind({ kind: 'field', ...field }, dataId, `this.${fieldName(field)}`);
  }
  const counters = sources.counters ?? [];
  for (const c of counters) lines.push(`counter this.${c.path} += ${c.delta}`);
  let result: number | undefined;
  if (sources.result) {
    result = input(sources.result).slot;
    lines.push(`result <- #${result} ${sources.result.dtype}[${sources.result.shape.join(',')}]`);
  }
  return {
    signature: lines.join('\n'),
    slots,
    operations,
    bindings,
    result,
    resultShape: sources.result?.shape,
    nativeOperations,
    counters,
    operationCount: steps.length,
    sources: sourced,
    live,
    liveValues,
    dispose: () => {
      for (const dataId of registered) build!.storage.disposeData(dataId, true);
      registered.length = 0;
    },
  };
}

/**
 * The step's new values that can be computed straight into the storage they replace, by the dataId of the new
 * value, with the dataId of the value it replaces: a variable's or a kept field's new value made by an
 * element-wise operation (each output element from the same element of its full-size inputs), when nothing after
 * that operation reads the old value. Saves the copy of every new weight into its variable after each replayed
 * step (the MLP's 670k parameters: ~0.2 ms of a ~3.5 ms step) and the temporary's memory traffic.
 */
function inPlaceOutputs(recording: Recording, sources: Sources): Map<DataId, DataId> {
  const replaced = new Map<DataId, DataId>();
  const targets = new Map<DataId, number>();
  const note = (next: DataId, old: DataId | undefined) => {
    targets.set(next, (targets.get(next) ?? 0) + 1);
    if (old !== undefined) replaced.set(next, old);
  };
  for (const [name, dataId] of recording.after) {
    const old = recording.before.get(name);
    if (old !== dataId) note(dataId, old);
  }
  const fieldBefore = new Map([...sources.fields].map(([dataId, f]) => [fieldName(f), dataId]));
  for (const [dataId, field] of sources.keptFields) {
    if (!sources.fields.has(dataId)) note(dataId, fieldBefore.get(fieldName(field)));
  }
  const lastRead = new Map<DataId, number>();
  recording.kernels.forEach((k, i) => k.inputs.forEach(([, t]) => lastRead.set(t.dataId, i)));
  const result = sources.result?.dataId;
  const chosen = new Map<DataId, DataId>();
  recording.kernels.forEach((k, i) => {
    const [out] = k.outputs;
    const old = k.outputs.length === 1 ? replaced.get(out.dataId) : undefined;
    if (old === undefined || targets.get(out.dataId) !== 1 || out.dataId === result || old === result) return;
    if (!(k.kernel in UNARY_OPS || k.kernel in BINARY_OPS) || out.dtype !== 'float32') return;
    const size = out.shape.reduce((a, b) => a * b, 1);
    const readHere = k.inputs.filter(([, t]) => t.dataId === old);
    const fullSize = readHere.every(
      ([, t]) => t.dtype === 'float32' && t.shape.reduce((a, b) => a * b, 1) === size,
    );
    const aliasing = k.inputs.some(([, t]) => t.dataId === out.dataId);
    const read = lastRead.get(old);
    if (fullSize && !aliasing && read !== undefined && read <= i) chosen.set(out.dataId, old);
  });
  return chosen;
}

/**
 * The operations as the loop runs them: each run of consecutive operations that have program words becomes one
 * native program call (two or more of them; a lone one stays its own call), the others stay as they are.
 */
function segments(
  addon: BlasAddon,
  steps: { run: () => void; words?: number[]; alpha?: number }[],
  slots: Slot[],
  live: Slot[],
  liveValues: Float32Array[],
): (() => void)[] {
  const operations: (() => void)[] = [];
  for (let i = 0; i < steps.length;) {
    let j = i;
    while (j < steps.length && steps[j].words) j++;
    if (j - i < 2) {
      operations.push(steps[i].run);
      i = Math.max(j, i + 1);
      continue;
    }
    const run = steps.slice(i, j);
    const alphas = new Float32Array(run.map((s) => s.alpha ?? 0));
    // A unary op's word 5 is the index of its alpha.
    const code = new Int32Array(
      run.flatMap((s, index) => (s.words![0] === 1 ? [...s.words!.slice(0, 5), index] : s.words!)),
    );
    const table = slots.map((s) =>
      live.includes(s) ? s.size : s.values instanceof Float32Array ? s.values : new Float32Array(0),
    );
    const handle = addon.program(code, alphas, table);
    operations.push(() => addon.runProgram(handle, liveValues));
    i = j;
  }
  return operations;
}

/**
 * A kernel function run on the slots: its inputs given the slots' current storage, its outputs copied into the
 * output slots and then freed (unless the kernel handed back an input's storage).
 */
function kernelOperation(
  func: KernelFunc,
  { attrs, listInputs }: RecordedKernel,
  inputs: { name: string; tensor: RecordedTensor }[],
  ins: Slot[],
  outputs: Slot[],
  backend: CpuStorage,
): () => void {
  // The kernel's inputs object, list inputs (`tensors[0]`...) gathered back into arrays; `infos[j]` is input j's.
  const named: Record<string, TensorInfo | TensorInfo[]> = {};
  const infos = inputs.map((i) => {
    const info: TensorInfo = { dataId: {}, shape: i.tensor.shape, dtype: i.tensor.dtype };
    const list = /^(.*)\[(\d+)\]$/.exec(i.name);
    if (list) ((named[list[1]] ??= []) as TensorInfo[])[Number(list[2])] = info;
    else named[i.name] = info;
    return info;
  });
  return () => {
    infos.forEach((info, j) => (info.dataId = ins[j].dataId!));
    const result = func({
      inputs: (listInputs ? infos : named) as never,
      attrs,
      backend: backend as never,
    }) as TensorInfo | TensorInfo[];
    (Array.isArray(result) ? result : [result]).forEach((info, o) => {
      (outputs[o].values as Float32Array).set(backend.data.get(info.dataId).values as Float32Array);
      if (!ins.some((s) => s.dataId === info.dataId)) backend.disposeData(info.dataId);
    });
  };
}

/**
 * Points the variable and field slots at their current storage (a real step reassigns variables and fields)
 * and resolves where each binding writes. False when some target's storage is shared with another tensor
 * (a clone the user kept), which an in-place write would change too: the caller runs a real step instead.
 */
export function refresh(
  program: Program,
  instance: Record<string, unknown>,
  storage: CpuStorage,
): Values[] | undefined {
  // Once per replayed call (a deep linear step is ~4 us in all): one storage lookup per source, none more for
  // a binding that writes in place (its target is a source slot, just looked up).
  const { sources, live, liveValues, bindings, slots } = program;
  for (let i = 0; i < sources.length; i++) {
    const slot = sources[i];
    const dataId = currentTensor(slot.source as Binding['target'], instance).dataId;
    const entry = storage.data.get(dataId);
    slot.dataId = dataId;
    slot.values = entry.values as Values;
    slot.refCount = entry.refCount;
  }
  for (let i = 0; i < live.length; i++) {
    const values = live[i].values;
    if (!(values instanceof Float32Array)) return undefined; // float32 kept in another array type: run for real
    liveValues[i] = values;
  }
  const targets: Values[] = [];
  for (let i = 0; i < bindings.length; i++) {
    const b = bindings[i];
    if (b.inPlace) {
      const own = slots[b.slot];
      if (own.refCount !== 1) return undefined;
      targets.push(own.values!);
      continue;
    }
    const entry = storage.data.get(currentTensor(b.target, instance).dataId);
    if (entry.refCount !== 1) return undefined;
    targets.push(entry.values as Values);
  }
  return targets;
}

/** The tensor a variable or field source names now. */
export function currentTensor(source: Binding['target'], instance: Record<string, unknown>): tf.Tensor {
  if (source.kind === 'variable') {
    const v = engine().state.registeredVariables[source.name];
    if (!v) throw new Error(`variable '${source.name}' was disposed`);
    return v;
  }
  const value = instance[source.key] as tf.Tensor | tf.Tensor[] | undefined;
  const t = source.index === undefined ? value : (value as tf.Tensor[] | undefined)?.[source.index];
  if (!(t instanceof tf.Tensor) || t.isDisposed)
    throw new Error(`this.${fieldName(source)} is no longer a tensor`);
  return t;
}

export function fieldName(field: { key: string; index?: number }): string {
  return field.index === undefined ? field.key : `${field.key}[${field.index}]`;
}

function copyAs(dtype: DataType, values: Values): Values {
  if (dtype === 'float32' && !(values instanceof Float32Array)) return Float32Array.from(values);
  return values.slice();
}

/**
 * A temporary's storage. Float32 ones come from the backend's pool when it has one: buffers the recorded steps
 * just released, whose pages are already mapped (fresh ones fault on the first replay: ~7 ms for the MLP's
 * ~11 MB of temporaries). Every operation writes all of its output, so their old contents never show.
 */
function allocate(dtype: DataType, size: number, storage: CpuStorage): Values {
  if (dtype === 'int32') return new Int32Array(size);
  if (dtype === 'bool') return new Uint8Array(size);
  return storage.alloc ? storage.alloc(size) : new Float32Array(size);
}

/** FNV-1a over the bytes, twice with different seeds: a 64-bit fingerprint of an upload's values. */
function hashValues(values: Values): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
    h2 = Math.imul(h2 ^ bytes[i], 0x5bd1e995);
  }
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}
