import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param } from 'learning-mechanics';

/**
 * The deep linear example's step (4x4, depth 2, plain SGD through `optimizer.minimize`) for a million steps,
 * with the process's own bookkeeping as observables: tfjs's live tensors and the resident and heap memory.
 * Flat curves are the proof that neither a real step nor a replayed one leaks (issue 6).
 */
@experiment({ title: 'A million steps: tensors and memory', steps: 1_000_000 })
export class LongRun {
  @param d = 4;
  @param lr = 0.002;
  x = tf.eye(this.d).mul(2);
  y = tf.diag(tf.linspace(3, 1, this.d)).matMul(this.x);
  weights = [0, 1].map(() => tf.variable(tf.randomNormal([this.d, this.d], 0, 1e-2)));
  optimizer = tf.train.sgd(this.lr);

  step() {
    this.optimizer.minimize(() => this.loss());
  }

  @observable({ every: 1000 }) loss(): tf.Scalar {
    const f = this.weights[1].matMul(this.weights[0]).matMul(this.x);
    return f.sub(this.y).square().sum().div(this.d);
  }

  @observable({ every: 10000 }) tensors(): number {
    return tf.memory().numTensors;
  }

  /**
   * Resident set and V8 heap in MiB, after a full garbage collection when the runner exposes it (the bench
   * starts it with --expose-gc): without one the heap reads high by whatever garbage awaits collection.
   */
  @observable({ every: 10000 }) memory(): number[] {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    return [rss / 2 ** 20, heapUsed / 2 ** 20];
  }
}
