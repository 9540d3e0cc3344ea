/**
 * Signal propagation at initialization: order, chaos and the length and correlation maps.
 *
 * Deep random tanh networks (no training): each step pushes a batch of inputs through one more layer,
 * h^{l+1} = W^{l+1} tanh(h^l) + b^{l+1} with W_ij ~ N(0, sigma_w^2 / width), b_i ~ N(0, sigma_b^2), for several
 * sigma_w^2 side by side (one series each). The measured length q^l (mean squared pre-activation) and the
 * correlation c^l between pairs of inputs follow the infinite-width maps of Poole et al. layer by layer: q
 * relaxes to its fixed point q* within a few layers (depth scale xi_q), and c relaxes to c* = 1 when
 * chi_1 < 1 (ordered: inputs become indistinguishable) or to a c* < 1 when chi_1 > 1 (chaotic: nearby inputs
 * decorrelate), over the depth scale xi_c. With the default sigma_b^2 = 0.05 the order-chaos boundary
 * (chi_1 = 1) is at sigma_w^2 = 1.76 (`propagationCriticalSigmaW2`), so 1.3 is ordered and 2.3, 4.0 chaotic,
 * as in Poole et al.'s Fig. 1 (sigma_w^2 in {1.3, 2.3, 4.0}).
 *
 * Measurement: `networks` independent networks per sigma_w^2 each see `pairs` input pairs per family, all
 * started at the same (q0, c0). q^l averages (h^l_i)^2 over units, inputs and networks; c^l averages over pairs
 * and networks the empirical correlation sum_i h_i h'_i / sqrt(sum_i h_i^2 sum_i h'_i^2). Two families of pairs
 * start at c0 = 0.95 and at c0 = -0.5 (anti-correlated inputs), so the correlation is seen converging to c* from
 * both sides. At step s the observables read layer s + 1 (the first layer is computed in setup from inputs with
 * exactly the requested q0 and c0).
 *
 * What the tolerances allow. One network of width N adds per layer a sampling error of about sqrt(2/N) to q and
 * (1 - c^2)/sqrt(N) to c; these errors decay over the depth scales xi_q and xi_c (printed at setup). q relaxes
 * fast (xi_q ~ 1-2 layers), so its errors stay small: R^2 >= 0.99 (observed >= 0.999 on every series of seeds
 * 0-8, and >= 0.997 with one network). c is slower: next to the boundary (sigma_w^2 = 2.3, chi_1 = 1.10,
 * xi_c = 14) the map is nearly neutral, errors accumulate for ~xi_c layers as a random walk, and one seed's curve
 * runs a few layers ahead of or behind the theory even after averaging 4 networks: the worst series of each of
 * seeds 0-8 had R^2 from 0.86 to 0.98 (0.96 at seed 0), mostly the sigma_w^2 = 2.3 or 1.3 family started at
 * c0 = 0.95; every other series stayed >= 0.97. Hence R^2 >= 0.8 for c, for this reason. To see the theory
 * break: a narrow width (width = 50 or 150 gave R^2 of c down to 0.46 and 0.20 at seed 0, while q still held
 * R^2 >= 0.99: the length map contracts within a layer or two, the correlation map does not), or sigma_w^2 closer
 * to the boundary (1.76 at sigma_b^2 = 0.05), where xi_c diverges and finite-width effects accumulate over the
 * whole depth (they grow like depth / width; Hanin & Nica,
 * arXiv:1909.05989).
 *
 * Reference: Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli, arXiv:1606.05340; Schoenholz, Gilmer, Ganguli &
 * Sohl-Dickstein, arXiv:1611.01232; THEORY.md entry 9. Open question (learningmechanics.pub): "why depth ~ width",
 * "finite nets as discretizations of limits" (at what width do the layerwise maps stop describing one network).
 *
 * Strand: (b) tractable limits.
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, prediction } from 'learning-mechanics';
import { propagationDepthScales, propagationLayers } from 'learning-mechanics/theory';

@experiment({
  title: 'Signal propagation: length and correlation maps through a deep tanh network',
  steps: 30,
})
export class SignalPropagation {
  /** Units per layer (and input dimension). */
  @param width = 1000;
  /** One network per sigma_w^2 (one series each). */
  @param sigmaW2s = [1.3, 2.3, 4.0];
  @param sigmaB2 = 0.05;
  /** Input length q0 = |x|^2 / width: far from q* so that the length map's transient shows. */
  @param q0 = 3;
  /** Starting correlations of the two families of input pairs. */
  @param c0High = 0.95;
  @param c0Low = -0.5;
  /** Input pairs per family and network (averaged). */
  @param pairs = 2;
  /** Independent networks per sigma_w^2 (averaged): the fluctuations of one network are shared by its pairs. */
  @param networks = 4;
  @param seed = 0;

  /** Pre-activations of the current layer: per sigma_w^2, [networks, width, 4 * pairs] (columns are inputs). */
  h: tf.Tensor3D[] = [];

  setup() {
    const x = tf.tidy(() => this.inputs());
    this.h = this.sigmaW2s.map((s2) => tf.keep(tf.tidy(() => this.layer(x, s2, false))));
    x.dispose();
    for (const s2 of this.sigmaW2s) {
      const d = propagationDepthScales({ activation: 'tanh', sigmaW2: s2, sigmaB2: this.sigmaB2 });
      const phase = d.chi1 < 1 ? 'ordered' : 'chaotic';
      console.log(
        `sigma_w^2 = ${s2}: q* = ${d.qStar.toFixed(4)}, c* = ${d.cStar.toFixed(4)}, chi_1 = ${d.chi1.toFixed(4)} ` +
          `(${phase}), xi_q = ${d.xiQ.toFixed(2)}, xi_c = ${d.xiC.toFixed(2)} layers`,
      );
    }
  }

  /**
   * 4 * pairs input columns of length exactly q0 * width: for each pair, x and x' with empirical correlation
   * exactly c0 (Gram-Schmidt of two Gaussian vectors); columns [0, 2 pairs) are the c0High family.
   */
  inputs(): tf.Tensor3D {
    const cols: tf.Tensor[] = [];
    for (const c0 of [this.c0High, this.c0Low]) {
      for (let p = 0; p < this.pairs; p++) {
        const g = tf.randomNormal([this.width, 2]);
        const a = g.slice([0, 0], [this.width, 1]);
        const b0 = g.slice([0, 1], [this.width, 1]);
        const u = a.div(a.norm());
        const bPerp = b0.sub(u.mul(u.mul(b0).sum()));
        const v = bPerp.div(bPerp.norm());
        const scale = Math.sqrt(this.q0 * this.width);
        cols.push(
          u.mul(scale),
          u
            .mul(c0)
            .add(v.mul(Math.sqrt(1 - c0 * c0)))
            .mul(scale),
        );
      }
    }
    const x = tf.concat(cols, 1);
    return tf.stack(Array<tf.Tensor>(this.networks).fill(x)) as tf.Tensor3D;
  }

  /**
   * W phi(x) + b with W ~ N(0, sigma_w^2 / width), b ~ N(0, sigma_b^2), drawn independently for each network;
   * phi = tanh, or the identity for the inputs.
   */
  layer(x: tf.Tensor3D, sigmaW2: number, activate: boolean): tf.Tensor3D {
    const w = tf.randomNormal([this.networks, this.width, this.width], 0, Math.sqrt(sigmaW2 / this.width));
    const b = tf.randomNormal([this.networks, this.width, 1], 0, Math.sqrt(this.sigmaB2));
    return tf.matMul(w as tf.Tensor3D, activate ? x.tanh() : x).add(b) as tf.Tensor3D;
  }

  step() {
    this.h = this.h.map((h, i) => {
      const next = tf.keep(tf.tidy(() => this.layer(h, this.sigmaW2s[i], true)));
      h.dispose();
      return next;
    });
  }

  /** q^l = mean over units and inputs of h^2, per sigma_w^2. */
  @observable({ every: 1 }) length(): number[] {
    return tf.tidy(() => this.h.map((h) => h.square().mean().arraySync() as number));
  }

  /** Mean empirical correlation of the pairs of each family: [c_high(s2) for s2..., c_low(s2) for s2...]. */
  @observable({ every: 1 }) correlation(): number[] {
    return tf.tidy(() => {
      const family = (h: tf.Tensor3D, offset: number) => {
        const x1 = tf.gather(h, this.pairColumns(offset, 0), 2);
        const x2 = tf.gather(h, this.pairColumns(offset, 1), 2);
        const c = x1
          .mul(x2)
          .sum(1)
          .div(x1.square().sum(1).mul(x2.square().sum(1)).sqrt());
        return c.mean().arraySync() as number;
      };
      return [...this.h.map((h) => family(h, 0)), ...this.h.map((h) => family(h, 2 * this.pairs))];
    });
  }

  pairColumns(offset: number, which: 0 | 1): number[] {
    return Array.from({ length: this.pairs }, (_, p) => offset + 2 * p + which);
  }

  /** The length map iterated from layer 1, q^1 = sigma_w^2 q0 + sigma_b^2 (the input layer is linear). */
  @prediction('length', { score: 'r2', tolerance: 0.99, curve: true }) lengthMap(
    steps: number[],
  ): number[][] {
    const depth = Math.max(...steps);
    const curves = this.sigmaW2s.map((s2) => this.theory(s2, this.c0High, depth).q1);
    return steps.map((s) => curves.map((q) => q[s]));
  }

  /** The correlation map iterated from c^1 = (sigma_w^2 c0 q0 + sigma_b^2) / q^1, for both families. */
  @prediction('correlation', { score: 'r2', tolerance: 0.8, curve: true }) correlationMap(
    steps: number[],
  ): number[][] {
    const depth = Math.max(...steps);
    const curves = [this.c0High, this.c0Low].flatMap((c0) =>
      this.sigmaW2s.map((s2) => this.theory(s2, c0, depth).c),
    );
    return steps.map((s) => curves.map((c) => c[s]));
  }

  /** Layers 1 .. depth + 1 of the infinite-width maps: entry s is what step s measures. */
  theory(sigmaW2: number, c0: number, depth: number): { q1: number[]; c: number[] } {
    const net = { activation: 'tanh' as const, sigmaW2, sigmaB2: this.sigmaB2 };
    const q1 = sigmaW2 * this.q0 + this.sigmaB2;
    const c1 = (sigmaW2 * c0 * this.q0 + this.sigmaB2) / q1;
    return propagationLayers({ q1, c: c1, depth }, net);
  }
}
