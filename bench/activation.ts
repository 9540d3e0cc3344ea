import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The extension's activation cost: evaluating dist/extension.js (what VS Code does before activate(), and the
 * bulk of activation: the bundle carries the TypeScript parser for discovery), median of `repeats` fresh
 * processes, with a stand-in `vscode` module; and a check that no TensorFlow.js module loads in the host.
 */
export function benchActivation(repeats = 5): Record<string, number | boolean> {
  const bundle = path.join(__dirname, '..', 'dist', 'extension.js');
  const runs = Array.from({ length: repeats }, () =>
    JSON.parse(
      execFileSync(process.execPath, [path.join(__dirname, 'activationLoad.cjs'), bundle]).toString(),
    ),
  );
  const times = runs.map((r) => r.loadMs as number).sort((a, b) => a - b);
  return {
    extensionBundleBytes: fs.statSync(bundle).size,
    extensionLoadMsMedian: times[Math.floor(times.length / 2)],
    extensionLoadMsMin: times[0],
    tfjsLoadedInExtensionHost: runs.some((r) => r.tfjsLoaded),
  };
}
