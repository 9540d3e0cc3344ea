import * as tf from '@tensorflow/tfjs';

/** Windows in a row with steady growth before warning; one window is the span between two yields. */
const WINDOWS = 3;

/**
 * Watches `tf.memory().numTensors` between yields of the training loop and warns once when it grows at
 * least one tensor every two steps for several windows in a row: the signature of a step that creates
 * tensors outside `tf.tidy` and never disposes them, which ends in an out-of-memory crash hours later.
 */
export class LeakWatch {
  private last?: { step: number; tensors: number };
  private growing = 0;
  private warned = false;

  constructor(private readonly warn: (message: string) => void) {}

  check(step: number, tensors = tf.memory().numTensors): void {
    const previous = this.last;
    this.last = { step, tensors };
    if (this.warned || !previous || step <= previous.step) return;
    const grew = tensors - previous.tensors;
    this.growing = grew * 2 >= step - previous.step ? this.growing + 1 : 0;
    if (this.growing < WINDOWS) return;
    this.warned = true;
    const perStep = grew / (step - previous.step);
    this.warn(
      `the experiment leaks about ${perStep.toPrecision(2)} tensors per step (tf.memory().numTensors is ${tensors} at step ${step}): ` +
        `wrap the temporary tensors of step() in tf.tidy(), or dispose() them`,
    );
  }
}
