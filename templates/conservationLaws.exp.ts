/**
 * Layer balance is conserved by gradient flow and drifts by exactly lr^2 per GD step
 *
 * A bias-free ReLU network has a rescaling symmetry per hidden neuron (scale its incoming weights by a, its
 * outgoing ones by 1/a), so gradient flow conserves D_l = ||W_{l+1}||^2 - ||W_l||^2 between consecutive layers
 * and delta_j = ||w_in,j||^2 - ||w_out,j||^2 for every hidden neuron; with weight decay wd they decay as
 * exp(-2 wd tau) instead. Gradient descent with a finite step breaks the law by an exactly known amount:
 * D_l(t+1) = (1 - lr wd)^2 D_l(t) + lr^2 (||G_{l+1}||^2 - ||G_l||^2), with G the loss gradients of that step.
 *
 * Overlays on the ReLU network:
 * - the gradient-flow law (a priori). It misses the accumulated drift, an O(lr) relative effect at fixed tau:
 *   2e-3 of D here and up to 8e-3 over seeds 0-9, hence a 1e-2 tolerance;
 * - the exact GD law predicted from the recorded gradients, on D_l and on single neurons' delta_j: exact up to
 *   float32 round-off, hence 1e-3;
 * - the same law on the drift itself, D_l(t) - D_l(0) (1 - lr wd)^(2t). The drift is ~1e-4 of D, and the
 *   float32 weights round by ~eps |w|^2 per entry and step (a random walk of 1e-6 to 3e-5 in D over the run)
 *   while a pair's drift can pass near 0 (its gradient gap changes sign): scored by R^2 >= 0.999 over the curve
 *   rather than by a pointwise relative error.
 * A second drift prediction uses no measured gradient at all: a depth-2 linear network trained alongside
 * (step modeLr), aligned with its target but unbalanced (layer gains a_k, b_k per mode), has D_k = b_k^2 - a_k^2
 * multiplied by 1 - (2c modeLr (lambda_k - s_k))^2 per step, so to leading order
 * ln D_k(t)/D_k(0) = -4 c^2 modeLr integral (lambda_k - s_k)^2 dtau, with s_k(tau) from the lambda-balanced
 * gradient flow: GD pulls the layers towards balance at a rate set by the step times the loss. The prediction
 * is first order in modeLr; its relative error is about c lambda modeLr (2% for the strong mode here), hence
 * 5%. Keep that network well unbalanced: D_k is a difference of two squares that grow to ~lambda_k, and
 * float32 round-off swamps a |D_k| much below 1e-5 lambda_k sqrt(steps).
 *
 * Reference: Du, Hu & Lee, arXiv:1806.00900; Kunin et al., "Neural mechanics", arXiv:2012.04728; THEORY.md
 * entry 6. Conventions: loss = 1/2 * mean squared error (c = 1/2), plain full-batch GD with decoupled weight
 * decay W <- (1 - lr wd) W - lr G, tau = lr t.
 *
 * To see the theory break: raise lr (e.g. 0.1: the first steps' large gradients make the drift larger than D
 * itself, so the gradient-flow law fails while the exact law still holds); switch to momentum or Adam (the
 * law is for the plain GD step); use tanh or add a normalization layer (no rescaling symmetry, nothing is
 * conserved).
 * Open question probed: "curvature" / "good optimizers" of learningmechanics.pub (what GD's discreteness changes
 * relative to gradient flow), and the balancedness that the deep-linear solutions (entries 1, 3) assume.
 *
 * Strand: (a) solvable settings (conservation laws hold for any depth and nonlinearity: also (e))
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import { balanceFlowDecay, depth2BalanceFlowDrift } from 'learning-mechanics/theory';
import {
  BalanceDriftTracker,
  layerBalanceGaps,
  layerBalanceMatrices,
  neuronBalance,
} from 'learning-mechanics/observables';

@experiment({ title: 'Conservation laws of layer balance and their lr^2 drift', steps: 400 })
export class ConservationLaws {
  @param lr = 0.02;
  @param weightDecay = 0.1;
  @param widths = [10, 40, 40, 1];
  /** Initial weight scale of each layer relative to He init: unequal scales give unbalanced layers. */
  @param initScales = [1.5, 1, 0.7];
  @param samples = 64;
  /** How many neurons of the first hidden layer to show per-neuron balance for. */
  @param neurons = 4;
  /** The linear side network: target strengths, and its two layers' initial gains per mode. */
  @param modeTargets = [4, 2];
  /** The linear side network's step size (its drift prediction is first order in it). */
  @param modeLr = 0.01;
  @param modeA0 = [0.3, 0.3];
  @param modeB0 = [0.01, 0.01];
  @param seed = 0;

  x = tf.randomNormal([this.samples, this.widths[0]]);
  /** A fixed random ReLU teacher of the same shape gives the targets. */
  y = this.forward(
    this.widths
      .slice(1)
      .map((w, l) => tf.randomNormal([this.widths[l], w], 0, Math.sqrt(2 / this.widths[l]))),
    this.x,
  );
  /** Weights in the tfjs layout [in, out]: h_{l+1} = relu(h_l W_l). */
  weights = this.widths
    .slice(1)
    .map((w, l) =>
      tf.variable(
        tf.randomNormal([this.widths[l], w], 0, this.initScales[l] * Math.sqrt(2 / this.widths[l])),
      ),
    );
  tracker!: BalanceDriftTracker;
  gaps0: number[] = [];
  /**
   * A depth-2 linear network aligned with its diagonal target T but unbalanced (W1 = diag(a0), W2 = diag(b0),
   * outIn layout), loss 1/2 ||W2 W1 - T||_F^2 (whitened inputs, c = 1/2), trained by plain GD alongside (no
   * weight decay): its balance M = W2^T W2 - W1 W1^T = diag(b^2 - a^2) has an a-priori drift prediction.
   */
  modeNet = [this.modeA0, this.modeB0].map((g) => tf.variable(tf.diag(tf.tensor1d(g))));
  modeT = tf.diag(tf.tensor1d(this.modeTargets));
  /** D_k(0) as the float32 network holds it. */
  modeD0: number[] = [];

  setup() {
    if (this.initScales.length !== this.weights.length)
      throw new RangeError(`initScales needs ${this.weights.length} entries`);
    this.tracker = new BalanceDriftTracker(this.weights, { layout: 'inOut' });
    this.modeD0 = tf.tidy(() => {
      const m = layerBalanceMatrices(this.modeNet)[0].arraySync();
      return this.modeTargets.map((_, k) => m[k][k]);
    });
    this.gaps0 = tf.tidy(() => layerBalanceGaps(this.weights, { layout: 'inOut' }).arraySync());
  }

  forward(weights: tf.Tensor[], x: tf.Tensor): tf.Tensor {
    return weights.reduce((h, w, l) => {
      const z = h.matMul(w);
      return l < weights.length - 1 ? tf.relu(z) : z;
    }, x);
  }

  lossOf(weights: tf.Tensor[]): tf.Scalar {
    return this.forward(weights, this.x)
      .sub(this.y)
      .square()
      .sum()
      .div(2 * this.samples);
  }

  /** One plain GD step with decoupled weight decay, recording the gradients it used. */
  gdStep(weights: tf.Variable[], tracker: BalanceDriftTracker, lr: number) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => this.lossOf(weights), weights);
      const g = weights.map((w) => grads[w.name]);
      // The float32 weights are multiplied by float32(1 - lr wd), which differs from 1 - lr wd by ~1e-8: over
      // hundreds of steps that shifts D by more than the drift, so tell the tracker the factor actually used.
      const keep = Math.fround(1 - lr * this.weightDecay);
      tracker.record({ grads: g, lr, weightDecay: (1 - keep) / lr });
      weights.forEach((w, l) => w.assign(w.mul(keep).sub(g[l].mul(lr))));
    });
  }

  step() {
    this.gdStep(this.weights, this.tracker, this.lr);
    tf.tidy(() => {
      const [w1, w2] = this.modeNet;
      const { grads } = tf.variableGrads(
        () => w2.matMul(w1).sub(this.modeT).square().sum().mul(0.5) as tf.Scalar,
        this.modeNet,
      );
      this.modeNet.forEach((w) => w.assign(w.sub(grads[w.name].mul(this.modeLr))));
    });
  }

  @observable({ every: 10 }) loss(): tf.Scalar {
    return this.lossOf(this.weights);
  }

  /** D_l = ||W_{l+1}||^2 - ||W_l||^2 for each consecutive pair. */
  @observable({ every: 10 }) layerGaps(): tf.Tensor1D {
    return layerBalanceGaps(this.weights, { layout: 'inOut' });
  }

  /** The gradient-flow law D_l(0) exp(-2 wd tau): conservation, or pure exponential decay with weight decay. */
  @prediction('layerGaps', { score: 'maxRelError', tolerance: 0.01 }) gradientFlow(t: number): number[] {
    return this.gaps0.map((d0) => balanceFlowDecay(d0, this.weightDecay, this.lr * t));
  }

  /** The exact GD law, gradient-flow decay plus the accumulated lr^2 (||G_{l+1}||^2 - ||G_l||^2). */
  @prediction('layerGaps', { score: 'maxRelError', tolerance: 1e-3 }) gdLaw(): tf.Tensor1D {
    return this.tracker.predictedGaps();
  }

  /** The departure from the gradient-flow law, D_l(t) - D_l(0) (1 - lr wd)^(2t): zero under gradient flow. */
  @observable({ every: 10 }) drift(): tf.Tensor1D {
    return this.tracker.measuredDrift(this.weights);
  }

  @prediction('drift', { score: 'r2', tolerance: 0.999 }) lrSquaredDrift(): tf.Tensor1D {
    return this.tracker.predictedDrift();
  }

  /** delta_j = ||w_in,j||^2 - ||w_out,j||^2 for the first few neurons of the first hidden layer. */
  @observable({ every: 10 }) neuronBalance(): tf.Tensor1D {
    return neuronBalance(this.weights, { layout: 'inOut' }).slice(0, this.neurons);
  }

  @prediction('neuronBalance', { score: 'maxRelError', tolerance: 1e-3 }) neuronGdLaw(): tf.Tensor1D {
    return this.tracker.predictedNeuronBalance().slice(0, this.neurons);
  }

  /**
   * ln(D_k(t) / D_k(0)) for each mode k of the linear side network, D_k = b_k^2 - a_k^2 (the diagonal of M):
   * 0 under gradient flow; GD multiplies D_k by 1 - (modeLr (lambda_k - s_k))^2 per step (c = 1/2).
   */
  @observable({ every: 10 }) modeBalanceDrift(): number[] {
    const m = tf.tidy(() => layerBalanceMatrices(this.modeNet)[0].arraySync());
    return this.modeTargets.map((_, k) => Math.log(m[k][k] / this.modeD0[k]));
  }

  /**
   * A priori, from the gradient flow alone: ln D_k(tau) / D_k(0) = -4 c^2 modeLr integral (lambda_k - s_k)^2
   * dtau along the lambda-balanced flow ds/dtau = 2c (lambda - s) sqrt(D^2 + 4 s^2). Leading order in modeLr:
   * its relative error is O(modeLr) (the GD trajectory differs from the flow by O(modeLr)).
   */
  @prediction('modeBalanceDrift', { score: 'maxRelError', tolerance: 0.05, curve: true })
  flowDrift(steps: number[]): number[][] {
    const perMode = this.modeTargets.map((lambda, k) => {
      const a0 = this.modeA0[k];
      const b0 = this.modeB0[k];
      const d0 = b0 * b0 - a0 * a0;
      const d = depth2BalanceFlowDrift({
        s0: a0 * b0,
        d0,
        lambda,
        c: 0.5,
        lr: this.modeLr,
        steps,
        substeps: 4,
      });
      return d.map((v) => Math.log(v / d0));
    });
    return steps.map((_, i) => perMode.map((mode) => mode[i]));
  }
}
