import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Empirical neural tangent kernel (eNTK) observables (THEORY.md "Global conventions" and entries 7, 23; Jacot,
 * Gabriel & Hongler, arXiv:1806.07572; Lee et al., arXiv:1902.06720; reference implementation
 * google/neural-tangents `nt.empirical_ntk_fn`).
 *
 * For a model f(theta, x) with k outputs per example, the eNTK between examples i and j is
 *
 *     Theta(x_i, x_j)_{ab} = sum_p  d f_a(x_i) / d theta_p  *  d f_b(x_j) / d theta_p ,
 *
 * i.e. Theta = J J^T with J the (n k) x P Jacobian whose row i*k + a is the gradient of output a at example i
 * (rows ordered example-major). For scalar outputs (k = 1) this is the n x n Gram matrix of per-example
 * gradients. The kernel depends on the parameterization: NTK parameterization (weights N(0, 1) scaled by
 * 1/sqrt(fan_in) in the forward pass) gives an O(1) kernel with a width limit; standard parameterization does not.
 *
 * The model is any function `(params, x) => outputs` with outputs of shape [batch] or [batch, k]; it must compute
 * with the `params` it is given (not variables captured elsewhere) and treat the examples of a batch
 * independently (no batch norm), since the Jacobian is taken one example at a time.
 */
export type NtkModelFn = (params: tf.Tensor[], x: tf.Tensor) => tf.Tensor;

/**
 * The per-example Jacobian J (rows: example-major outputs, columns: every parameter entry, flattened in the
 * order of `params`), shape [n k, P]. Cost: n k backward passes through the model on a single example
 * (`tf.grads` of one output), plus an n k x P tensor held in memory. The caller owns the returned tensor.
 */
export function ntkJacobian(model: NtkModelFn, params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor2D {
  if (params.length === 0) throw new RangeError('ntkJacobian needs at least one parameter tensor');
  const n = x.shape[0];
  if (!(n > 0)) throw new RangeError(`x must hold at least one example, got shape [${x.shape}]`);
  return tf.tidy(() => {
    const example = (i: number) => x.slice(i, 1);
    const outputs = model([...params], example(0)).size;
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < n; i++) {
      const xi = example(i);
      for (let a = 0; a < outputs; a++) {
        const grads = tf.grads((...ps: tf.Tensor[]) => model(ps, xi).reshape([-1]).slice(a, 1).sum())([
          ...params,
        ]);
        rows.push(tf.concat(grads.map((g) => g.reshape([-1]))));
      }
    }
    return tf.stack(rows) as tf.Tensor2D;
  });
}

/**
 * The empirical NTK Gram matrix Theta(X1, X2) = J(X1) J(X2)^T, shape [n1 k, n2 k] (X2 defaults to X1, giving
 * the symmetric train kernel; pass test points as X1 and the train set as X2 for the cross kernel Theta(x, X)
 * of THEORY.md entry 7). Cost: (n1 + n2) k single-example backward passes (n1 k when X2 is omitted) plus an
 * O(n1 n2 k^2 P) matrix product. The caller owns the returned tensor (dispose it, or call inside tf.tidy).
 *
 * @example
 * // A linear model f(w, x) = x w has J = X, so the NTK is exactly X X^T.
 * empiricalNtk(([w], x) => x.matMul(w), [tf.ones([2, 1])], tf.tensor2d([[1, 2], [3, 4]])); // [[5, 11], [11, 25]]
 */
export function empiricalNtk(
  model: NtkModelFn,
  params: readonly tf.Tensor[],
  x1: tf.Tensor,
  x2?: tf.Tensor,
): tf.Tensor2D {
  return tf.tidy(() => {
    const j1 = ntkJacobian(model, params, x1);
    const j2 = x2 === undefined ? j1 : ntkJacobian(model, params, x2);
    return j1.matMul(j2, false, true) as tf.Tensor2D;
  });
}

/**
 * Eigenvalues of a symmetric kernel matrix (an NTK Gram matrix), descending; `top` keeps the largest ones.
 * These are the Gram eigenvalues: divide by the number of points for THEORY.md's "operator" eigenvalues
 * eig(K)/M. Symmetric EVD by ml-matrix (the kernel is read back and symmetrized, (K + K^T)/2, to remove float32
 * asymmetry). Cost: O(N^3) for an N x N kernel, on the CPU in float64.
 */
export function ntkSpectrum(kernel: tf.Tensor | readonly (readonly number[])[], top?: number): number[] {
  const k = kernelMatrix(kernel);
  const symmetric = k.add(k.transpose()).div(2);
  const evd = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const values = [...evd.realEigenvalues].sort((a, b) => b - a);
  return top === undefined ? values : values.slice(0, top);
}

/**
 * Kernel-target alignment (Cristianini et al., NeurIPS 2001; centered form of Cortes, Mohri & Rostamizadeh,
 * JMLR 2012, as THEORY.md entry 23 writes it):
 *
 *     A(K, Y) = <K_c, Y Y^T>_F / (||K_c||_F ||Y Y^T||_F),   K_c = C K C,  C = I - 1 1^T / n,
 *
 * with Y the targets, one row per kernel row ([n] or [n, k]; for a multi-output NTK of size n k, pass the
 * flattened targets as [n k]). With `centered: false` K_c = K (Cristianini's original). Only K is centered:
 * <CKC, YY^T> = <CKC, (CY)(CY)^T>, so the targets' mean does not matter in the centered form. A is in [-1, 1],
 * equal to 1 when K is proportional to Y Y^T (centered: C Y Y^T C). Cost: O(n^2 k) on the read-back matrices.
 *
 * @example
 * ntkTargetAlignment([[1, 1], [1, 1]], [1, 1], { centered: false }); // => 1
 */
export function ntkTargetAlignment(
  kernel: tf.Tensor | readonly (readonly number[])[],
  targets: tf.Tensor | readonly number[] | readonly (readonly number[])[],
  options: { centered?: boolean } = {},
): number {
  const centered = options.centered ?? true;
  let k = kernelMatrix(kernel);
  const y = targetMatrix(targets);
  if (y.rows !== k.rows) throw new RangeError(`targets have ${y.rows} rows for a ${k.rows}-row kernel`);
  if (centered) {
    const c = Matrix.eye(k.rows).sub(Matrix.ones(k.rows, k.rows).div(k.rows));
    k = c.mmul(k).mmul(c);
  }
  const yyT = y.mmul(y.transpose());
  const denominator = k.norm('frobenius') * yyT.norm('frobenius');
  if (denominator === 0) return 0;
  return k.clone().mul(yyT).sum() / denominator;
}

/**
 * The relative change of the eNTK from a snapshot taken at construction (THEORY.md entry 7):
 *
 *     ||Theta_t - Theta_0||_F / ||Theta_0||_F   on the fixed batch x.
 *
 * In NTK parameterization it vanishes as the width grows (the lazy regime); with small init or large richness
 * it is O(1). Keeps Theta_0 (a kept tensor, freed by `dispose`). Cost per call: one `empiricalNtk` on x.
 */
export class NtkDrift {
  /** Theta_0 on the batch, kept across tfjs scopes. */
  readonly initial: tf.Tensor2D;
  private readonly initialNorm: number;

  constructor(
    private readonly model: NtkModelFn,
    params: readonly tf.Tensor[],
    private readonly x: tf.Tensor,
  ) {
    this.initial = tf.keep(empiricalNtk(model, params, x));
    this.initialNorm = tf.tidy(() => this.initial.norm().dataSync()[0]);
    if (!(this.initialNorm > 0))
      throw new RangeError('the initial NTK is zero: its relative change is undefined');
  }

  /** ||Theta(params) - Theta_0||_F / ||Theta_0||_F, with Theta(params) computed on the same batch. */
  relativeChange(params: readonly tf.Tensor[]): number {
    return tf.tidy(() => this.relativeChangeOf(empiricalNtk(this.model, params, this.x)));
  }

  /** The same for a kernel already computed on the same batch (e.g. shared with an alignment observable). */
  relativeChangeOf(kernel: tf.Tensor): number {
    return tf.tidy(() => kernel.sub(this.initial).norm().dataSync()[0] / this.initialNorm);
  }

  dispose(): void {
    this.initial.dispose();
  }
}

function kernelMatrix(kernel: tf.Tensor | readonly (readonly number[])[]): Matrix {
  const rows = kernel instanceof tf.Tensor ? (kernel.arraySync() as number[][]) : kernel.map((r) => [...r]);
  const m = new Matrix(rows);
  if (m.rows !== m.columns) throw new RangeError(`a kernel must be square, got ${m.rows} x ${m.columns}`);
  return m;
}

function targetMatrix(targets: tf.Tensor | readonly number[] | readonly (readonly number[])[]): Matrix {
  const values = targets instanceof tf.Tensor ? (targets.arraySync() as number[] | number[][]) : targets;
  if (!Array.isArray(values)) throw new RangeError('targets must be a vector or a matrix');
  return typeof values[0] === 'number'
    ? Matrix.columnVector(values as number[])
    : new Matrix((values as number[][]).map((r) => [...r]));
}
