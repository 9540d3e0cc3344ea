import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param } from 'learning-mechanics';

/**
 * The edge-of-stability workload (THEORY.md entry 19): full-batch gradient descent on a tanh MLP
 * dim-width-width-classes with loss = c * sum_i ||f(x_i) - y_i||^2 / n, c = 1/2, and every 50 steps the
 * sharpness, lambda_max of the Hessian of exactly that loss, by `iterations` rounds of power iteration on
 * central finite-difference Hessian-vector products Hv = [g(theta + eps v) - g(theta - eps v)] / (2 eps),
 * eps = 1e-3 max(1, ||theta|| / sqrt(P)), warm-started from the previous estimate's vector.
 * Defaults are THEORY.md's check (n = 500, 30-100-100-5, lr = 0.3: sharpness rises to 2/lr = 6.7 and hovers).
 */
@experiment({ title: 'Full-batch GD with a sharpness estimate every 50 steps', steps: 500 })
export class EdgeOfStability {
  @param n = 500;
  @param dim = 30;
  @param width = 100;
  @param classes = 5;
  @param lr = 0.3;
  @param iterations = 20;

  x = tf.randomNormal([this.n, this.dim]);
  /** Labels of a random linear teacher, one-hot. */
  y = tf.tidy(() =>
    tf.oneHot(this.x.matMul(tf.randomNormal([this.dim, this.classes])).argMax(1), this.classes).toFloat(),
  );
  params = [this.dim, this.width, this.width, this.classes].slice(1).flatMap((fanOut, i, outs) => {
    const fanIn = i === 0 ? this.dim : outs[i - 1];
    return [
      tf.variable(tf.randomNormal([fanIn, fanOut], 0, 1 / Math.sqrt(fanIn))),
      tf.variable(tf.zeros([fanOut])),
    ];
  });
  /** The power iteration's vector, carried from one estimate to the next. */
  v = this.params.map((p) => tf.variable(tf.randomNormal(p.shape)));

  lossAt(params: tf.Tensor[]): tf.Scalar {
    const [w1, b1, w2, b2, w3, b3] = params;
    const h1 = tf.tanh(this.x.matMul(w1).add(b1));
    const h2 = tf.tanh(h1.matMul(w2).add(b2));
    return h2
      .matMul(w3)
      .add(b3)
      .sub(this.y)
      .square()
      .sum()
      .mul(0.5 / this.n);
  }

  gradAt(params: tf.Tensor[]): tf.Tensor[] {
    return tf.grads((...p: tf.Tensor[]) => this.lossAt(p))(params);
  }

  step() {
    tf.tidy(() => {
      const grads = this.gradAt(this.params);
      this.params.forEach((p, i) => p.assign(p.sub(grads[i].mul(this.lr))));
    });
  }

  @observable({ every: 10 }) loss(): tf.Scalar {
    return this.lossAt(this.params);
  }

  /** v^T H v with ||v|| = 1 after the last round: the top eigenvalue once the iteration has converged. */
  @observable({ every: 50 }) sharpness(): tf.Scalar {
    const count = this.params.reduce((s, p) => s + p.size, 0);
    const norm = Math.sqrt(this.params.reduce((s, p) => s + p.square().sum().dataSync()[0], 0));
    const eps = 1e-3 * Math.max(1, norm / Math.sqrt(count));
    let lambda = tf.scalar(0);
    for (let round = 0; round < this.iterations; round++) {
      lambda = tf.tidy(() => {
        const vNorm = tf.addN(this.v.map((u) => u.square().sum())).sqrt();
        const unit = this.v.map((u) => u.div(vNorm));
        const plus = this.gradAt(this.params.map((p, i) => p.add(unit[i].mul(eps))));
        const minus = this.gradAt(this.params.map((p, i) => p.sub(unit[i].mul(eps))));
        const hv = plus.map((g, i) => g.sub(minus[i]).div(2 * eps));
        this.v.forEach((u, i) => u.assign(hv[i]));
        return tf.addN(unit.map((u, i) => u.mul(hv[i]).sum())) as tf.Scalar;
      });
    }
    return lambda;
  }
}
