// Builds the lm_blas addon (native/build/Release/lm_blas.node) with node-gyp. Runs as the package's `install`
// script, so `npm ci` builds it; `npm run build:native` rebuilds it. It never fails the install: without a
// C++ compiler, Node's headers or OpenBLAS (Debian: apt-get install libopenblas-dev) it says what is missing
// and exits 0, and the runner's `auto` backend passes over 'blas' to the next one (wasm), recording why.
// LM_BLAS_BUILD=skip skips it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const addon = path.join(here, 'build', 'Release', 'lm_blas.node');

function say(message) {
  console.log(`lm_blas: ${message}`);
}

/** npm tells its scripts where its bundled node-gyp is; otherwise look next to this Node's npm, then PATH. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  const found = candidates.find((file) => file && fs.existsSync(file));
  return found ? [process.execPath, found] : ['node-gyp'];
}

/** Node's headers ship with Node in <prefix>/include/node; pointing node-gyp there avoids a download. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.join(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))
    ? [`--nodedir=${path.resolve(prefix)}`]
    : [];
}

function gyp(extraEnv) {
  const [command, ...args] = nodeGyp();
  const result = spawnSync(command, [...args, 'rebuild', ...nodedirArgs()], {
    cwd: here,
    env: { ...process.env, ...extraEnv },
    encoding: 'utf8',
  });
  return {
    ok: result.status === 0,
    log: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`,
  };
}

/** Loads the fresh addon in a child process and runs a 2x2 product: a broken link shows up here, not later. */
function works() {
  const check = `const a = require(${JSON.stringify(addon)}); const x = new Float32Array([1, 2, 3, 4]);
    const o = new Float32Array(4); a.gemm(x, x, o, 1, 1, 1, 2, 2, 2, false, false);
    if (o.join() !== '7,10,15,22') throw new Error('wrong product ' + o.join());`;
  const result = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
  return result.status === 0
    ? undefined
    : (result.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed');
}

function diagnose(log) {
  if (/cblas\.h: No such file/.test(log) || /cannot find -lopenblas/.test(log))
    return 'OpenBLAS is not installed (Debian/Ubuntu: apt-get install libopenblas-dev)';
  if (
    /not found: (make|g\+\+|c\+\+)|No such file or directory.*(g\+\+|c\+\+|make)|command not found/.test(log)
  )
    return 'no C++ toolchain (Debian/Ubuntu: apt-get install g++ make)';
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED/.test(log))
    return "Node's headers are not on this machine and could not be downloaded (set npm_config_nodedir)";
  const lines = log
    .trim()
    .split('\n')
    .filter((l) => /error|Error/.test(l));
  return lines.slice(-3).join(' | ') || 'node-gyp failed';
}

function main() {
  if (process.env.LM_BLAS_BUILD === 'skip') return say('skipped (LM_BLAS_BUILD=skip)');
  // First with glibc's vector math library (vectorised exp, log, tanh); then without, for an older glibc.
  for (const [label, env] of [
    ['', {}],
    [' without libmvec', { LM_NO_MVEC: '1' }],
  ]) {
    const built = gyp(env);
    if (!built.ok) {
      if (label) return fallback(diagnose(built.log));
      if (/mvec|_ZGV/.test(built.log)) continue;
      return fallback(diagnose(built.log));
    }
    const problem = works();
    if (!problem) return say(`built ${path.relative(process.cwd(), addon)}${label}`);
    if (label) return fallback(`the built addon does not load: ${problem}`);
  }
}

function fallback(reason) {
  fs.rmSync(path.join(here, 'build'), { recursive: true, force: true });
  say(`not built: ${reason}. The runner will use the wasm backend instead.`);
}

main();
