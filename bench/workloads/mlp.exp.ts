import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param } from 'learning-mechanics';

/**
 * The matmul-bound workload: an MLP 784-512-512-10 trained with SGD on synthetic data, batch 128.
 * `model.apply`, not `model.predict`: predict splits its input into batches of 32 (its default batchSize),
 * which makes four small products of every large one.
 */
@experiment({ title: 'MLP 784-512-512-10, batch 128, SGD', steps: 30 })
export class Mlp {
  @param batch = 128;
  @param lr = 0.01;
  x = tf.randomNormal([this.batch, 784]);
  y = tf.oneHot(tf.randomUniform([this.batch], 0, 10, 'int32'), 10).toFloat();
  model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
      tf.layers.dense({ units: 512, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  optimizer = tf.train.sgd(this.lr);
  lastLoss = tf.scalar(0);

  step() {
    const loss = this.optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(this.y, this.model.apply(this.x) as tf.Tensor),
      true,
    )!;
    this.lastLoss.dispose();
    this.lastLoss = loss;
  }

  @observable({ every: 10 }) loss() {
    return this.lastLoss.clone();
  }
}
