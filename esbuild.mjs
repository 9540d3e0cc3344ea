// One build script, one esbuild context per target. `node esbuild.mjs --watch` rebuilds on change.
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';

/** Native or wasm-carrying packages stay in node_modules; everything else is bundled. */
const external = ['@tensorflow/*', 'esbuild', 'typescript'];

const node = { platform: 'node', format: 'cjs', target: 'node20', external };

const targets = [
  { ...node, entryPoints: { runner: 'src/runner/main.ts' } },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // The TypeScript server plugin: tsserver requires it and calls its export, the factory (the default export).
  {
    ...node,
    entryPoints: { tsserverPlugin: 'src/tsserver/plugin.ts' },
    footer: { js: 'module.exports = module.exports.default;' },
  },
  // The extension host never loads tfjs: it forks the runner.
  { ...node, entryPoints: { extension: 'src/extension.ts' }, external: ['vscode'] },
  // The chart panel's script, chart.js bundled in (no CDN).
  {
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { webview: 'src/webviews/app/main.ts' },
  },
  // The sweep panel's script: its own bundle (chart.js again), sharing the run panel's theme and format helpers.
  {
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { sweepWebview: 'src/webviews/sweepApp/main.ts' },
  },
];

const common = {
  bundle: true,
  outdir: 'dist',
  sourcemap: 'linked',
  logLevel: 'warning',
};

const watch = process.argv.includes('--watch');
const contexts = await Promise.all(targets.map((t) => esbuild.context({ ...common, ...t })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // One snippet per template (dist/snippets), generated so that it always matches templates/.
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/templateSnippets.ts'], { stdio: 'inherit' });
}
