// `npm run package`: build, make the VSIX with vsce, then check the VSIX on its own: unpacked into a temp
// folder (no node_modules above it), every bare `require` in its dist/*.js must resolve, and the runner must
// train the deep linear example for a few steps on the wasm backend. Prints the VSIX path and size.
//
//   node scripts/package.mjs [--out file.vsix] [--no-check]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const out = path.resolve(root, optionValue('--out') ?? `${manifest.name}-${manifest.version}.vsix`);

/** Modules the host provides: Node's own and VS Code's API. */
const PROVIDED = new Set(['vscode', ...builtinModules]);
/** Requires that bundled libraries guard with try/catch (TypeScript's compiler tries source-map-support). */
const OPTIONAL = new Set(['source-map-support']);

function optionValue(name) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function log(message) {
  console.error(`[package] ${message}`);
}

/** Runs a step and logs how long it took. */
function timed(label, step) {
  const start = performance.now();
  const result = step();
  log(`${label}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

function run(command, commandArgs, options = {}) {
  return execFileSync(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** The bundles, and the SDK's declarations (dist/types) that the TypeScript server plugin offers to users. */
function build() {
  run(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
  fs.rmSync(path.join(root, 'dist', 'types'), { recursive: true, force: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
}

/**
 * tsserver loads a plugin only as a package in node_modules (contributes.typescriptServerPlugins), and vsce
 * cannot package a local `file:` dependency (it fails on npm's symlink), so the VSIX gets that package added
 * here: a shim that requires the bundled plugin.
 */
const PLUGIN = 'learning-mechanics-tsserver';
const ADD_TO_ZIP = `
import sys, zipfile
archive, *pairs = sys.argv[1:]
with zipfile.ZipFile(archive, 'a', zipfile.ZIP_DEFLATED) as vsix:
    for name, text in zip(pairs[::2], pairs[1::2]):
        vsix.writestr(name, text)
`;

function addPluginPackage(vsix) {
  const dir = `extension/node_modules/${PLUGIN}`;
  const files = {
    [`${dir}/package.json`]: JSON.stringify({ name: PLUGIN, version: manifest.version, main: 'index.js' }),
    [`${dir}/index.js`]: "module.exports = require('../../dist/tsserverPlugin.js');\n",
  };
  run('python3', ['-c', ADD_TO_ZIP, vsix, ...Object.entries(files).flat()]);
}

/**
 * vsce reads .vscodeignore; no repository or LICENSE file is published with this package yet. The VSIX is
 * written beside its final name and renamed, so a code-server installing the previous one never reads half a file.
 */
function makeVsix() {
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const partial = out.replace(/\.vsix$/, `.${process.pid}.partial.vsix`);
  try {
    run(
      process.execPath,
      [vsce, 'package', '--out', partial, '--allow-missing-repository', '--skip-license'],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    addPluginPackage(partial);
    fs.renameSync(partial, out);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** Extracts the VSIX keeping file modes (esbuild's binary must stay executable), as VS Code does. */
const UNZIP_KEEPING_MODES = `
import os, sys, zipfile
archive, target = sys.argv[1:3]
zip = zipfile.ZipFile(archive)
for entry in zip.infolist():
    if entry.is_dir():
        continue
    file = zip.extract(entry, target)
    os.chmod(file, (entry.external_attr >> 16) & 0o777 or 0o644)
`;

function unpack(dir) {
  run('python3', ['-c', UNZIP_KEEPING_MODES, out, dir]);
  return path.join(dir, 'extension');
}

/** Bare module names (`require("x")`, `require("@s/x/y")`) that a bundle loads at run time. */
function bareRequires(file) {
  const text = fs.readFileSync(file, 'utf8');
  const names = new Set();
  for (const match of text.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    const name = match[1].replace(/^node:/, '');
    if (!PROVIDED.has(name) && !PROVIDED.has(name.split('/')[0]) && !OPTIONAL.has(name)) names.add(name);
  }
  return [...names];
}

/** Every bare require of every bundle must resolve from where the bundle sits in the unpacked VSIX. */
function checkRequires(extensionDir) {
  const missing = [];
  const dist = path.join(extensionDir, 'dist');
  for (const file of fs.readdirSync(dist).filter((f) => f.endsWith('.js'))) {
    const requireFrom = createRequire(path.join(dist, file));
    for (const name of bareRequires(path.join(dist, file))) {
      try {
        requireFrom.resolve(name);
      } catch {
        missing.push(`dist/${file} requires '${name}'`);
      }
    }
  }
  if (missing.length > 0)
    throw new Error(`the VSIX lacks modules its bundles need:\n  ${missing.join('\n  ')}`);
}

/** The plugin package loads from the unpacked VSIX as tsserver loads it, and the SDK's declarations are there. */
function checkTypesPlugin(extensionDir) {
  const factory = createRequire(path.join(extensionDir, 'package.json'))(PLUGIN);
  if (typeof factory !== 'function') throw new Error(`${PLUGIN} does not export the plugin factory`);
  for (const file of ['index', 'theory', 'observables']) {
    const declaration = path.join(extensionDir, 'dist', 'types', 'sdk', `${file}.d.ts`);
    if (!fs.existsSync(declaration))
      throw new Error(`the VSIX lacks ${path.relative(extensionDir, declaration)}`);
  }
  const tfjsTypes = path.join(extensionDir, 'node_modules', '@tensorflow', 'tfjs-core', 'dist', 'index.d.ts');
  if (!fs.existsSync(tfjsTypes)) throw new Error('the VSIX lacks the tfjs type declarations');
}

/** The runner, from the unpacked VSIX, trains the deep linear example on wasm: tfjs and esbuild are there. */
function checkRunner(extensionDir, dir) {
  const example = path.join(dir, 'deepLinear.exp.ts');
  fs.copyFileSync(path.join(root, 'templates', 'deepLinear.exp.ts'), example);
  const cli = path.join(extensionDir, 'dist', 'cli.js');
  const runArgs = [
    'run',
    example,
    '--steps',
    '20',
    '--backend',
    'wasm',
    '--runs-dir',
    path.join(dir, 'runs'),
  ];
  const output = run(process.execPath, [cli, ...runArgs, '--json'], { cwd: dir }).toString();
  const result = JSON.parse(output);
  if (result.status !== 'completed' || result.backend !== 'wasm') {
    throw new Error(`the runner in the VSIX did not complete on wasm: ${output}`);
  }
}

function sizeOf(file) {
  return `${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB`;
}

function main() {
  const start = performance.now();
  timed('build', build);
  timed('vsce package', makeVsix);
  if (!args.includes('--no-check')) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-vsix-check-'));
    try {
      const extensionDir = timed('unpack', () => unpack(dir));
      timed('check requires', () => checkRequires(extensionDir));
      timed('check the TypeScript plugin', () => checkTypesPlugin(extensionDir));
      timed('check runner (20 steps, wasm)', () => checkRunner(extensionDir, dir));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  log(
    `${path.relative(process.cwd(), out)}: ${sizeOf(out)}, in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  console.log(out);
}

main();
