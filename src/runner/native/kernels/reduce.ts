import { util, type TensorInfo } from '@tensorflow/tfjs';
import { floats, type KernelArgs, type NativeKernel } from './context';
import { TINY } from './elementwise';

/** See `reduceKernel`: up to this many elements, a reduction over trailing axes runs on the CPU kernel. */
const SMALL_TRAILING = 256;

/** The reductions the addon runs, by tfjs kernel: its op code, the attribute holding the axes, and Mean. */
export const REDUCE_OPS: Record<
  string,
  { op: number; axisAttr: 'axis' | 'reductionIndices'; mean: boolean }
> = {
  Sum: { op: 0, axisAttr: 'axis', mean: false },
  Mean: { op: 0, axisAttr: 'axis', mean: true },
  Max: { op: 1, axisAttr: 'reductionIndices', mean: false },
  Min: { op: 2, axisAttr: 'axis', mean: false },
};

/**
 * x (of `shape`) viewed as [outer, size, inner] around the reduced axes, and the output's shape (1s for the
 * reduced axes when keepDims); undefined when the axes are not one contiguous run (or none).
 */
export function reduceLayout(
  shape: number[],
  axisAttr: number | number[],
  keepDims: boolean,
): { outer: number; size: number; inner: number; outShape: number[] } | undefined {
  const axes = util.parseAxisParam(axisAttr, shape).sort((p, q) => p - q);
  if (axes.length === 0) return undefined;
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return undefined;
  const [first, last] = [axes[0], axes[axes.length - 1]];
  let [outer, size, inner] = [1, 1, 1];
  const outShape: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (i < first) outer *= shape[i];
    else if (i > last) inner *= shape[i];
    else {
      size *= shape[i];
      if (keepDims) outShape.push(1);
      continue;
    }
    outShape.push(shape[i]);
  }
  return { outer, size, inner, outShape };
}

/**
 * Sum, Max, Min and Mean over a contiguous run of axes of a float32 tensor, in one native pass over x viewed
 * as [outer, reduce, inner] (so a bias gradient, a sum over axis 0, needs no transpose). Sums accumulate in
 * double, as the CPU kernel's JavaScript numbers do. Non-contiguous axes decline to the CPU kernel.
 */
function reduceKernel({ op, axisAttr, mean }: (typeof REDUCE_OPS)[string]): NativeKernel {
  return ({ inputs, attrs, backend }: KernelArgs): TensorInfo | undefined => {
    const x = inputs.x!;
    const xv = floats(backend, x);
    if (!xv || xv.length <= TINY) return undefined;
    const layout = reduceLayout(x.shape, attrs?.[axisAttr] as number | number[], attrs?.keepDims === true);
    if (!layout) return undefined;
    const { outer, size, inner, outShape } = layout;
    // A reduction over trailing axes is a plain loop in the CPU kernel (no transpose), cheaper than the call
    // here on small tensors (CPU time per call: 0.9 us against 1.8 for the sum of a 16x16 tensor).
    if (inner === 1 && xv.length <= SMALL_TRAILING) return undefined;
    const out = backend.alloc(outer * inner);
    backend.native.reduce(op, xv, outer, size, inner, out);
    if (mean) for (let i = 0; i < out.length; i++) out[i] /= size;
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

export const REDUCE_KERNELS: Record<string, NativeKernel> = Object.fromEntries(
  Object.entries(REDUCE_OPS).map(([name, reduction]) => [name, reduceKernel(reduction)]),
);
