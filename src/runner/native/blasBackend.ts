/**
 * The 'blas' tfjs backend: the reference CPU backend (MathBackendCPU, same storage, same kernels) with the
 * kernels that dominate training time replaced by synchronous calls into the lm_blas N-API addon
 * (native/): BatchMatMul and _FusedMatMul through OpenBLAS's sgemm (transposes passed to sgemm, bias and
 * activation fused into one pass over the output, a tensor times its own transpose through ssyrk), float32
 * element-wise and reduction kernels vectorised with AVX2/AVX-512, Concat and Pack as block copies, all split
 * across the cores when large, and float32 outputs in reused buffers (bufferPool.ts). Every other kernel, and every case a native kernel declines (another dtype, an unusual
 * broadcast), runs the CPU backend's own kernel, so any experiment that runs on 'cpu' runs here unchanged.
 *
 * Why this path (measured on the 2-core machine; bench/ and the issue 6 report): OpenBLAS sgemm runs the MLP's
 * products at about 95 GFLOP/s per core and about 175 on both when we split them (Debian's OpenBLAS 0.3.21
 * keeps these 128-row products on one core), against about 2 GFLOP/s for the wasm backend's training step and
 * 0.6 for the CPU backend. tfjs kernels must return synchronously, which a plain N-API call does;
 * onnxruntime-node's public `session.run` is asynchronous (about 40 us per call) and would need a private
 * synchronous entry point. Extending the CPU backend keeps every kernel available and its low per-kernel cost
 * on the tiny tensors of small theory models, where the wasm backend is slower than the CPU one.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { backend_util, DataType } from '@tensorflow/tfjs';
import { loadAddon, type BlasAddon } from './addon';
import { BufferPool } from './bufferPool';
import { withFallback, type NativeKernel } from './kernels/context';
import { concat, pack } from './kernels/concat';
import { binaryKernel, BINARY_OPS, unaryKernel, UNARY_OPS } from './kernels/elementwise';
import { batchMatMul, fusedMatMul } from './kernels/matMul';
import { REDUCE_KERNELS } from './kernels/reduce';

export const BLAS_BACKEND = 'blas';
/** `LM_BLAS_POOL=off` turns buffer reuse off (for comparing against it). */
export const POOL_ENV = 'LM_BLAS_POOL';

type DataId = object;

/** MathBackendCPU whose storage hands float32 outputs out of a BufferPool (see bufferPool.ts). */
export class BlasBackend extends MathBackendCPU {
  readonly pool: BufferPool | undefined;

  constructor(
    readonly native: BlasAddon,
    reuseBuffers = true,
  ) {
    super();
    this.pool = reuseBuffers
      ? new BufferPool(undefined, undefined, (fresh) => this.native.adviseHugePages?.(fresh))
      : undefined;
  }

  /** An output buffer for a native kernel; its contents are unspecified and the kernel writes all of it. */
  alloc(length: number): Float32Array {
    return this.pool ? this.pool.alloc(length) : new Float32Array(length);
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = super.write(values, shape, dtype);
    this.pool?.retain(values);
    return dataId;
  }

  override move(
    dataId: DataId,
    values: backend_util.BackendValues,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    this.releaseEntry(dataId);
    super.move(dataId, values, shape, dtype, refCount);
    this.pool?.retain(values);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const disposed = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool?.release(values);
    return disposed;
  }

  /** A copy when the values live in a pooled buffer, so that no pooled buffer reaches user code. */
  override readSync(dataId: DataId): backend_util.BackendValues {
    const values = super.readSync(dataId);
    return this.pool?.owns(values) ? this.pool.copy(values) : values;
  }

  override dispose(): void {
    super.dispose();
    this.pool?.clear();
  }

  private releaseEntry(dataId: DataId): void {
    if (this.data.has(dataId)) this.pool?.release(this.data.get(dataId).values);
  }
}

/** Every kernel the addon serves, by tfjs kernel name. */
export function nativeKernels(): Record<string, NativeKernel> {
  const kernels: Record<string, NativeKernel> = {
    BatchMatMul: batchMatMul,
    _FusedMatMul: fusedMatMul,
    Concat: concat,
    Pack: pack,
    ...REDUCE_KERNELS,
  };
  for (const [name, op] of Object.entries(UNARY_OPS)) kernels[name] = unaryKernel(op);
  for (const [name, op] of Object.entries(BINARY_OPS)) kernels[name] = binaryKernel(op);
  return kernels;
}

/**
 * Registers the 'blas' backend and its kernels (the CPU backend's, with the native ones in front), once.
 * Throws with a one-line reason when the addon is missing, so the backend choice can fall back and say why.
 */
export function registerBlasBackend(): { blas: string; core: string; threads: number } {
  const load = loadAddon();
  if (!load.ok) throw new Error(load.problem);
  if (!tf.findBackendFactory(BLAS_BACKEND)) {
    const native = nativeKernels();
    for (const config of tf.getKernelsForBackend('cpu')) {
      const own = native[config.kernelName];
      const kernelFunc = own ? withFallback(own, config.kernelFunc) : config.kernelFunc;
      tf.registerKernel({ ...config, backendName: BLAS_BACKEND, kernelFunc });
    }
    const reuse = process.env[POOL_ENV] !== 'off';
    tf.registerBackend(BLAS_BACKEND, () => new BlasBackend(load.addon, reuse), 0);
  }
  return load.addon.info();
}
