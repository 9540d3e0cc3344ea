import * as tf from '@tensorflow/tfjs';
import { experiment, observable, param } from 'learning-mechanics';

/**
 * The empirical-NTK workload (THEORY.md entries 7 and 8): Theta(x, x') = sum_p df(x)/dtheta_p df(x')/dtheta_p
 * = J J^T over `points` inputs, for a one-hidden-layer tanh MLP of width `width` in NTK parameterization,
 * f(x) = v . tanh(W^T x / sqrt(dim) + b) / sqrt(width) + c. J's rows are per-example gradients from
 * `tf.grads`, looped over the points (the way THEORY.md's tfjs notes prescribe). One eNTK per step.
 */
@experiment({ title: 'Empirical NTK of a width-1024 MLP on 256 points', steps: 3 })
export class EmpiricalNtk {
  @param points = 256;
  @param dim = 64;
  @param width = 1024;

  x = tf.randomNormal([this.points, this.dim]);
  theta = [
    tf.variable(tf.randomNormal([this.dim, this.width])),
    tf.variable(tf.randomNormal([this.width])),
    tf.variable(tf.randomNormal([this.width, 1])),
    tf.variable(tf.scalar(0)),
  ];
  kernel: tf.Tensor = tf.zeros([this.points, this.points]);

  f(xi: tf.Tensor, [w, b, v, c]: tf.Tensor[]): tf.Scalar {
    const h = tf.tanh(
      xi
        .mul(1 / Math.sqrt(this.dim))
        .matMul(w)
        .add(b),
    );
    return h
      .matMul(v)
      .mul(1 / Math.sqrt(this.width))
      .add(c)
      .sum();
  }

  step() {
    const kernel = tf.tidy(() => {
      const rows = [];
      for (let i = 0; i < this.points; i++) {
        const xi = this.x.slice([i, 0], [1, this.dim]);
        const grads = tf.grads((...theta: tf.Tensor[]) => this.f(xi, theta))(this.theta);
        rows.push(tf.concat(grads.map((g) => g.reshape([-1]))));
      }
      const jacobian = tf.stack(rows);
      return jacobian.matMul(jacobian, false, true);
    });
    this.kernel.dispose();
    this.kernel = kernel;
  }

  @observable({ atEnd: true }) trace(): tf.Scalar {
    return tf.sum(this.kernel.mul(tf.eye(this.points)));
  }
}
