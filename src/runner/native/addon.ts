import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The functions of native/ (the lm_blas N-API addon). All are synchronous and write into `out`. */
export interface BlasAddon {
  /** out[i] = op(a[i % batchA]) op(b[i % batchB]) for i < batch; row-major m x k times k x n. */
  gemm(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** out (n x n) = a a^T for a (n x k), or a^T a for a (k x n) when `transpose`. */
  syrk(a: Float32Array, out: Float32Array, n: number, k: number, transpose: boolean): void;
  /** In place on out (rows x n): add a bias of length 1, n or out.length, then the activation (by code). */
  biasActivation(
    out: Float32Array,
    n: number,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** out = a op b, b broadcast as b[(i / bInner) % b.length]; `swap` computes b op a. */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    bInner: number,
    swap: boolean,
    out: Float32Array,
  ): void;
  /** x as [outer, reduce, inner] reduced over the middle axis into out [outer, inner]. */
  reduce(op: number, x: Float32Array, outer: number, reduce: number, inner: number, out: Float32Array): void;
  /** max |a - b| / max |b| over two arrays of one length, NaN when either holds a NaN (replay's proof). */
  relativeGap?(a: Float32Array, b: Float32Array): number;
  /**
   * Asks the kernel for transparent huge pages (madvise MADV_HUGEPAGE) on the 2 MiB-aligned part of a fresh,
   * not yet written buffer, so that its first write faults in 2 MiB pages instead of 4 KiB ones (about 5x less
   * time on this machine). A hint: false when the part is empty or the kernel declines; the values are untouched.
   */
  adviseHugePages?(buffer: Float32Array): boolean;
  /**
   * A run of small operations executed in one call (native/src/program.cc; the encoding is built by
   * src/runner/replay/emit.ts). `slots[i]` is a fixed slot's buffer or a live slot's length; a run passes the
   * live slots' current buffers in index order.
   */
  program(code: Int32Array, alphas: Float32Array, slots: (Float32Array | number)[]): object;
  runProgram(program: object, live: Float32Array[]): void;
  info(): { blas: string; core: string; threads: number };
}

export type AddonLoad = { ok: true; addon: BlasAddon; file: string } | { ok: false; problem: string };

/** Where the install step (native/build.mjs) puts the addon, relative to the package root. */
const BUILT = path.join('native', 'build', 'Release', 'lm_blas.node');

/**
 * `LM_BLAS_ADDON` overrides where the addon is looked for: a path, or `off` to act as if it were missing
 * (the fallback path is tested that way).
 */
export const ADDON_ENV = 'LM_BLAS_ADDON';

let cached: AddonLoad | undefined;

/**
 * Loads the addon once. Never throws: a missing or broken addon (no compiler or no OpenBLAS at install, a Node
 * ABI mismatch) comes back as a one-line problem that the backend choice records as its reason.
 */
export function loadAddon(): AddonLoad {
  cached ??= tryLoad(process.env[ADDON_ENV]);
  return cached;
}

function tryLoad(override: string | undefined): AddonLoad {
  if (override === 'off') return { ok: false, problem: `native addon disabled (${ADDON_ENV}=off)` };
  const file = override ?? findBuilt(__dirname);
  if (!file) {
    return {
      ok: false,
      problem: 'native addon not built (needs g++ and libopenblas-dev; run npm run build:native)',
    };
  }
  try {
    const addon = createRequire(__filename)(file) as BlasAddon;
    addon.info();
    return { ok: true, addon, file };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `native addon failed to load: ${message.split('\n')[0].slice(0, 160)}` };
  }
}

/** The package root is an ancestor of both dist/ (bundled runner) and src/runner/native/ (tests, bench). */
function findBuilt(from: string): string | undefined {
  for (let dir = from, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, BUILT);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}
