// Loads dist/extension.js in plain Node with a stand-in `vscode` module and prints how long evaluating the
// bundle took and whether any TensorFlow.js module was loaded (it must not be: the runner trains, not the host).
const fs = require('node:fs');
const Module = require('node:module');
const file = process.argv[2];
const names = new Set([...fs.readFileSync(file, 'utf8').matchAll(/\bvscode\d*\.(\w+)/g)].map((m) => m[1]));
const stub = new Proxy(function () {}, { get: () => stub, apply: () => stub, construct: () => stub });
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = {
  id: 'vscode',
  filename: 'vscode',
  loaded: true,
  exports: Object.fromEntries([...names].map((n) => [n, stub])),
};
const start = performance.now();
require(file);
const loadMs = performance.now() - start;
const tfjsLoaded = Object.keys(require.cache).some((k) => k.includes('@tensorflow'));
console.log(JSON.stringify({ loadMs, tfjsLoaded }));
