import { backend_util, util, type TensorInfo } from '@tensorflow/tfjs';
import { floats, sizeOf, type KernelArgs, type NativeKernel } from './context';

const SUM = 0;
const MAX = 1;
const MIN = 2;

/**
 * Sum, Max, Min and Mean over a contiguous run of axes of a float32 tensor, in one native pass over x viewed
 * as [outer, reduce, inner] (so a bias gradient, a sum over axis 0, needs no transpose). Sums accumulate in
 * double, as the CPU kernel's JavaScript numbers do. Non-contiguous axes decline to the CPU kernel.
 */
function reduceKernel(op: number, axisAttr: 'axis' | 'reductionIndices', mean = false): NativeKernel {
  return ({ inputs, attrs, backend }: KernelArgs): TensorInfo | undefined => {
    const x = inputs.x!;
    const xv = floats(backend, x);
    if (!xv || xv.length === 0) return undefined;
    const axes = util.parseAxisParam(attrs?.[axisAttr] as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((axis, i) => i > 0 && axis !== axes[i - 1] + 1)) return undefined;
    const [first, last] = [axes[0], axes[axes.length - 1]];
    const outer = sizeOf(x.shape.slice(0, first));
    const size = sizeOf(x.shape.slice(first, last + 1));
    const inner = sizeOf(x.shape.slice(last + 1));
    const out = backend.alloc(outer * inner);
    backend.native.reduce(op, xv, outer, size, inner, out);
    if (mean) for (let i = 0; i < out.length; i++) out[i] /= size;
    const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = attrs?.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

export const REDUCE_KERNELS: Record<string, NativeKernel> = {
  Sum: reduceKernel(SUM, 'axis'),
  Mean: reduceKernel(SUM, 'axis', true),
  Max: reduceKernel(MAX, 'reductionIndices'),
  Min: reduceKernel(MIN, 'axis'),
};
