import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import type { BackendChoice } from '../protocol/runner';
import type { BackendInfo } from '../store/manifest';

/** tfjs backend names, fastest first: native TensorFlow (tfjs-node), WebAssembly with SIMD, pure JavaScript. */
const PREFERENCE = ['tensorflow', 'wasm', 'cpu'] as const;
type BackendName = (typeof PREFERENCE)[number];

const load = createRequire(__filename);

/** Loading a backend's package registers it with tfjs; `cpu` ships inside @tensorflow/tfjs. */
const LOADERS: Record<BackendName, () => void> = {
  tensorflow: () => load('@tensorflow/tfjs-node'),
  wasm: () => load('@tensorflow/tfjs-backend-wasm'),
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
    const problem = await tryBackend(name);
    if (problem === undefined) {
      const reason = choice === 'auto' ? ['auto', ...skipped].join('; ') : 'requested';
      return { name, tfjsVersion: tf.version.tfjs, reason };
    }
    skipped.push(`${name}: ${problem}`);
  }
  throw new Error(`backend '${choice}' is not available (${skipped.join('; ')})`);
}

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    LOADERS[name]();
    if (!(await tf.setBackend(name))) return 'failed to initialise';
    await tf.ready();
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 200);
}
