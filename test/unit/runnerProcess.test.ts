import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describeFile, DescribeError } from '../../src/host/describe';
import { RunnerProcess } from '../../src/host/runnerProcess';
import { PROTOCOL_VERSION } from '../../src/protocol/runner';

/** A fake runner whose last message arrives after it exited. */
const LATE = { runnerPath: path.join(__dirname, '..', 'fixtures', 'host', 'lateMessage.cjs') };

function lateRunner(env: Record<string, string>) {
  Object.assign(process.env, { LM_TEST_PROTOCOL: String(PROTOCOL_VERSION), ...env });
  const started = performance.now();
  const runner = new RunnerProcess(
    { type: 'start', file: 'late.exp.ts', overrides: {}, backend: 'cpu', runsDir: '/nonexistent' },
    {},
    LATE,
  );
  return runner.done.then((outcome) => ({ outcome, ms: performance.now() - started }));
}

describe('the host side of a runner (src/host/)', function () {
  this.timeout(20000);
  afterEach(() => {
    for (const name of ['LM_TEST_PROTOCOL', 'LM_TEST_LATE_MS', 'LM_TEST_LATE_SILENT'])
      delete process.env[name];
  });

  it('takes the last message the runner sent even when it arrives after the runner exited', async () => {
    const { outcome } = await lateRunner({ LM_TEST_LATE_MS: '300' });
    assert.deepEqual(outcome, { kind: 'rejected', rejection: { kind: 'input', message: 'sent late' } });
  });

  it('does not wait for a channel that another process holds open once the runner has exited', async () => {
    const { outcome, ms } = await lateRunner({ LM_TEST_LATE_MS: '5000', LM_TEST_LATE_SILENT: '1' });
    assert.equal(outcome.kind, 'crashed');
    assert.match((outcome as { message: string }).message, /the runner exited with code 0/);
    assert.ok(ms < 4000, `settled after ${ms.toFixed(0)} ms`);
  });

  it('describeFile takes the answer that arrives after the runner exited', async () => {
    Object.assign(process.env, { LM_TEST_PROTOCOL: String(PROTOCOL_VERSION), LM_TEST_LATE_MS: '300' });
    await assert.rejects(
      describeFile('late.exp.ts', LATE),
      (error) => error instanceof DescribeError && error.message === 'sent late',
    );
  });
});
