import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { BlasAddon } from '../../src/runner/native/addon';
import { BLAS_BACKEND } from '../../src/runner/native/blasBackend';
import type { Program } from '../../src/runner/replay/program';
import { Replayer, REPLAY_ENV } from '../../src/runner/replay/replayer';
import { useBlasBackend } from './nativeAgreement';

/**
 * A deep linear model trained by an optimizer, the shape of the template's step: `d` is the width (4 keeps every
 * operation on JavaScript loops, 40 on the addon), `optimizer` any tfjs optimizer factory.
 */
class Linear {
  x: tf.Tensor;
  y: tf.Tensor;
  weights: tf.Variable[];
  optimizer: tf.Optimizer;
  identity: tf.Tensor;

  constructor(d: number, optimizer: () => tf.Optimizer, seed: number) {
    this.x = tf.randomNormal([d, 8], 0, 1, 'float32', seed);
    this.y = tf.randomNormal([d, 8], 0, 1, 'float32', seed + 1);
    this.weights = [0, 1, 2].map((i) =>
      tf.variable(tf.randomNormal([d, d], 0, 0.3, 'float32', seed + 2 + i)),
    );
    this.optimizer = optimizer();
    this.identity = tf.eye(d);
  }

  loss(): tf.Scalar {
    const f = this.weights.reduce<tf.Tensor>((p, w) => w.matMul(p), this.x);
    return f.sub(this.y).square().mean();
  }

  step() {
    this.optimizer.minimize(() => this.loss());
  }

  diagonal(): tf.Tensor {
    return this.weights[2].mul(this.identity).sum(1);
  }

  values(): number[][] {
    return this.weights.map((w) => Array.from(w.dataSync()));
  }
}

function train(model: { step(): unknown }, steps: number, enabled = true, warnings: string[] = []) {
  const replayer = new Replayer(
    model as never,
    model.step as never,
    { kind: 'step' },
    { enabled, calls: steps, warn: (m) => warnings.push(m) },
  );
  for (let t = 0; t < steps; t++) replayer.run(t);
  const info = replayer.info();
  replayer.dispose();
  return info;
}

function assertClose(actual: number[][], expected: number[][], tolerance: number) {
  let worst = 0;
  actual.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i][j])))));
  assert.ok(worst <= tolerance, `largest difference ${worst} > ${tolerance}`);
}

const sgd = () => tf.train.sgd(0.05);
const momentum = () => tf.train.momentum(0.05, 0.9);
const adam = () => tf.train.adam(0.01);

function replayAgreesWithRealSteps(backend: string) {
  for (const [name, optimizer] of Object.entries({ sgd, momentum, adam })) {
    for (const d of [4, 40]) {
      it(`${name}, width ${d}: replayed steps reach the real steps' weights`, async () => {
        await tf.setBackend(backend);
        const replayed = new Linear(d, optimizer, 1);
        const real = new Linear(d, optimizer, 1);
        const info = train(replayed, 60);
        train(real, 60, false);
        assert.equal(info.on, true, info.reason);
        assert.ok(info.replayed >= 50, `replayed ${info.replayed}`);
        assertClose(replayed.values(), real.values(), 1e-5);
        // The weights moved: the comparison is not between two untouched models.
        assert.ok(Math.abs(replayed.values()[0][0] - new Linear(d, optimizer, 1).values()[0][0]) > 1e-4);
      });
    }
  }
}

describe('step replay (src/runner/replay/)', function () {
  this.timeout(20000);
  let saved: string | undefined;
  let backend: string;
  before(async () => {
    saved = process.env[REPLAY_ENV];
    delete process.env[REPLAY_ENV];
    await tf.ready(); // the backend tfjs would start on, if none was chosen yet
    backend = tf.getBackend();
  });
  after(async () => {
    if (saved !== undefined) process.env[REPLAY_ENV] = saved;
    await tf.setBackend(backend); // later test files expect the backend they found
  });

  describe('on the blas backend (addon calls)', () => {
    useBlasBackend();
    replayAgreesWithRealSteps(BLAS_BACKEND);

    it('uses direct calls for every operation of the deep linear step', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const info = train(new Linear(40, sgd, 2), 40);
      assert.equal(info.on, true, info.reason);
      assert.ok(info.operations! > 10);
      assert.equal(info.nativeOperations, info.operations);
      // Width 40: every product is small enough for one core, so the whole step is one program call.
      assert.equal(info.calls, 1);
    });

    it('replays a fused product with bias and activation through the addon, as the real call computes it', async () => {
      await tf.setBackend(BLAS_BACKEND);
      const model = {
        x: tf.randomNormal([32, 48], 0, 1, 'float32', 11),
        w: tf.variable(tf.randomNormal([48, 24], 0, 1, 'float32', 12)),
        bias: tf.randomNormal([24], 0, 1, 'float32', 13),
        dense(activation: 'relu' | 'linear' | 'elu') {
          return tf.fused.matMul({ a: this.x, b: this.w, bias: this.bias, activation }).sum(1);
        },
      };
      for (const activation of ['relu', 'linear', 'elu'] as const) {
        const call = () => model.dense(activation);
        const replayer = new Replayer(model as never, call as never, observable(activation), opts());
        for (let t = 0; t < 6; t++) {
          const replayed = tf.tidy(() => numbers(replayer.run(t)));
          const real = tf.tidy(() => Array.from(call().dataSync()));
          assertClose([replayed as number[]], [real], 1e-5);
        }
        const info = replayer.info();
        assert.equal(info.on, true, info.reason);
        assert.equal(info.nativeOperations, info.operations, `${activation}: every operation native`);
        replayer.dispose();
      }
    });
  });

  describe('the native program (native/src/program.cc)', () => {
    useBlasBackend();
    const addon = () => (tf.backend() as unknown as { native: BlasAddon }).native;
    before(() => tf.setBackend(BLAS_BACKEND));

    it('runs a product and an element-wise op on fixed and live slots', () => {
      // slot 0 live (2x2), slot 1 fixed (2x2), slot 2 = slot0 @ slot1, slot 3 = slot2 + slot1.
      const fixed = new Float32Array([1, 2, 3, 4]);
      const [product, sum] = [new Float32Array(4), new Float32Array(4)];
      const code = new Int32Array([0, 0, 1, 2, 1, 1, 1, 2, 2, 2, 0, 0, 2, 0, 2, 1, 3, 4, 4, 1, 0]);
      const program = addon().program(code, new Float32Array(0), [4, fixed, product, sum]);
      addon().runProgram(program, [new Float32Array([1, 0, 0, 1])]);
      assert.deepEqual(Array.from(product), [1, 2, 3, 4]);
      assert.deepEqual(Array.from(sum), [2, 4, 6, 8]);
      addon().runProgram(program, [new Float32Array([0, 1, 1, 0])]);
      assert.deepEqual(Array.from(product), [3, 4, 1, 2]);
    });

    it('refuses code that reads past a slot, and live buffers that are too short', () => {
      const small = new Float32Array(2);
      assert.throws(
        () =>
          addon().program(new Int32Array([0, 0, 1, 2, 1, 1, 1, 2, 2, 2, 0, 0]), new Float32Array(0), [
            4,
            small,
            small,
          ]),
        /out of range/,
      );
      assert.throws(
        () => addon().program(new Int32Array([9]), new Float32Array(0), []),
        /bad operation code/,
      );
      const ok = addon().program(new Int32Array([1, 7, 0, 1, 4, 0]), new Float32Array([0]), [
        4,
        new Float32Array(4),
      ]);
      assert.throws(() => addon().runProgram(ok, [small]), /too short/);
      assert.throws(() => addon().runProgram(ok, []), /wrong number of live buffers/);
    });
  });

  describe('on the cpu backend (kernel functions)', () => {
    replayAgreesWithRealSteps('cpu');

    it('runs the kernel functions, none natively', async () => {
      await tf.setBackend('cpu');
      const info = train(new Linear(4, sgd, 2), 40);
      assert.equal(info.on, true, info.reason);
      assert.equal(info.nativeOperations, 0);
    });
  });

  describe('what it refuses, and why', () => {
    before(() => tf.setBackend('cpu'));

    const refused = (step: (this: Linear, t: number) => void, why: RegExp) => {
      const model = new Linear(4, sgd, 3) as Linear & Record<string, unknown>;
      model.step = step as never;
      const info = train(model, 40);
      assert.equal(info.on, false);
      assert.equal(info.replayed, 0);
      assert.match(info.reason, why);
    };

    it('a step that takes the step number', () =>
      refused(function (t) {
        this.optimizer.minimize(() => this.loss().mul(t + 1));
      }, /takes the step number/));

    it('a step that reads values back', () =>
      refused(function () {
        if (this.loss().dataSync()[0] > -1) this.optimizer.minimize(() => this.loss());
      }, /reads tensor values back/));

    it('a step that draws random numbers', () =>
      refused(function () {
        this.optimizer.minimize(() => this.loss().add(tf.randomNormal([]).mul(1e-3)));
      }, /draws random numbers/));

    it('a step that keeps a running product in a field (only integer counters are advanced)', () =>
      refused(function (this: Linear & { scale?: number }) {
        this.scale = (this.scale ?? 1) * 0.5;
        this.optimizer.minimize(() => this.loss());
      }, /changes this.scale/));

    it('a step that updates JavaScript state on an object it holds', () =>
      refused(function (this: Linear & { helper?: { decay: number } }) {
        this.helper ??= { decay: 1 };
        this.helper.decay *= 0.9;
        this.optimizer.minimize(() => this.loss());
      }, /changes this.helper.decay|adds the field this.helper/));

    it('a step that runs other kernels from one step to the next', () => {
      let calls = 0;
      refused(function () {
        calls++;
        this.optimizer.minimize(() => (calls % 2 ? this.loss() : this.loss().mul(2)));
      }, /different kernels or uploads different values/);
    });

    it('a step that leaves the new weights shared with tensors it did not dispose', () =>
      refused(function () {
        const { grads } = tf.variableGrads(() => this.loss());
        this.weights.forEach((w) => w.assign(w.sub(grads[w.name].mul(0.05))));
      }, /storage that other tensors share .*tf\.tidy/));

    it('a run too short to repay the recording', () => {
      assert.match(train(new Linear(4, sgd, 3), 12).reason, /only 12 steps in this run/);
    });

    it('an experiment that turns it off', () => {
      const info = train(new Linear(4, sgd, 3), 8, false);
      assert.match(info.reason, /turned off for this experiment/);
    });

    it(`${REPLAY_ENV}=off`, () => {
      process.env[REPLAY_ENV] = 'off';
      try {
        assert.match(train(new Linear(4, sgd, 3), 8).reason, /turned off by LM_REPLAY=off/);
      } finally {
        delete process.env[REPLAY_ENV];
      }
    });
  });

  describe('while it replays', () => {
    before(() => tf.setBackend('cpu'));

    it('a step whose hidden state changes its uploads is caught by a periodic check, then runs for real', () => {
      // The JavaScript runs only on real steps: the recording, the proof, then checks. From the first check on,
      // lr is 0 (a later one would depend on the timing: the first two checks can be 1100 steps apart).
      let calls = 0;
      const lr = () => tf.scalar(++calls > 2 ? 0 : 0.05);
      const model = new Linear(4, sgd, 4);
      model.step = function () {
        tf.tidy(() => {
          const rate = lr();
          const { grads } = tf.variableGrads(() => this.loss());
          this.weights.forEach((w) => w.assign(w.sub(grads[w.name].mul(rate))));
        });
      };
      const warnings: string[] = [];
      const info = train(model, 1300, true, warnings);
      assert.equal(info.on, false);
      assert.match(info.reason, /changed at step \d+/);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /replay of step\(\) stopped at step \d+: .*may have missed the change/);
      // Real steps after the check apply lr 0: the weights no longer move.
      const frozen = model.values();
      train(model, 5, false);
      assertClose(model.values(), frozen, 0);
    });

    it('a step whose outputs share storage with a kept clone runs for real, leaving the clone as it was', () => {
      const model = new Linear(4, sgd, 5);
      const replayer = new Replayer(model as never, model.step as never, { kind: 'step' }, opts());
      for (let t = 0; t < 10; t++) replayer.run(t);
      const clone = tf.clone(model.weights[0]);
      const before = Array.from(clone.dataSync());
      replayer.run(10);
      assert.deepEqual(Array.from(clone.dataSync()), before);
      assert.notDeepEqual(Array.from(model.weights[0].dataSync()), before);
      assert.equal(replayer.info().on, true);
      clone.dispose();
      replayer.dispose();
    });

    it('list inputs (addN) and int32 storage read as float32 (a cast that keeps its storage)', async () => {
      for (const backend of ['cpu', BLAS_BACKEND]) {
        await tf.setBackend(backend);
        const make = () => {
          const m = new Linear(4, sgd, 9) as Linear & { labels: tf.Tensor };
          m.labels = tf.tensor2d([[1, 0, 2, 3, 1, 0, 2, 1]], [1, 8], 'int32');
          m.step = function (this: typeof m) {
            this.optimizer.minimize(() => {
              const f = this.weights.reduce<tf.Tensor>((p, w) => w.matMul(p), this.x);
              const target = this.y.add(this.labels.cast('float32'));
              return tf.addN([f.sub(target).square().mean(), this.weights[0].square().mean()]) as tf.Scalar;
            });
          };
          return m;
        };
        const [replayed, real] = [make(), make()];
        const info = train(replayed, 40);
        train(real, 40, false);
        assert.equal(info.on, true, `${backend}: ${info.reason}`);
        assertClose(replayed.values(), real.values(), 1e-5);
      }
    });

    it('counters the step advances (a field, one on a held object) advance on replayed steps too', () => {
      const model = new Linear(4, sgd, 8) as Linear & { count: number; clock: { ticks: number[] } };
      model.count = 0;
      model.clock = { ticks: [0, 0] };
      model.step = function (this: typeof model) {
        this.count++;
        this.clock.ticks[1] += 3;
        this.optimizer.minimize(() => this.loss());
      };
      const info = train(model, 250);
      assert.equal(info.on, true, info.reason);
      assert.ok(info.replayed > 200);
      assert.equal(model.count, 250);
      assert.deepEqual(model.clock.ticks, [0, 750]);
    });

    it('a step that keeps its loss in a field: the field holds the replayed loss', () => {
      const withLoss = (m: Linear & { last?: tf.Scalar }) => {
        m.last = tf.scalar(0);
        m.step = function (this: typeof m) {
          const loss = this.optimizer.minimize(() => this.loss(), true)!;
          this.last!.dispose();
          this.last = loss;
        };
        return m;
      };
      const [replayed, real] = [withLoss(new Linear(4, sgd, 6)), withLoss(new Linear(4, sgd, 6))];
      assert.equal(train(replayed, 30).on, true);
      train(real, 30, false);
      assert.ok(Math.abs(replayed.last!.dataSync()[0] - real.last!.dataSync()[0]) < 1e-6);
    });

    it('a first call that only sets JavaScript state up (a tf.layers built flag) is proved on the second', () => {
      const mlp = () => {
        const model = tf.sequential({
          layers: [
            tf.layers.dense({
              inputShape: [6],
              units: 8,
              activation: 'relu',
              kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }),
            }),
            tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }) }),
          ],
        });
        const x = tf.randomNormal([5, 6], 0, 1, 'float32', 13);
        const y = tf.randomNormal([5, 3], 0, 1, 'float32', 14);
        const optimizer = tf.train.sgd(0.1);
        return {
          model,
          step() {
            optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar);
          },
          values: () => model.getWeights().map((w) => Array.from(w.dataSync())),
        };
      };
      const [replayed, real] = [mlp(), mlp()];
      const info = train(replayed, 40);
      train(real, 40, false);
      assert.equal(info.on, true, info.reason);
      // Step 0 recorded (and the model built), step 1 the proof: every later step replayed.
      assert.equal(info.replayed, 38);
      assertClose(replayed.values(), real.values(), 1e-5);
    });

    it('a first call that sets state up and runs other kernels then: the second call becomes the program', () => {
      const primed = (m: Linear & { primed?: boolean; count?: number }) => {
        m.primed = false;
        m.count = 0;
        m.step = function (this: typeof m) {
          const first = !this.primed;
          this.primed = true;
          this.count!++;
          this.optimizer.minimize(() => (first ? this.loss().mul(3) : this.loss()));
        };
        return m;
      };
      const [replayed, real] = [primed(new Linear(4, sgd, 15)), primed(new Linear(4, sgd, 15))];
      const info = train(replayed, 40);
      train(real, 40, false);
      assert.equal(info.on, true, info.reason);
      // Step 0's program was not step 1: step 1 recorded, step 2 the proof.
      assert.equal(info.replayed, 37);
      assertClose(replayed.values(), real.values(), 1e-5);
      assert.equal(replayed.count, 40, 'the counter advanced on replayed steps');
    });

    it('writes new weights into their variables in place, unless a later operation reads the old ones', () => {
      class Decay {
        w = tf.variable(tf.randomNormal([6, 6], 0, 1, 'float32', 9));
        gap = tf.zeros([6, 6]);
        constructor(readsOldAfter: boolean) {
          this.step = readsOldAfter
            ? () => {
                const next = tf.tidy(() => this.w.mul(0.9).add(0.1));
                const gap = this.w.sub(next); // reads the old weights after `next` was made
                this.gap.dispose();
                this.gap = gap;
                this.w.assign(next);
                next.dispose();
              }
            : () => tf.tidy(() => this.w.assign(this.w.mul(0.9).add(0.1)));
        }
        step: () => void;
      }
      for (const readsOldAfter of [false, true]) {
        const [replayed, real] = [new Decay(readsOldAfter), new Decay(readsOldAfter)];
        const replayer = new Replayer(replayed as never, replayed.step as never, { kind: 'step' }, opts());
        for (let t = 0; t < 40; t++) {
          replayer.run(t);
          real.step();
        }
        assert.equal(replayer.info().on, true, replayer.info().reason);
        const bindings = (replayer as unknown as { program: Program }).program.bindings;
        const w = bindings.find((b) => b.target.kind === 'variable')!;
        assert.equal(w.inPlace, !readsOldAfter);
        if (readsOldAfter) assert.equal(bindings.find((b) => b.target.kind === 'field')!.inPlace, false);
        assertClose([Array.from(replayed.w.dataSync())], [Array.from(real.w.dataSync())], 1e-6);
        assertClose([Array.from(replayed.gap.dataSync())], [Array.from(real.gap.dataSync())], 1e-6);
        replayer.dispose();
      }
    });

    it('observables that return tensors are replayed with the same values; ones that read back are not', () => {
      const model = new Linear(4, sgd, 7);
      const step = new Replayer(model as never, model.step as never, { kind: 'step' }, opts());
      const diagonal = new Replayer(model as never, model.diagonal as never, observable('diagonal'), opts());
      const loss = new Replayer(model as never, model.loss as never, observable('loss'), opts());
      const read = new Replayer(
        model as never,
        (() => model.loss().arraySync()) as never,
        observable('read'),
        opts(),
      );
      for (let t = 0; t < 40; t++) {
        step.run(t);
        const values = [diagonal, loss, read].map((r) => tf.tidy(() => numbers(r.run(t))));
        assert.deepEqual(values[0], numbers(tf.tidy(() => model.diagonal().arraySync())));
        assert.ok(Math.abs((values[1] as number) - model.loss().arraySync()) < 1e-6);
      }
      assert.equal(diagonal.info().on, true, diagonal.info().reason);
      assert.equal(loss.info().on, true);
      assert.ok(diagonal.info().replayed > 30);
      assert.match(read.info().reason, /observable 'read' reads tensor values back/);
      [step, diagonal, loss, read].forEach((r) => r.dispose());
    });
  });
});

const opts = () => ({ enabled: true, calls: 1000, warn: () => undefined });
const observable = (name: string) => ({ kind: 'observable' as const, name });

function numbers(value: unknown): number | number[] {
  if (value instanceof tf.Tensor) {
    const data = Array.from(value.dataSync());
    return value.rank === 0 ? data[0] : data;
  }
  return value as number | number[];
}
