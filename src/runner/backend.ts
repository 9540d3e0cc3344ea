import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import type { BackendChoice } from '../protocol/runner';
import type { BackendInfo } from '../store/manifest';
import { registerBlasBackend } from './native/blasBackend';

/**
 * tfjs backend names, fastest first: native TensorFlow (tfjs-node, needs internet at install); the CPU backend
 * with OpenBLAS and vectorised kernels through our N-API addon (src/runner/native/, built at install when g++
 * and libopenblas-dev are there); WebAssembly with SIMD (one thread: tfjs disables wasm threads under Node);
 * pure JavaScript. Measured on the 2-core machine (bench/, issue 6), steps/s of blas over wasm: 1.5x on the deep
 * linear example (tiny matrices: per-kernel overhead, where the CPU backend's is lower than wasm's), 13x on GD
 * with sharpness, 14x on the empirical NTK, 28x on the MLP. Without the addon, wasm stays ahead of cpu: the choice
 * is made before the model is known, and wasm loses at most ~15% on tiny models where cpu loses 3x on large ones.
 */
const PREFERENCE = ['tensorflow', 'blas', 'wasm', 'cpu'] as const;
type BackendName = (typeof PREFERENCE)[number];

const load = createRequire(__filename);

/**
 * Loading a backend's package registers it with tfjs (`cpu` ships inside @tensorflow/tfjs); a loader may
 * return a detail worth recording, such as which BLAS the native backend runs on.
 */
const LOADERS: Record<BackendName, () => string | void> = {
  tensorflow: () => void load('@tensorflow/tfjs-node'),
  blas: () => {
    const { blas, threads } = registerBlasBackend();
    return `${blas.trim().split(' ').slice(0, 2).join(' ')}, ${threads} threads`;
  },
  wasm: () => void load('@tensorflow/tfjs-backend-wasm'),
  cpu: () => undefined,
};

/** Modules an experiment may import for tfjs, all answered with the one tfjs instance the runner set up. */
export function tfjsModules(): Record<string, unknown> {
  return { '@tensorflow/tfjs': tf, '@tensorflow/tfjs-core': tf, '@tensorflow/tfjs-node': tf };
}

/**
 * Picks and initialises the tfjs backend. `auto` tries tensorflow, then wasm, then cpu and records why each
 * faster one was passed over; an explicit choice that cannot load is an error naming the reason.
 */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  tf.enableProdMode();
  const candidates = choice === 'auto' ? PREFERENCE : [choice];
  const skipped: string[] = [];
  for (const name of candidates) {
    const tried = await tryBackend(name);
    if (tried.ok) {
      const reason = [choice === 'auto' ? 'auto' : 'requested', ...skipped];
      if (tried.detail) reason.push(`${name}: ${tried.detail}`);
      return { name, tfjsVersion: tf.version.tfjs, reason: reason.join('; ') };
    }
    skipped.push(`${name}: ${tried.problem}`);
  }
  throw new Error(`backend '${choice}' is not available (${skipped.join('; ')})`);
}

type Tried = { ok: true; detail?: string } | { ok: false; problem: string };

async function tryBackend(name: BackendName): Promise<Tried> {
  try {
    const detail = LOADERS[name]() ?? undefined;
    if (!(await tf.setBackend(name))) return { ok: false, problem: 'failed to initialise' };
    await tf.ready();
    return { ok: true, detail };
  } catch (error) {
    return { ok: false, problem: firstLine(error) };
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}
