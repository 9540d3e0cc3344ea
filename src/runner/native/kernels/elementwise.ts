import { backend_util, type TensorInfo } from '@tensorflow/tfjs';
import { floats, sizeOf, type KernelArgs, type NativeKernel } from './context';

/**
 * Tensors of at most this many elements go to the CPU kernel: on them a native call costs more than the loop
 * (measured per kernel call, CPU time: Add of two 4x4 tensors 0.5 us on the CPU kernel against 1.0 us here,
 * Square 0.26 against 0.8; from 64 elements on the native kernel is ahead).
 */
export const TINY = 16;

/** tfjs unary kernels and their op codes in the addon (native/src/kernels.h). */
export const UNARY_OPS: Record<string, number> = {
  Relu: 0,
  Step: 1,
  Tanh: 2,
  Sigmoid: 3,
  Exp: 4,
  Log: 5,
  Sqrt: 6,
  Square: 7,
  Neg: 8,
  Abs: 9,
  Rsqrt: 10,
  Reciprocal: 11,
  Relu6: 12,
  Elu: 13,
  LeakyRelu: 14,
};

/** tfjs binary kernels and their op codes in the addon. */
export const BINARY_OPS: Record<string, number> = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  SquaredDifference: 6,
};

/** A float32 unary kernel: one native pass, out = f(x). Step and LeakyRelu read their `alpha` attribute. */
export function unaryKernel(op: number): NativeKernel {
  return ({ inputs, attrs, backend }) => {
    const x = inputs.x!;
    const xv = floats(backend, x);
    if (!xv || xv.length <= TINY) return undefined;
    const out = backend.alloc(xv.length);
    backend.native.unary(op, xv, out, (attrs?.alpha as number | undefined) ?? 0);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/** A float32 binary kernel for the broadcasts the addon covers (see `broadcastLayout`); others decline. */
export function binaryKernel(op: number): NativeKernel {
  return ({ inputs, backend }: KernelArgs) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const av = floats(backend, a);
    const bv = floats(backend, b);
    if (!av || !bv || (av.length <= TINY && bv.length <= TINY)) return undefined;
    if (sameShape(a.shape, b.shape)) {
      // The common case (every gradient accumulation, every SGD update): no broadcast to work out.
      const out = backend.alloc(av.length);
      backend.native.binary(op, av, bv, 1, false, out);
      return backend.makeTensorInfo(a.shape, 'float32', out);
    }
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const layout = broadcastLayout(a.shape, b.shape, outShape);
    if (!layout) return undefined;
    const out = backend.alloc(sizeOf(outShape));
    if (layout.swap) backend.native.binary(op, bv, av, layout.inner, true, out);
    else backend.native.binary(op, av, bv, layout.inner, false, out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/**
 * How the smaller operand repeats over the output, as the addon indexes it: small[(i / inner) % small.length].
 * The full operand must have the output's shape; the small one, padded with leading 1s, must be the output's
 * shape on a contiguous run of axes and 1 elsewhere ([n] or [1, n] against [m, n]: inner 1; [m, 1] against
 * [m, n]: inner n). `swap` says the small operand is `a`. Undefined for any other broadcast.
 */
export function broadcastLayout(
  aShape: number[],
  bShape: number[],
  outShape: number[],
): { inner: number; swap: boolean } | undefined {
  const bFull = sameShape(bShape, outShape);
  if (sameShape(aShape, outShape)) {
    const inner = bFull ? 1 : repeatInner(bShape, outShape);
    return inner === undefined ? undefined : { inner, swap: false };
  }
  if (!bFull) return undefined;
  const inner = repeatInner(aShape, outShape);
  return inner === undefined ? undefined : { inner, swap: true };
}

function repeatInner(small: number[], outShape: number[]): number | undefined {
  const padded = [...new Array<number>(outShape.length - small.length).fill(1), ...small];
  if (sizeOf(padded) === 1) return 1;
  let last = padded.length - 1;
  while (padded[last] === 1) last--;
  let first = last;
  while (first > 0 && padded[first - 1] !== 1) first--;
  for (let i = first; i <= last; i++) if (padded[i] !== outShape[i]) return undefined;
  if (padded.slice(0, first).some((d) => d !== 1)) return undefined;
  return sizeOf(outShape.slice(last + 1));
}

function sameShape(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
