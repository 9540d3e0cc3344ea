import { backend_util, type TensorInfo } from '@tensorflow/tfjs';
import { floats, sizeOf, type KernelArgs } from './context';

/** Activation codes of the addon's fused epilogue (native/src/kernels.h). prelu stays on the CPU kernel. */
export const ACTIVATIONS: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
};

/**
 * BatchMatMul through cblas_sgemm, with tfjs's semantics: the leading (batch) dimensions broadcast, batch i
 * using a[i % batchA] and b[i % batchB] as the CPU kernel does; transposes are passed to sgemm, never copied.
 * A product of a tensor with its own transpose (the same tensor on both sides) goes to ssyrk.
 */
export function batchMatMul({ inputs, attrs, backend }: KernelArgs): TensorInfo | undefined {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const av = floats(backend, a);
  const bv = floats(backend, b);
  if (!av || !bv) return undefined;
  const transposeA = attrs?.transposeA === true;
  const transposeB = attrs?.transposeB === true;
  const { m, n, k, batchA, batchB, batch, outer } = matMulLayout(a.shape, b.shape, transposeA, transposeB);
  const out = backend.alloc(batch * m * n);
  if (a.dataId === b.dataId && batch === 1 && transposeA !== transposeB && m === n) {
    // a a^T or a^T a: a symmetric product in half the flops.
    backend.native.syrk(av, out, m, k, transposeA);
    return backend.makeTensorInfo([...outer, m, n], 'float32', out);
  }
  backend.native.gemm(av, bv, out, batch, batchA, batchB, m, n, k, transposeA, transposeB);
  return backend.makeTensorInfo([...outer, m, n], 'float32', out);
}

/**
 * A product's sizes as sgemm takes them: op(a) is m x k, op(b) k x n, `batch` products whose a and b repeat
 * every batchA and batchB (tfjs's broadcast of leading dimensions), `outer` the output's leading dimensions.
 * Throws tfjs's own message when the inner sizes differ.
 */
export function matMulLayout(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
  const [ra, rb] = [aShape.length, bShape.length];
  const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  const kB = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${aShape} and ${bShape} ` +
        `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  // Plain matrices (the usual case) skip working out a broadcast of leading dimensions.
  const plain = ra === 2 && rb === 2;
  const outer = plain
    ? []
    : backend_util.assertAndGetBroadcastShape(aShape.slice(0, -2), bShape.slice(0, -2));
  const batchA = plain ? 1 : sizeOf(aShape.slice(0, -2));
  const batchB = plain ? 1 : sizeOf(bShape.slice(0, -2));
  return { m, n, k, batchA, batchB, batch: Math.max(batchA, batchB), outer };
}

/**
 * _FusedMatMul: the product, then bias and activation in one native pass over the output. Covers a bias that
 * is a scalar, a row of length n, or the whole output; other bias shapes and prelu go to the CPU kernel.
 */
export function fusedMatMul(args: KernelArgs): TensorInfo | undefined {
  const { bias, preluActivationWeights } = args.inputs;
  const activation = (args.attrs?.activation as string | undefined) ?? 'linear';
  const code = ACTIVATIONS[activation];
  if (code === undefined || preluActivationWeights) return undefined;
  const biasValues = bias ? floats(args.backend, bias) : null;
  if (biasValues === undefined) return undefined;
  const product = batchMatMul(args);
  if (!product) return undefined;
  const n = product.shape[product.shape.length - 1];
  const size = sizeOf(product.shape);
  if (bias && !isSimpleBias(bias.shape, n, product.shape, size)) {
    args.backend.disposeIntermediateTensorInfo(product);
    return undefined;
  }
  const out = args.backend.data.get(product.dataId).values as Float32Array;
  const alpha = (args.attrs?.leakyreluAlpha as number | undefined) ?? 0.2;
  if (n > 0) args.backend.native.biasActivation(out, n, biasValues, code, alpha);
  return product;
}

/** A bias fusedMatMul's epilogue takes: a scalar, a row of the output's last dimension, or the whole output. */
export function isSimpleBias(shape: number[], n: number, outShape: number[], size: number): boolean {
  const length = sizeOf(shape);
  if (length === 1) return true;
  if (shape.length > outShape.length) return false;
  if (length === n) return shape[shape.length - 1] === n;
  return length === size && shape.length === outShape.length && shape.every((d, i) => d === outShape[i]);
}
