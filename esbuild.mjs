// One build script, one esbuild context per target. `node esbuild.mjs --watch` rebuilds on change.
import * as esbuild from 'esbuild';

/** Native or wasm-carrying packages stay in node_modules; everything else is bundled. */
const external = ['@tensorflow/*', 'esbuild', 'typescript'];

const targets = [
  { entryPoints: { runner: 'src/runner/main.ts' } },
  { entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outdir: 'dist',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
};

const watch = process.argv.includes('--watch');
const contexts = await Promise.all(targets.map((t) => esbuild.context({ ...common, ...t })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
