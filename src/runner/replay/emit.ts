/**
 * Direct addon calls for the kernels that dominate small models' steps, with every shape decision taken once
 * when the program is compiled. Each operation comes two ways: as its own addon call (what the blas backend's
 * kernel would make, split across the cores when large), and, when it is small enough to run on one core, as
 * words of a native program (native/src/program.cc) that runs a whole sequence of them in one call, so the
 * 0.15-0.3 us an N-API call costs before any arithmetic is paid once per sequence rather than per operation.
 * Kernels and cases not covered here (another dtype, an unusual broadcast) run their kernel function instead
 * (program.ts).
 */
import { backend_util, util } from '@tensorflow/tfjs';
import type { BlasAddon } from '../native/addon';
import { BINARY_OPS, broadcastLayout, UNARY_OPS } from '../native/kernels/elementwise';
import { ACTIVATIONS, isSimpleBias, matMulLayout } from '../native/kernels/matMul';
import { REDUCE_OPS, reduceLayout } from '../native/kernels/reduce';
import type { Slot } from './program';
import type { RecordedKernel } from './record';

export type NativeOperation = (ins: Slot[], out: Slot) => void;

export interface Emitted {
  run: NativeOperation;
  /** The operation as program words, given its input and output slot numbers; absent when it is too large. */
  encode?: (ins: number[], out: number) => number[];
  /** The float attribute the words refer to by index (a unary op's alpha). */
  alpha?: number;
}

/** Operation codes and word layouts of native/src/program.cc. */
const GEMM = 0;
const UNARY = 1;
const BINARY = 2;
const REDUCE = 3;

/**
 * Below these sizes the addon's own calls stay on one thread (native/src/gemm.cc's kParallelFlops,
 * elementwise.cc's kParallelCostly), so running them inside a program loses no parallelism.
 */
const SERIAL_FLOPS = 2e6;
const SERIAL_ELEMENTS = 1 << 14;

const f32 = (slot: Slot) => slot.values as Float32Array;

/** The addon call that computes kernel `k` on float32 slots, or undefined when there is none. */
export function nativeOperation(addon: BlasAddon, k: RecordedKernel): Emitted | undefined {
  if (k.outputs.length !== 1 || k.outputs[0].dtype !== 'float32') return undefined;
  if (k.inputs.some(([, t]) => t.dtype !== 'float32')) return undefined;
  const size = util.sizeFromShape(k.outputs[0].shape);
  if (k.kernel === 'BatchMatMul') return matMul(addon, k);
  if (k.kernel === '_FusedMatMul') return fusedMatMul(addon, k, size);
  if (k.kernel in UNARY_OPS && k.inputs.length === 1) {
    const op = UNARY_OPS[k.kernel];
    const alpha = (k.attrs.alpha as number | undefined) ?? 0;
    return {
      run: ([x], out) => addon.unary(op, f32(x), f32(out), alpha),
      ...(size < SERIAL_ELEMENTS && { encode: ([x], out) => [UNARY, op, x, out, size, 0], alpha }),
    };
  }
  if (k.kernel in BINARY_OPS && k.inputs.length === 2) return binary(addon, k, size);
  if (k.kernel in REDUCE_OPS) return reduce(addon, k);
  return undefined;
}

function matMul(addon: BlasAddon, k: RecordedKernel): Emitted | undefined {
  const [[, a], [, b]] = k.inputs;
  const transposeA = k.attrs.transposeA === true;
  const transposeB = k.attrs.transposeB === true;
  const { m, n, k: kk, batchA, batchB, batch } = matMulLayout(a.shape, b.shape, transposeA, transposeB);
  // Leading dimensions that broadcast both ways ([2, 1] against [1, 3]) are not one repeat of a and b.
  if (util.sizeFromShape(k.outputs[0].shape.slice(0, -2)) !== batch) return undefined;
  const [ta, tb] = [Number(transposeA), Number(transposeB)];
  return {
    run: ([x, y], out) =>
      addon.gemm(f32(x), f32(y), f32(out), batch, batchA, batchB, m, n, kk, transposeA, transposeB),
    ...(2 * m * n * kk * batch < SERIAL_FLOPS && {
      encode: ([x, y], out) => [GEMM, x, y, out, batch, batchA, batchB, m, n, kk, ta, tb],
    }),
  };
}

/**
 * _FusedMatMul as the blas backend's kernel computes it (kernels/matMul.ts): the product, then bias and
 * activation in one pass over the output. As its own call only (one that a dense layer makes once a step).
 */
function fusedMatMul(addon: BlasAddon, k: RecordedKernel, size: number): Emitted | undefined {
  const inputs = new Map(k.inputs);
  const activation = ACTIVATIONS[(k.attrs.activation as string | undefined) ?? 'linear'];
  const bias = inputs.get('bias');
  const out = k.outputs[0].shape;
  const n = out[out.length - 1];
  if (activation === undefined || inputs.has('preluActivationWeights')) return undefined;
  if (bias && !isSimpleBias(bias.shape, n, out, size)) return undefined;
  const [a, b] = [inputs.get('a'), inputs.get('b')];
  if (!a || !b) return undefined;
  const product = matMul(addon, {
    ...k,
    inputs: [
      ['a', a],
      ['b', b],
    ],
  });
  if (!product || n === 0) return undefined;
  const alpha = (k.attrs.leakyreluAlpha as number | undefined) ?? 0.2;
  const at = (input: string) => k.inputs.findIndex(([name]) => name === input);
  const [aAt, bAt, biasAt] = [at('a'), at('b'), at('bias')];
  return {
    run: (ins, o) => {
      product.run([ins[aAt], ins[bAt]], o);
      addon.biasActivation(f32(o), n, biasAt < 0 ? null : f32(ins[biasAt]), activation, alpha);
    },
  };
}

function binary(addon: BlasAddon, k: RecordedKernel, size: number): Emitted | undefined {
  const op = BINARY_OPS[k.kernel];
  const [[, a], [, b]] = k.inputs;
  const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const layout = broadcastLayout(a.shape, b.shape, outShape);
  if (!layout) return undefined;
  const { inner, swap } = layout;
  // The full operand comes first; `swap` computes small op full.
  const smallLength = util.sizeFromShape((swap ? a : b).shape);
  const encode =
    size < SERIAL_ELEMENTS
      ? ([x, y]: number[], out: number) =>
          swap
            ? [BINARY, op, y, x, out, size, smallLength, inner, 1]
            : [BINARY, op, x, y, out, size, smallLength, inner, 0]
      : undefined;
  return {
    run: swap
      ? ([x, y], out) => addon.binary(op, f32(y), f32(x), inner, true, f32(out))
      : ([x, y], out) => addon.binary(op, f32(x), f32(y), inner, false, f32(out)),
    ...(encode && { encode }),
  };
}

/** Sum, Max, Min and Mean over a contiguous run of axes: x as [outer, size, inner]. */
function reduce(addon: BlasAddon, k: RecordedKernel): Emitted | undefined {
  const [[, x]] = k.inputs;
  const { op, axisAttr, mean } = REDUCE_OPS[k.kernel];
  const layout = reduceLayout(x.shape, k.attrs[axisAttr] as number | number[], k.attrs.keepDims === true);
  if (!layout) return undefined;
  const { outer, size, inner } = layout;
  return {
    run: ([v], out) => {
      const o = f32(out);
      addon.reduce(op, f32(v), outer, size, inner, o);
      if (mean) for (let i = 0; i < o.length; i++) o[i] /= size;
    },
    ...(outer * size * inner < SERIAL_ELEMENTS && {
      encode: ([v], out) => [REDUCE, op, v, out, outer, size, inner, Number(mean)],
    }),
  };
}
