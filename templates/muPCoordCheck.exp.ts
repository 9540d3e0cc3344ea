/**
 * muP vs standard parameterization: coordinate check of one-step feature updates across widths
 *
 * A 3-layer ReLU MLP (d inputs -> n -> n -> C logits, no biases) is built at several widths n, once in the
 * standard parameterization (SP: every weight N(0, 1/fan_in), one learning rate) and once in muP as the `mup`
 * package implements it (readout y = W3 h / m with W3 ~ N(0, 1/n0), m = n / n0, and per-layer learning rates:
 * SGD input x m, hidden x 1, readout x m; Adam input x 1, hidden x 1/m, readout x 1). Each model takes one step
 * (`coordSteps`) of SGD or Adam on a batch of ½-MSE, and the typical size of the change of each layer's
 * pre-activations, l1 = mean |z(t) - z(0)| on that batch (mup's coord check), is recorded. Theory (Tensor Programs
 * IV): in muP every feature moves by Theta(1) whatever the width (exponent 0); in SP + SGD the input features
 * move as n^(-1/2) (they stop learning), the hidden ones as n^(+1/2) and the logits as n^(+1) (blow up).
 *
 * Every experiment step is one independent trial (fresh init and batch, shared by all models of the trial);
 * the observables are running means over trials. The `...Exponents` observables are least-squares slopes of
 * log l1 against log n, scored with THEORY.md's criterion: each within ±0.25 of its predicted exponent at the
 * end of the run (a `band` score, 0 inside the band).
 *
 * Targets: N(0, 1) plus a per-output offset shared by the batch (`targetOffset`), so that the error's batch mean
 * (the direction the ReLU features' common mode amplifies) is set by the targets. muP's logits at init are
 * ~ sqrt(n0 / n) and are mostly such a common mode: with `targetOffset = 0` they dominate the error at the
 * smallest widths and the muP slopes read about -0.1, -0.35, -0.4 at 128-1024 (a finite-width correction: in a
 * numpy check the sizes flatten out by 2048-4096; THEORY.md's own run saw -0.15, -0.24, -0.14).
 *
 * To see the theory break: set `targetOffset = 0` (finite-width correction above), lower `lr` to 0.02 with it
 * (the correction grows in the linear regime), or set `coordSteps = 3`: muP stays at 0 (Tensor Programs IV holds at
 * every finite step) while SP goes unstable at the larger widths and leaves the one-step table (measured +0.8,
 * +1.9, -0.4): THEORY.md's "flag unstable instead of scoring". With `optimizer = 'adam'` (lr about
 * 1e-3) the SP logits exponent is 1.5 only asymptotically: the n and n^(3/2) terms compete at these widths and the
 * slope reads ~1.35 (THEORY.md: 1.36 at 128-2048), 0.15 from the prediction, inside the band; muP stays at 0.
 * Reference: Yang & Hu, arXiv:2011.14522; Yang et al., arXiv:2203.03466; microsoft/mup `coord_check.py`;
 * THEORY.md entry 11. Open question probed (learningmechanics.pub): convergence of wide muP networks, and
 * optimal layerwise init / learning-rate prefactors.
 *
 * Strand: (b) tractable limits.
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction, type Band } from 'learning-mechanics';
import {
  muPLayerScales,
  muPOneStepExponents,
  muPWidthSlope,
  type MuPLayerKind,
  type MuPOptimizer,
  type MuPParameterization,
} from 'learning-mechanics/theory';

/** THEORY.md entry 11's pass criterion: the fitted exponent within 0.25 of the predicted one. */
const BAND = 0.25;
const KINDS: MuPLayerKind[] = ['input', 'hidden', 'output'];
const PARAMETERIZATIONS: MuPParameterization[] = ['muP', 'SP'];

@experiment({ title: 'muP vs SP coordinate check: feature updates across widths', steps: 24 })
export class MuPCoordCheck {
  /** Widths n of the hidden layers, one model per width and parameterization. */
  @param widths = [128, 256, 512, 1024];
  /** muP's base width n0 (where muP and SP coincide). */
  @param baseWidth = 128;
  @param inputs = 32;
  @param outputs = 10;
  @param batch = 64;
  /** 'sgd' or 'adam' (Adam: beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected). */
  @param optimizer = 'sgd';
  /**
   * Base learning rate (the rate of every layer at the base width). The exponents are first order in lr: at 0.1
   * SP's widest hidden features move by as much as they are (Delta z2 ~ z2) and its logits slope reads ~1.16.
   */
  @param lr = 0.05;
  /**
   * Standard deviation of a per-output offset shared by the batch's targets (targets = offset + N(0, 1)). It makes
   * the targets' batch mean Theta(1), as for labels; with 0 the muP slopes drift (see the header).
   */
  @param targetOffset = 1;
  /** Optimizer steps per trial before the update is measured. */
  @param coordSteps = 1;
  @param seed = 0;

  /** Sums over trials of l1(Delta z) per [parameterization][layer: input, hidden, logits][width]. */
  sums = PARAMETERIZATIONS.map(() => [0, 1, 2].map(() => this.widths.map(() => 0)));
  trials = 0;

  setup() {
    if (this.optimizer !== 'sgd' && this.optimizer !== 'adam')
      throw new RangeError(`optimizer must be 'sgd' or 'adam', got '${this.optimizer}'`);
  }

  /** One trial: a fresh batch, then every model is initialised, trained `coordSteps` steps and measured. */
  step() {
    const x = tf.randomNormal([this.batch, this.inputs]);
    const y = tf.tidy(() =>
      tf
        .randomNormal([this.batch, this.outputs])
        .add(tf.randomNormal([1, this.outputs], 0, this.targetOffset)),
    );
    PARAMETERIZATIONS.forEach((p, pi) => {
      this.widths.forEach((n, wi) => {
        const sizes = this.coordCheck(p, n, x, y);
        sizes.forEach((size, layer) => (this.sums[pi][layer][wi] += size));
      });
    });
    x.dispose();
    y.dispose();
    this.trials++;
  }

  /** [l1 Delta z1, l1 Delta z2, l1 Delta logits] of one model after `coordSteps` steps. */
  coordCheck(p: MuPParameterization, n: number, x: tf.Tensor, y: tf.Tensor): number[] {
    const fanIns = [this.inputs, n, n];
    const shapes: [number, number][] = [
      [this.inputs, n],
      [n, n],
      [n, this.outputs],
    ];
    const scales = KINDS.map((kind, l) =>
      muPLayerScales(p, kind, {
        fanIn: fanIns[l],
        width: n,
        baseWidth: this.baseWidth,
        baseLr: this.lr,
        optimizer: this.optimizer as MuPOptimizer,
      }),
    );
    return tf.tidy(() => {
      let weights = shapes.map((shape, l) => tf.randomNormal(shape, 0, scales[l].initStd));
      const forward = (w: tf.Tensor[]) => {
        const z1 = x.matMul(w[0]).mul(scales[0].multiplier);
        const z2 = z1.relu().matMul(w[1]).mul(scales[1].multiplier);
        const f = z2.relu().matMul(w[2]).mul(scales[2].multiplier);
        return [z1, z2, f];
      };
      const loss = (...w: tf.Tensor[]) =>
        forward(w)[2]
          .sub(y)
          .square()
          .sum()
          .div(2 * this.batch) as tf.Scalar;
      const before = forward(weights);
      const m = weights.map((w) => tf.zerosLike(w));
      const v = weights.map((w) => tf.zerosLike(w));
      for (let t = 1; t <= this.coordSteps; t++) {
        const grads = tf.grads(loss)(weights);
        weights = weights.map((w, l) => {
          if (this.optimizer === 'sgd') return w.sub(grads[l].mul(scales[l].lr));
          m[l] = m[l].mul(0.9).add(grads[l].mul(0.1));
          v[l] = v[l].mul(0.999).add(grads[l].square().mul(0.001));
          const mHat = m[l].div(1 - 0.9 ** t);
          const vHat = v[l].div(1 - 0.999 ** t);
          return w.sub(mHat.div(vHat.sqrt().add(1e-8)).mul(scales[l].lr));
        });
      }
      const after = forward(weights);
      const l1 = tf.stack(after.map((z, l) => z.sub(before[l]).abs().mean()));
      return Array.from(l1.dataSync());
    });
  }

  /** Mean over trials of l1(Delta z) for layer `layer` of parameterization `pi`, one entry per width. */
  meanSizes(pi: number, layer: number): number[] {
    return this.sums[pi][layer].map((s) => (this.trials > 0 ? s / this.trials : NaN));
  }

  /** Fitted exponents [input, hidden, logits] of parameterization `pi`. */
  exponents(pi: number): number[] {
    return [0, 1, 2].map((layer) => muPWidthSlope(this.widths, this.meanSizes(pi, layer)).slope);
  }

  @observable() muPDeltaInput(): number[] {
    return this.meanSizes(0, 0);
  }
  @observable() muPDeltaHidden(): number[] {
    return this.meanSizes(0, 1);
  }
  @observable() muPDeltaLogits(): number[] {
    return this.meanSizes(0, 2);
  }
  @observable() spDeltaInput(): number[] {
    return this.meanSizes(1, 0);
  }
  @observable() spDeltaHidden(): number[] {
    return this.meanSizes(1, 1);
  }
  @observable() spDeltaLogits(): number[] {
    return this.meanSizes(1, 2);
  }

  /** Least-squares slopes of log l1 vs log width: [input, hidden, logits]. */
  @observable() muPExponents(): number[] {
    return this.exponents(0);
  }
  @observable() spExponents(): number[] {
    return this.exponents(1);
  }

  /** The one-step exponents of `p` with THEORY.md's pass band, exponent ± 0.25. */
  predicted(p: MuPParameterization): Band {
    const e = muPOneStepExponents(p, this.optimizer as MuPOptimizer);
    const y = [e.input, e.hidden, e.logits];
    return { y, lo: y.map((q) => q - BAND), hi: y.map((q) => q + BAND) };
  }

  /** muP: exponent 0 for every layer. */
  @prediction('muPExponents', { score: 'band', tolerance: 0 }) muPTheory(): Band {
    return this.predicted('muP');
  }

  /** SP + SGD: -1/2, +1/2, +1 (SP + Adam: 0, +1, +3/2 asymptotically). */
  @prediction('spExponents', { score: 'band', tolerance: 0 }) spTheory(): Band {
    return this.predicted('SP');
  }
}
