/**
 * muTransfer: the best learning rate stays put across widths under muP, and falls with width under SP
 *
 * A 3-layer ReLU MLP (16 -> n -> n -> 1, no biases) learns a fixed random teacher network by Adam on fresh
 * Gaussian batches of 64 (1/2-MSE), at widths n = 64, 256, 1024, for 7 learning rates 10^-4 ... 10^-1, under
 * both muP and standard parameterization (SP), 2 seeds: 84 short runs. muP follows the abc table of THEORY.md
 * entry 11 for Adam (relative to the base width 64, m = n / 64: readout initialised with variance 1/(64 n) and
 * multiplied by 1/m, hidden learning rate lr/m), so both parameterizations coincide at width 64. For every width
 * the `lrTransfer` laws take the optimal learning rate lr* from a parabola in log lr through the 3 grid points
 * around the lowest final loss (means over seeds), then the slope of log lr* against log width: THEORY.md entry
 * 17 predicts about 0 under muP (pass within +-0.15) and a clearly negative slope under SP (the logits'
 * update grows with n lr, so lr* falls with width: pass within [-1.2, -0.2]). The panel draws the loss against
 * lr per width with each parabola and lr*. Measured (8.5 minutes with 2 workers on a loaded 2-core machine):
 * muP lr* = 0.0088, 0.0085, 0.0079, slope -0.038 (paired bootstrap over the 2 seeds [-0.060, -0.035]); SP
 * lr* = 0.0088, 0.0025, 0.00041, slope -1.11 ([-1.15, -1.06]). With 2 seeds the bootstrap interval only spans
 * the two seeds' own slopes; the t interval (1 degree of freedom) is in the law's detail too.
 *
 * Conventions: loss (1/2) mean (f - y)^2 on a fixed evaluation set of 1024 inputs; final loss = mean of the last 5 samples (the last 50
 * steps); Adam with tf.train.adam's defaults except the per-layer learning rates.
 *
 * Reference: Yang et al., "Tensor Programs V: tuning large neural networks via zero-shot hyperparameter
 * transfer", arXiv:2203.03466 (2022); Yang & Hu, arXiv:2011.14522; microsoft/mup; THEORY.md entries 11 and 17.
 *
 * To see it break: swap the bands (the SP law fails with the muP band, and muP with SP's); fewer learning
 * rates (`--grid lr=0.001,0.01,0.1`): the grid is too coarse for the parabola and the slopes are noise; under SP
 * with SGD instead of Adam the shift is smaller at these widths.
 *
 * Open question (learningmechanics.pub): theories of hyperparameters: which hyperparameters transfer across
 * scale, and why muP's do.
 *
 * Strand: (d) theories of hyperparameters
 */
import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param, sweep } from 'learning-mechanics';
import { muPLayerScales, type MuPLayerKind, type MuPParameterization } from 'learning-mechanics/theory';

const KINDS: MuPLayerKind[] = ['input', 'hidden', 'output'];

@sweep('transfer', {
  grid: {
    parameterization: ['muP', 'SP'],
    width: [64, 256, 1024],
    lr: [10 ** -4, 10 ** -3.5, 10 ** -3, 10 ** -2.5, 10 ** -2, 10 ** -1.5, 10 ** -1],
  },
  seeds: 2,
  summarize: { loss: { meanLast: 5 } },
  laws: [
    {
      law: 'lrTransfer',
      name: 'muP: lr* does not move',
      lr: 'lr',
      width: 'width',
      y: 'loss',
      band: [-0.15, 0.15],
      where: { parameterization: 'muP' },
    },
    {
      law: 'lrTransfer',
      name: 'SP: lr* falls with width',
      lr: 'lr',
      width: 'width',
      y: 'loss',
      band: [-1.2, -0.2],
      where: { parameterization: 'SP' },
    },
  ],
})
@experiment({ title: 'muTransfer: the optimal learning rate across widths, muP vs SP', steps: 300 })
export class LrTransfer {
  /** 'muP' or 'SP'. */
  @param parameterization = 'muP';
  @param width = 256;
  /** The base learning rate (the input layer's; the others follow the parameterization). */
  @param lr = 0.01;
  /** The width where muP and SP coincide. */
  @param baseWidth = 64;
  @param inputDim = 16;
  @param batch = 64;
  @param teacherWidth = 32;
  @param seed = 0;

  scales = KINDS.map((kind, i) =>
    muPLayerScales(this.parameterization as MuPParameterization, kind, {
      fanIn: i === 0 ? this.inputDim : this.width,
      width: this.width,
      baseWidth: this.baseWidth,
      baseLr: this.lr,
      optimizer: 'adam',
    }),
  );
  weights = [
    [this.inputDim, this.width],
    [this.width, this.width],
    [this.width, 1],
  ].map(([fanIn, fanOut], i) => tf.variable(tf.randomNormal([fanIn, fanOut], 0, this.scales[i].initStd)));
  optimizers = this.scales.map((s) => tf.train.adam(s.lr));
  /** A fixed teacher (the same for every width and parameterization of a seed: drawn from its own stream). */
  teacher = tf.tidy(() => {
    const w1 = tf.randomNormal(
      [this.inputDim, this.teacherWidth],
      0,
      1 / Math.sqrt(this.inputDim),
      'float32',
      1000 + this.seed,
    );
    const w2 = tf.randomNormal(
      [this.teacherWidth, 1],
      0,
      1 / Math.sqrt(this.teacherWidth),
      'float32',
      2000 + this.seed,
    );
    return [tf.keep(w1), tf.keep(w2)];
  });
  /** A fixed evaluation set of 1024 inputs from the same distribution, where the loss is measured. */
  evalX = tf.randomNormal([1024, this.inputDim]) as tf.Tensor2D;
  evalY = this.target(this.evalX);

  forward(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, w2, w3] = this.weights;
    const [a1, a2, a3] = this.scales.map((s) => s.multiplier);
    const h1 = tf.relu(x.matMul(w1).mul(a1));
    const h2 = tf.relu(h1.matMul(w2).mul(a2));
    return h2.matMul(w3).mul(a3) as tf.Tensor2D;
  }

  target(x: tf.Tensor2D): tf.Tensor2D {
    const [w1, w2] = this.teacher;
    return tf.tanh(x.matMul(w1)).matMul(w2).mul(2) as tf.Tensor2D;
  }

  step() {
    tf.tidy(() => {
      const x = tf.randomNormal([this.batch, this.inputDim]) as tf.Tensor2D;
      const y = this.target(x);
      const { grads } = tf.variableGrads(() => this.forward(x).sub(y).square().mean().div(2) as tf.Scalar);
      this.weights.forEach((w, i) =>
        this.optimizers[i].applyGradients([{ name: w.name, tensor: grads[w.name] }]),
      );
    });
  }

  /** (1/2) mean (f - y)^2 on the evaluation set. */
  @observable({ every: 10 }) loss(): tf.Scalar {
    return this.forward(this.evalX).sub(this.evalY).square().mean().div(2) as tf.Scalar;
  }
}
