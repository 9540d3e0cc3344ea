import * as tf from '@tensorflow/tfjs';

/**
 * Layer balancedness and the conserved quantities of homogeneous networks (THEORY.md entry 6; Du, Hu & Lee,
 * arXiv:1806.00900; Kunin et al., "Neural mechanics", arXiv:2012.04728), measured on any list of weight tensors.
 *
 * For a bias-free chain W_1, ..., W_L with a homogeneous activation between layers (linear, ReLU, leaky ReLU),
 * rescaling hidden unit j by a and its outgoing weights by 1/a leaves the function unchanged. The matching
 * Noether quantities, conserved by gradient flow, are
 *
 *     delta_j = ||w_in,j||^2 - ||w_out,j||^2              (per hidden neuron j, any homogeneous activation)
 *     D_l     = ||W_{l+1}||_F^2 - ||W_l||_F^2 = -sum_j delta_j over layer l's neurons
 *     M_l     = W_{l+1}^T W_{l+1} - W_l W_l^T              (linear nets: the whole GL(h) symmetry)
 *
 * (signs as THEORY.md gives them: delta is in minus out, D and M are out minus in). A layer bias b_l is part of
 * the incoming weights of its neurons: ||w_in,j||^2 gains b_j^2, D_l loses ||b_l||^2, M_l loses b_l b_l^T (the
 * bias is an extra input column of W_l). The last layer's bias plays no part.
 *
 * Layout: `outIn` (default) is the math convention of the formula, W_l of shape [out, in] acting as W_l x (and
 * PyTorch's [out, in, kh, kw] conv kernels); `inOut` is the tfjs convention, x.matMul(W) with W of shape
 * [in, out] (and tfjs [kh, kw, in, out] conv kernels). Per-neuron norms sum over every axis but the neuron's, so
 * conv kernels give the per-channel quantities; the matrix M_l needs rank-2 weights.
 */
export type BalanceLayout = 'outIn' | 'inOut';

export interface LayerBalanceOptions {
  /** Weight layout, `outIn` ([out, in], W x; default) or `inOut` ([in, out], x W as in tfjs layers). */
  layout?: BalanceLayout;
  /** biases[l] is the bias added to layer l's output (length = that layer's width), or null / missing. */
  biases?: readonly (tf.Tensor | null | undefined)[];
}

/**
 * ||w_in,j||^2 (+ b_j^2) for every output neuron j of each layer but the last, and ||w_out,j||^2 for every input
 * neuron j of each layer but the first: the two halves of delta_j, as one 1-D tensor per hidden layer.
 */
function neuronNorms(
  tensors: readonly tf.Tensor[],
  options: LayerBalanceOptions,
): { incoming: tf.Tensor1D[]; outgoing: tf.Tensor1D[] } {
  const layout = options.layout ?? 'outIn';
  if (tensors.length < 2) throw new RangeError(`need at least 2 layers, got ${tensors.length}`);
  const incoming: tf.Tensor1D[] = [];
  const outgoing: tf.Tensor1D[] = [];
  tensors.forEach((w, l) => {
    if (w.rank < 2) throw new RangeError(`weight ${l} has rank ${w.rank}; need a matrix or a conv kernel`);
  });
  const axes = (w: tf.Tensor, keep: number) => w.shape.map((_, i) => i).filter((i) => i !== keep);
  const outAxis = (w: tf.Tensor) => (layout === 'outIn' ? 0 : w.rank - 1);
  const inAxis = (w: tf.Tensor) => (layout === 'outIn' ? 1 : w.rank - 2);
  for (let l = 0; l + 1 < tensors.length; l++) {
    const w = tensors[l];
    const next = tensors[l + 1];
    const width = w.shape[outAxis(w)];
    if (next.shape[inAxis(next)] !== width) {
      throw new RangeError(
        `layer ${l} has ${width} outputs but layer ${l + 1} has ${next.shape[inAxis(next)]} inputs (layout ${layout})`,
      );
    }
    let inNorm = w.square().sum(axes(w, outAxis(w))) as tf.Tensor1D;
    const bias = options.biases?.[l];
    if (bias) {
      if (bias.size !== width)
        throw new RangeError(`bias ${l} has ${bias.size} entries for ${width} neurons`);
      inNorm = inNorm.add(bias.reshape([width]).square());
    }
    incoming.push(inNorm);
    outgoing.push(next.square().sum(axes(next, inAxis(next))) as tf.Tensor1D);
  }
  return { incoming, outgoing };
}

/**
 * delta_j = ||w_in,j||^2 (+ b_j^2) - ||w_out,j||^2 for every hidden neuron (or conv channel), hidden layers
 * concatenated in order: a 1-D tensor of length sum of the hidden widths. Conserved by gradient flow for any
 * homogeneous activation. Cost: one pass of squares over the weights, O(P).
 */
export function neuronBalance(weights: readonly tf.Tensor[], options: LayerBalanceOptions = {}): tf.Tensor1D {
  return tf.tidy(() => {
    const { incoming, outgoing } = neuronNorms(weights, options);
    return tf.concat(incoming.map((inNorm, l) => inNorm.sub(outgoing[l]))) as tf.Tensor1D;
  });
}

/**
 * D_l = ||W_{l+1}||_F^2 - ||W_l||_F^2 (- ||b_l||^2) for each consecutive pair, a 1-D tensor of length L - 1:
 * the trace of M_l and minus the sum of layer l's delta_j. Conserved by gradient flow for any homogeneous
 * activation. Cost: O(P).
 */
export function layerBalanceGaps(
  weights: readonly tf.Tensor[],
  options: LayerBalanceOptions = {},
): tf.Tensor1D {
  return tf.tidy(() => {
    const { incoming, outgoing } = neuronNorms(weights, options);
    return tf.stack(incoming.map((inNorm, l) => outgoing[l].sum().sub(inNorm.sum()))) as tf.Tensor1D;
  });
}

/**
 * The balancedness matrices M_l = W_{l+1}^T W_{l+1} - W_l W_l^T (- b_l b_l^T), h_l x h_l for the hidden width
 * h_l, one per consecutive pair, in the `outIn` form whatever the layout (for `inOut`, W_{l+1} W_{l+1}^T -
 * W_l^T W_l). Conserved by gradient flow for linear networks. Rank-2 weights only. The caller owns the result.
 * Cost: O(sum_l h_l^2 (in_l + out_{l+1})).
 */
export function layerBalanceMatrices(
  weights: readonly tf.Tensor[],
  options: LayerBalanceOptions = {},
): tf.Tensor2D[] {
  const layout = options.layout ?? 'outIn';
  weights.forEach((w, l) => {
    if (w.rank !== 2) throw new RangeError(`weight ${l} has rank ${w.rank}; the matrix M_l needs matrices`);
  });
  if (weights.length < 2) throw new RangeError(`need at least 2 layers, got ${weights.length}`);
  return tf.tidy(() => {
    const out: tf.Tensor2D[] = [];
    for (let l = 0; l + 1 < weights.length; l++) {
      // Both layouts in the outIn form: W_l as [h, in], W_{l+1} as [out, h].
      const w = (layout === 'outIn' ? weights[l] : weights[l].transpose()) as tf.Tensor2D;
      const next = (layout === 'outIn' ? weights[l + 1] : weights[l + 1].transpose()) as tf.Tensor2D;
      if (next.shape[1] !== w.shape[0]) {
        throw new RangeError(
          `layer ${l} has ${w.shape[0]} outputs but layer ${l + 1} has ${next.shape[1]} inputs (layout ${layout})`,
        );
      }
      let m = tf.matMul(next, next, true, false).sub(tf.matMul(w, w, false, true));
      const bias = options.biases?.[l];
      if (bias) {
        const b = bias.reshape([w.shape[0], 1]);
        m = m.sub(tf.matMul(b, b, false, true));
      }
      out.push(m as tf.Tensor2D);
    }
    return out;
  });
}

/**
 * Layer balancedness ||M_l||_F = ||W_{l+1}^T W_{l+1} - W_l W_l^T||_F for each consecutive pair, a 1-D tensor
 * of length L - 1 (0 for balanced layers; conserved as a matrix by gradient flow in linear nets, so its norm
 * is too). Rank-2 weights only. Cost: as `layerBalanceMatrices`.
 */
export function layerBalanceNorms(
  weights: readonly tf.Tensor[],
  options: LayerBalanceOptions = {},
): tf.Tensor1D {
  return tf.tidy(() => {
    const ms = layerBalanceMatrices(weights, options);
    return tf.stack(ms.map((m) => m.square().sum().sqrt())) as tf.Tensor1D;
  });
}

/** What one GD step did: its step size, its decoupled weight decay, and the loss gradients it used. */
export interface BalanceStepRecord {
  /** The gradients of the loss (without the weight-decay term) at the weights before the step, one per weight. */
  grads: readonly tf.Tensor[];
  /** Gradients of the biases listed in the tracker's options (same positions), if it has biases. */
  biasGrads?: readonly (tf.Tensor | null | undefined)[];
  lr: number;
  /**
   * lambda in W <- W - lr (G + lambda W), i.e. (1 - lr lambda) W - lr G; default 0. With float32 weights
   * multiplied by k = Math.fround(1 - lr lambda), pass (1 - k) / lr: the ~1e-8 rounding of k, compounded over
   * hundreds of steps, can shift D by more than the lr^2 drift.
   */
  weightDecay?: number;
}

/**
 * Predicts the balance quantities of a homogeneous network trained by GD from the gradients it used, with the
 * exact discrete-time law of THEORY.md entry 6 (derived there from W_{l+1}^T G_{l+1} = G_l W_l^T, whose
 * diagonal holds for any homogeneous activation):
 *
 *     delta_j(t+1) = (1 - lr lambda)^2 delta_j(t) + lr^2 (||g_in,j||^2 - ||g_out,j||^2)
 *     D_l(t+1)     = (1 - lr lambda)^2 D_l(t)     + lr^2 (||G_{l+1}||^2 - ||G_l||^2)
 *
 * with G = dLoss/dW of the loss without weight decay (the cross terms lr (1 - lr lambda)(W^T G + G^T W) cancel
 * between layers). Gradient flow (lr -> 0 at fixed tau = lr t) keeps only the decay, D(tau) = D(0) exp(-2
 * lambda tau): `conservedGaps()` is its discrete form D(0) prod_t (1 - lr_t lambda)^2, and the difference
 * `predictedGaps() - conservedGaps()` (= `predictedDrift()`) is the accumulated O(lr^2) drift. Exact in exact arithmetic for full-batch or
 * SGD steps alike (the gradients are whatever the step used); with momentum or Adam it does not hold.
 *
 * Usage: construct at init (snapshots delta_j(0)), call `record` once per step with that step's gradients,
 * read `predicted*` / `conserved*` in observables or predictions; `dispose` at the end. Cost per `record`: one
 * pass of squares over the gradients, O(P), no readback.
 */
export class BalanceDriftTracker {
  private readonly options: LayerBalanceOptions;
  private readonly initial: tf.Variable;
  /** sum_s (1 - lr lambda)^(2 (t - 1 - s)) lr^2 gap_s per neuron: kept apart from the decaying initial value
   *  so that float32 rounding of the decay factor only touches this small part. */
  private readonly accumulated: tf.Variable;
  private decay = 1;
  /** Hidden widths, to split the neuron vector into layers. */
  private readonly widths: number[];

  constructor(weights: readonly tf.Tensor[], options: LayerBalanceOptions = {}) {
    this.options = { layout: options.layout ?? 'outIn', biases: options.biases };
    const delta = neuronBalance(weights, this.options);
    this.initial = tf.variable(delta, false);
    const zeros = tf.zerosLike(delta);
    this.accumulated = tf.variable(zeros, false);
    delta.dispose();
    zeros.dispose();
    const layout = this.options.layout;
    this.widths = weights.slice(0, -1).map((w) => w.shape[layout === 'outIn' ? 0 : w.rank - 1]);
  }

  /** Advances the prediction by one GD step (call it with the gradients the step applied). */
  record(step: BalanceStepRecord): void {
    const { lr, weightDecay = 0 } = step;
    if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`lr must be finite and >= 0, got ${lr}`);
    if (!Number.isFinite(weightDecay)) throw new RangeError(`weightDecay must be finite, got ${weightDecay}`);
    const factor = (1 - lr * weightDecay) ** 2;
    tf.tidy(() => {
      const gradDelta = neuronBalance(step.grads, { layout: this.options.layout, biases: step.biasGrads });
      this.accumulated.assign(this.accumulated.mul(factor).add(gradDelta.mul(lr * lr)));
    });
    this.decay *= factor;
  }

  /** Predicted delta_j(t) for every hidden neuron, concatenated as `neuronBalance` orders them. */
  predictedNeuronBalance(): tf.Tensor1D {
    return tf.tidy(() => this.initial.mul(this.decay).add(this.accumulated) as tf.Tensor1D);
  }

  /** Predicted D_l(t) per consecutive pair, as `layerBalanceGaps`. */
  predictedGaps(): tf.Tensor1D {
    return tf.tidy(
      () => this.layerSums(this.initial.mul(this.decay).add(this.accumulated)).neg() as tf.Tensor1D,
    );
  }

  /** The gradient-flow law D_l(0) prod (1 - lr lambda)^2 (D_l(0) without weight decay). */
  conservedGaps(): tf.Tensor1D {
    return tf.tidy(() => this.layerSums(this.initial).mul(-this.decay) as tf.Tensor1D);
  }

  /** The gradient-flow law per neuron, delta_j(0) prod (1 - lr lambda)^2. */
  conservedNeuronBalance(): tf.Tensor1D {
    return tf.tidy(() => this.initial.mul(this.decay) as tf.Tensor1D);
  }

  /**
   * The measured violation of the gradient-flow law, D_l(t) - D_l(0) prod (1 - lr lambda)^2 per pair, from the
   * current weights (the same weights and biases, in the same order, as at construction). It subtracts per
   * neuron before summing (less float32 cancellation than differencing two D_l) and is exactly 0 before the
   * first step, like `predictedDrift`.
   */
  measuredDrift(weights: readonly tf.Tensor[]): tf.Tensor1D {
    return tf.tidy(() => {
      const delta = neuronBalance(weights, this.options);
      return this.layerSums(this.initial.mul(this.decay).sub(delta)) as tf.Tensor1D;
    });
  }

  /** The predicted accumulated lr^2 drift, `predictedGaps() - conservedGaps()`. */
  predictedDrift(): tf.Tensor1D {
    return tf.tidy(() => this.layerSums(this.accumulated).neg() as tf.Tensor1D);
  }

  /** prod_t (1 - lr_t lambda_t)^2 so far (1 without weight decay). */
  get decayFactor(): number {
    return this.decay;
  }

  dispose(): void {
    this.initial.dispose();
    this.accumulated.dispose();
  }

  private layerSums(v: tf.Tensor): tf.Tensor {
    return tf.stack(tf.split(v, this.widths).map((part) => part.sum()));
  }
}
