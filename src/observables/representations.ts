import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Statistics of a layer's representation R (n samples x p features): its effective rank and its linear CKA
 * similarity to another representation (THEORY.md entries 21-23, representational similarity; open question
 * "representational similarity" of learningmechanics.pub).
 */

/** Effective ranks of a representation or a spectrum. */
export interface RepresentationRanks {
  /**
   * Roy & Vetterli (EUSIPCO 2007): exp(H(q)), q_k = s_k / sum s, H = -sum q_k ln q_k, over the singular values s_k
   * (between 1 and the rank; equals r for r equal singular values).
   */
  entropyRank: number;
  /** Participation ratio (sum lambda)^2 / sum lambda^2 over the covariance eigenvalues lambda_k = s_k^2. */
  participationRatio: number;
  /** The singular values s_k of the (centred) representation, descending. */
  singularValues: number[];
}

/**
 * Effective ranks from singular values s_k >= 0 (see `RepresentationRanks`). Roy & Vetterli's entropy form uses
 * s_k normalized to sum 1; the participation ratio uses the variances s_k^2. Zero values contribute nothing.
 */
export function effectiveRanksFromSingularValues(singularValues: ArrayLike<number>): RepresentationRanks {
  const s = Array.from(singularValues, (v) => {
    if (!(v >= 0)) throw new RangeError(`singular values must be >= 0, got ${v}`);
    return v;
  }).sort((a, b) => b - a);
  const sum = s.reduce((acc, v) => acc + v, 0);
  if (!(sum > 0)) throw new RangeError('all singular values are 0');
  let entropy = 0;
  for (const v of s) if (v > 0) entropy -= (v / sum) * Math.log(v / sum);
  const l1 = s.reduce((acc, v) => acc + v * v, 0);
  const l2 = s.reduce((acc, v) => acc + v ** 4, 0);
  return { entropyRank: Math.exp(entropy), participationRatio: (l1 * l1) / l2, singularValues: s };
}

/**
 * Effective ranks of a representation R (n x p): the singular values of R (column-centred unless
 * `center = false`) from the eigenvalues of the smaller Gram matrix (R^T R or R R^T, formed in tfjs float32,
 * eigendecomposed in float64 by ml-matrix), then `effectiveRanksFromSingularValues`. Gram eigenvalues below
 * 1e-6 lambda_max (singular values below 1e-3 s_max) are float32 round-off of exact zeros and count as 0.
 * Cost: one n x p x min(n, p) matmul and an O(min(n, p)^3) eigendecomposition.
 */
export function representationEffectiveRank(
  representation: tf.Tensor2D,
  options: { center?: boolean } = {},
): RepresentationRanks {
  const [n, p] = representation.shape;
  const gram = tf.tidy(() => {
    const r = options.center === false ? representation : representation.sub(representation.mean(0));
    return (p <= n ? r.matMul(r, true, false) : r.matMul(r, false, true)).arraySync() as number[][];
  });
  const evd = new EigenvalueDecomposition(new Matrix(gram), { assumeSymmetric: true });
  const lambdaMax = Math.max(...evd.realEigenvalues);
  // Float32 round-off leaves eigenvalues of order 1e-7 lambda_max where the exact ones are 0.
  const s = evd.realEigenvalues.map((l) => (l > 1e-6 * lambdaMax ? Math.sqrt(l) : 0));
  return effectiveRanksFromSingularValues(s);
}

/**
 * Linear CKA (Kornblith, Norouzi, Lee & Hinton, ICML 2019, arXiv:1905.00414) between two representations of the
 * same n inputs, X (n x p1) and Y (n x p2), after centring their columns:
 *
 *     CKA(X, Y) = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)   in [0, 1],
 *
 * invariant to orthogonal transforms and isotropic scaling of either representation (not to general
 * invertible linear maps). Computed in tfjs in float32 (feature-space form; when p1 or p2 exceeds n the
 * equivalent Gram form <K_X, K_Y>_F / (||K_X||_F ||K_Y||_F) with K = X X^T is used).
 * Cost: O(n p1 p2 + n p1^2 + n p2^2) (or O(n^2 (p1 + p2)) in the Gram form); reads back one scalar.
 */
export function linearCka(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  if (x.shape[0] !== y.shape[0])
    throw new RangeError(`CKA needs the same inputs: ${x.shape[0]} vs ${y.shape[0]} rows`);
  return tf.tidy(() => {
    const n = x.shape[0];
    const xc = x.sub(x.mean(0)) as tf.Tensor2D;
    const yc = y.sub(y.mean(0)) as tf.Tensor2D;
    if (x.shape[1] > n || y.shape[1] > n) {
      const kx = xc.matMul(xc, false, true);
      const ky = yc.matMul(yc, false, true);
      return kx
        .mul(ky)
        .sum()
        .div(frobenius(kx).mul(frobenius(ky))) as tf.Scalar;
    }
    const cross = frobenius(yc.matMul(xc, true, false)).square();
    return cross.div(
      frobenius(xc.matMul(xc, true, false)).mul(frobenius(yc.matMul(yc, true, false))),
    ) as tf.Scalar;
  });
}

function frobenius(a: tf.Tensor): tf.Scalar {
  return a.square().sum().sqrt() as tf.Scalar;
}

/**
 * A representation snapshotted at a checkpoint (e.g. at init), to compare later representations of the same
 * inputs against it: `cka(current)` is `linearCka(snapshot, current)`. The snapshot is a kept copy (`tf.keep`),
 * so it survives the runner's scopes; call `dispose()` when done. Cost: as `linearCka`.
 */
export class RepresentationCheckpoint {
  private snapshot: tf.Tensor2D | null = null;

  /** Stores a copy of `representation` (replacing and disposing any previous one). */
  capture(representation: tf.Tensor2D): void {
    this.dispose();
    this.snapshot = tf.keep(representation.clone());
  }

  get captured(): boolean {
    return this.snapshot !== null;
  }

  /** Linear CKA between the snapshot and `representation`, as a number. */
  cka(representation: tf.Tensor2D): number {
    if (!this.snapshot) throw new Error('RepresentationCheckpoint: capture() a representation first');
    const value = linearCka(this.snapshot, representation);
    const out = value.dataSync()[0];
    value.dispose();
    return out;
  }

  dispose(): void {
    this.snapshot?.dispose();
    this.snapshot = null;
  }
}
