import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadAddon } from '../../src/runner/native/addon';

/** test/fixtures/host/poolStress.cjs in a child with two pool threads; a hang is killed after 60 s. */
function stress(args: string[], env: Record<string, string> = {}) {
  const child = spawnSync(
    process.execPath,
    [path.join(__dirname, '..', 'fixtures', 'host', 'poolStress.cjs'), ...args],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LM_BLAS_THREADS: '2', ...env } },
  );
  const hung = child.signal === 'SIGTERM' ? ' (it hung past 60 s)' : '';
  assert.equal(child.signal, null, `ended by ${child.signal}${hung} ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
}

describe('the native thread pool (native/src/pool.cc)', function () {
  this.timeout(120_000);
  before(function () {
    if (!loadAddon().ok) this.skip();
  });

  it('finishes every call with each part run once when workers stall between reading a call and claiming', () =>
    stress(['alternate', '30000'], { LM_POOL_STALL_US: '20' }));

  it('runs calls of more parts than one claim word counts (a batch of 1.1 million 2 x 2 products)', () =>
    stress(['fold']));
});
