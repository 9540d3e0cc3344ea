import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADDON_ENV } from '../../src/runner/native/addon';
import type { StartRequest } from '../../src/protocol/runner';
import { finished, startFixture, tempRunsDir } from './helpers';

const DEEP_LINEAR = path.join(__dirname, '..', '..', 'templates', 'deepLinear.exp.ts');

/** Starts a runner whose environment has LM_BLAS_ADDON set to `addon` (the fork copies the environment). */
function runWithAddon(addon: string | undefined, runsDir: string, extra: Partial<StartRequest>) {
  const saved = process.env[ADDON_ENV];
  if (addon === undefined) delete process.env[ADDON_ENV];
  else process.env[ADDON_ENV] = addon;
  try {
    return startFixture('counter.exp.ts', runsDir, extra).done;
  } finally {
    if (saved === undefined) delete process.env[ADDON_ENV];
    else process.env[ADDON_ENV] = saved;
  }
}

describe('the native blas backend in the runner', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('auto falls back to wasm when the addon is missing, and records why', async () => {
    const outcome = finished(await runWithAddon('off', runsDir, { backend: 'auto', steps: 5 }));
    assert.equal(outcome.manifest.status, 'completed');
    if (outcome.manifest.backend.name === 'tensorflow') return; // tfjs-node installed: blas is not reached
    assert.equal(outcome.manifest.backend.name, 'wasm');
    assert.match(outcome.manifest.backend.reason, /blas: native addon disabled \(LM_BLAS_ADDON=off\)/);
  });

  it('auto falls back when the addon file cannot be loaded, naming the loader error', async () => {
    const outcome = finished(
      await runWithAddon('/nonexistent/lm_blas.node', runsDir, { backend: 'auto', steps: 5 }),
    );
    if (outcome.manifest.backend.name === 'tensorflow') return;
    assert.equal(outcome.manifest.backend.name, 'wasm');
    assert.match(outcome.manifest.backend.reason, /blas: native addon failed to load: Cannot find module/);
  });

  it('rejects an explicit blas request when the addon is missing', async () => {
    const outcome = await runWithAddon('off', runsDir, { backend: 'blas', steps: 5 });
    assert.equal(outcome.kind, 'rejected', JSON.stringify(outcome));
    if (outcome.kind !== 'rejected') return;
    assert.match(outcome.rejection.message, /backend 'blas' is not available \(blas: native addon disabled/);
  });

  describe('with the addon built', function () {
    before(function () {
      if (process.env[ADDON_ENV] === 'off') this.skip();
    });

    it('auto picks blas when tfjs-node is absent, and records the BLAS it runs on', async () => {
      const outcome = finished(await runWithAddon(undefined, runsDir, { backend: 'auto', steps: 5 }));
      if (outcome.manifest.backend.name === 'tensorflow') return;
      assert.equal(outcome.manifest.backend.name, 'blas');
      assert.match(
        outcome.manifest.backend.reason,
        /^auto; tensorflow: .*; blas: OpenBLAS [\d.]+, \d+ threads$/,
      );
    });

    it('runs the deep linear example and its predictions still pass', async () => {
      const outcome = finished(
        await runWithAddon(undefined, runsDir, { backend: 'blas', file: DEEP_LINEAR }),
      );
      const { manifest } = outcome;
      assert.equal(manifest.status, 'completed', JSON.stringify(manifest.error));
      assert.equal(manifest.backend.name, 'blas');
      assert.equal(manifest.step, 4000);
      const scores = Object.fromEntries(manifest.agreement.map((a) => [a.name, a]));
      for (const s of scores.saxe.series) assert.ok(s.value! >= 0.99, `${s.series}: R^2 ${s.value}`);
      assert.ok(scores.modeLoss.pass, JSON.stringify(scores.modeLoss));
    });
  });
});
