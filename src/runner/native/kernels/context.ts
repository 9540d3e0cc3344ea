import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BlasBackend } from '../blasBackend';

/** What a native kernel needs: the backend's storage, the addon, and the CPU kernel to fall back on. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  attrs?: NamedAttrMap;
  backend: BlasBackend;
}

/** A native kernel answers `undefined` for a case it does not cover (dtype, layout); the CPU kernel runs then. */
export type NativeKernel = (args: KernelArgs) => TensorInfo | undefined;

/** The float32 values of a tensor on the backend, or undefined when it is not float32. */
export function floats(backend: KernelArgs['backend'], t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** Wraps a native kernel so that every case it declines goes to the reference CPU kernel. */
export function withFallback(native: NativeKernel, cpu: KernelFunc): KernelFunc {
  return (args) => native(args as unknown as KernelArgs) ?? (cpu(args) as TensorInfo);
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
