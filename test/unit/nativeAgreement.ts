import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { ADDON_ENV, loadAddon } from '../../src/runner/native/addon';
import { BLAS_BACKEND, registerBlasBackend } from '../../src/runner/native/blasBackend';

/**
 * What the native backend's tests share: the 'blas' backend against the reference CPU backend, the same
 * computation on the same inputs, outputs and gradients compared element by element with
 * |blas - cpu| <= atol + rtol |cpu|. Tolerances: float32 products and sums in a different order differ by a few
 * ulp times sqrt(k) (rtol 1e-5); libmvec's tanh, exp and log are within 4 ulp (rtol 2e-6); element-wise
 * arithmetic is exact.
 *
 * The addon must be built (npm ci does it when g++ and libopenblas-dev are present); set LM_BLAS_ADDON=off to
 * run the suite on a machine without them, which skips these tests.
 */
type Values = Float32Array | Int32Array | Uint8Array;

/** A deterministic pseudo-random float32 array (an LCG), values in [-scale, scale). */
function noise(length: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

function assertClose(actual: Values, expected: Values, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(e) && Number.isNaN(a), `${what}[${i}]: ${a} where the CPU backend gives ${e}`);
      continue;
    }
    if (a === e) continue; // also equal infinities
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worstExcess) [worst, worstExcess] = [i, excess];
  }
  assert.ok(
    worst < 0,
    `${what}[${worst}]: ${actual[worst]} vs CPU ${expected[worst]} (beyond ${atol} + ${rtol} * |cpu|)`,
  );
}

/** Runs `compute` on the CPU backend and on 'blas'; returns both results as arrays of values and shapes. */
async function onBoth(compute: () => tf.Tensor | tf.Tensor[]) {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    return tf.tidy(() => [compute()].flat().map((t) => ({ values: t.dataSync(), shape: t.shape })));
  };
  return { cpu: await run('cpu'), blas: await run(BLAS_BACKEND) };
}

export async function assertAgrees(
  what: string,
  compute: () => tf.Tensor | tf.Tensor[],
  rtol = 1e-5,
  atol = 1e-6,
) {
  const { cpu, blas } = await onBoth(compute);
  assert.equal(blas.length, cpu.length);
  cpu.forEach((c, i) => {
    assert.deepEqual(blas[i].shape, c.shape, `${what} output ${i}: shape`);
    assertClose(blas[i].values, c.values, rtol, atol, `${what} output ${i}`);
  });
}

export const t = (shape: number[], seed: number, scale = 1) =>
  tf.tensor(
    noise(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
    shape,
  );

/**
 * Registers 'blas' for a describe block and restores the previous backend after it; skips the block when
 * LM_BLAS_ADDON=off, and fails it when the addon cannot load.
 */
export function useBlasBackend(): void {
  let previous: string | undefined;
  before(function () {
    if (process.env[ADDON_ENV] === 'off') this.skip();
    const load = loadAddon();
    assert.ok(load.ok, `the native addon is needed for these tests: ${load.ok ? '' : load.problem}`);
    registerBlasBackend();
    previous = tf.getBackend();
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });
}
