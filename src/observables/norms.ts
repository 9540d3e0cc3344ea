import * as tf from '@tensorflow/tfjs';

/**
 * Norms of parameters, of their updates and of their gradients, layer by layer, for any list of tensors
 * (variables or plain tensors; one entry per "layer", i.e. per weight tensor). Every function runs its tfjs
 * work inside `tf.tidy`, reads back only the numbers it returns and leaks no tensor.
 *
 * Conventions: a layer's norm is the Frobenius norm ||W||_F = sqrt(sum_ij W_ij^2) of its tensor, whatever its
 * shape; "total" norms are the Euclidean norm of all parameters concatenated, sqrt(sum_l ||W_l||^2). Angles are
 * in radians. These are the observables of THEORY.md entry 20 (weight norm and angular update of scale-invariant
 * layers under weight decay; van Laarhoven 2017, arXiv:1706.05350; Kosson et al. 2024, arXiv:2305.17212) and the
 * relative update size ||dW|| / ||W|| that the spectral condition for feature learning asks to be Theta(1) per
 * layer up to fan-out/fan-in factors (Yang, Simon & Bernstein, arXiv:2310.17813; THEORY.md entry 11).
 */

/** Per-layer and total norm of a list of tensors. */
export interface LayerNormsReading {
  /** ||W_l||_F for each tensor, in order. */
  perLayer: number[];
  /** sqrt(sum_l ||W_l||_F^2). */
  total: number;
}

/** Per-layer quantities of one update W_prev -> W (see `ParameterUpdateTracker.measure`). */
export interface ParameterUpdateReading {
  /** ||W_l - W_prev,l||_F. */
  updateNorms: number[];
  /** ||W_l||_F after the update. */
  paramNorms: number[];
  /** ||W_l - W_prev,l||_F / ||W_prev,l||_F (Infinity if W_prev,l = 0 and the layer moved, 0 if neither). */
  relativeUpdates: number[];
  /** Angle between W_prev,l and W_l as flattened vectors, in radians (see `angleBetweenParameters`). */
  angles: number[];
  /** sqrt(sum_l ||W_l - W_prev,l||^2) / sqrt(sum_l ||W_prev,l||^2) over all layers together. */
  totalRelativeUpdate: number;
}

/**
 * Frobenius norm of every tensor and the total norm, ||W_l||_F and sqrt(sum_l ||W_l||_F^2).
 * Cost: one reduction per tensor and one read-back of `params.length` numbers.
 *
 * @example
 * parameterNormsPerLayer([tf.tensor1d([3, 4]), tf.tensor2d([[0, 0], [0, 12]])]); // => { perLayer: [5, 12], total: 13 }
 */
export function parameterNormsPerLayer(params: readonly tf.Tensor[]): LayerNormsReading {
  const perLayer = readNorms(() => params.map((p) => tf.norm(p)));
  return { perLayer, total: euclidean(perLayer) };
}

/**
 * Norms of the loss gradient: ||dL/dW_l||_F per tensor and the total sqrt(sum_l ||dL/dW_l||^2). `loss` receives
 * the tensors in the order given (for variables it may also ignore them and read the variables directly; the
 * gradient is taken with respect to the tensors passed in, so it must use them). Cost: one gradient evaluation
 * (a forward and a backward pass) and one read-back.
 *
 * @example
 * // L = w0^2 + 3 w1, at w = (1, 5): grad = (2, 3)
 * gradientNormsPerLayer(([a, b]) => a.square().sum().add(b.mul(3).sum()), [tf.scalar(1), tf.scalar(5)]);
 * // => { perLayer: [2, 3], total: 3.6056 }
 */
export function gradientNormsPerLayer(
  loss: (params: tf.Tensor[]) => tf.Scalar,
  params: readonly tf.Tensor[],
): LayerNormsReading {
  const perLayer = readNorms(() => {
    const grads = tf.grads((...xs: tf.Tensor[]) => loss(xs))([...params]);
    return grads.map((g) => tf.norm(g));
  });
  return { perLayer, total: euclidean(perLayer) };
}

/**
 * The angle between two parameter lists, layer by layer, each tensor taken as one flattened vector:
 *
 *     theta_l = angle(a_l, b_l) = 2 atan2(||a^ - b^||, ||a^ + b^||),   a^ = a_l / ||a_l||, b^ = b_l / ||b_l||,
 *
 * which equals arccos(<a, b> / (||a|| ||b||)) but keeps its relative precision for small angles in float32
 * (arccos of a cosine near 1 does not: at theta = 1e-3 float32 rounding of the cosine alone is a ~5% error).
 * This is the angular update of THEORY.md entry 20 when a = W_t and b = W_{t+1}. A zero tensor has no direction:
 * its angle is NaN. Cost: a few reductions per tensor, one read-back.
 *
 * @example
 * angleBetweenParameters([tf.tensor1d([1, 0])], [tf.tensor1d([1, 1])]); // => [0.7853981] (pi / 4)
 */
export function angleBetweenParameters(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): number[] {
  checkSameShapes(a, b);
  return readNorms(() =>
    a.map((x, l) => {
      const y = b[l];
      const xHat = x.div(tf.norm(x));
      const yHat = y.div(tf.norm(y));
      return tf.atan2(tf.norm(xHat.sub(yHat)), tf.norm(xHat.add(yHat))).mul(2);
    }),
  );
}

/**
 * Remembers a copy of the parameters (a "snapshot") and measures how far they have moved since: the update norms
 * ||W - W_prev||_F, the relative update ||W - W_prev||_F / ||W_prev||_F and the angle between W_prev and W, per
 * layer. Typical use for the per-step angular update of THEORY.md entry 20: `snapshot(params)` just before the
 * optimizer step, `measure(params)` just after it (on the steps you sample). Without a new snapshot, `measure`
 * compares with the last one, e.g. the initialization (then ||W_t - W_0|| / ||W_0|| is the relative distance
 * travelled, the lazy-vs-rich indicator of THEORY.md entry 10).
 *
 * The copies are `tf.keep`-ed clones, so the tracker works inside a runner scope or a `tf.tidy`; `dispose()`
 * frees them. Cost: a snapshot copies every parameter (memory = one model); a measurement is a few reductions
 * per tensor and one read-back.
 */
export class ParameterUpdateTracker {
  private previous: tf.Tensor[] | null = null;

  /** Takes a first snapshot when given parameters. */
  constructor(params?: readonly tf.Tensor[]) {
    if (params) this.snapshot(params);
  }

  /** Replaces the stored copy by a copy of `params`. */
  snapshot(params: readonly tf.Tensor[]): void {
    const copies = params.map((p) => tf.keep(p.clone()));
    this.release();
    this.previous = copies;
  }

  /** Whether a snapshot is held. */
  get hasSnapshot(): boolean {
    return this.previous !== null;
  }

  /**
   * How `params` differ from the snapshot (see `ParameterUpdateReading`). With `resnapshot`, the current
   * parameters then become the snapshot, so consecutive calls measure consecutive updates.
   */
  measure(params: readonly tf.Tensor[], options: { resnapshot?: boolean } = {}): ParameterUpdateReading {
    const previous = this.previous;
    if (!previous)
      throw new Error('ParameterUpdateTracker.measure: no snapshot (call snapshot(params) first)');
    checkSameShapes(previous, params);
    const L = params.length;
    const flat = readNorms(() => [
      ...params.map((p, l) => tf.norm(p.sub(previous[l]))),
      ...params.map((p) => tf.norm(p)),
      ...previous.map((p) => tf.norm(p)),
    ]);
    const updateNorms = flat.slice(0, L);
    const paramNorms = flat.slice(L, 2 * L);
    const previousNorms = flat.slice(2 * L);
    const angles = angleBetweenParameters(previous, params);
    const relativeUpdates = updateNorms.map((u, l) => ratioOf(u, previousNorms[l]));
    const totalRelativeUpdate = ratioOf(euclidean(updateNorms), euclidean(previousNorms));
    if (options.resnapshot) this.snapshot(params);
    return { updateNorms, paramNorms, relativeUpdates, angles, totalRelativeUpdate };
  }

  /** Frees the snapshot. */
  dispose(): void {
    this.release();
  }

  private release(): void {
    this.previous?.forEach((p) => p.dispose());
    this.previous = null;
  }
}

/** Runs `make` in a tidy scope and reads the scalars it returns back as numbers, in order. */
function readNorms(make: () => tf.Scalar[] | tf.Tensor[]): number[] {
  return tf.tidy(() => {
    const scalars = make();
    if (scalars.length === 0) return [];
    return Array.from(tf.stack(scalars.map((s) => s.reshape([]))).dataSync(), Number);
  });
}

function euclidean(values: readonly number[]): number {
  return Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
}

function ratioOf(num: number, den: number): number {
  if (den === 0) return num === 0 ? 0 : Infinity;
  return num / den;
}

function checkSameShapes(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): void {
  if (a.length !== b.length) throw new RangeError(`expected ${a.length} tensors, got ${b.length}`);
  a.forEach((x, l) => {
    if (x.shape.join(',') !== b[l].shape.join(','))
      throw new RangeError(`tensor ${l}: shape [${x.shape}] differs from [${b[l].shape}]`);
  });
}
