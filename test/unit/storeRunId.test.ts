import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunId, runPath } from '../../src/store/runId';

describe('store: run ids', () => {
  const runsDir = path.join(os.tmpdir(), 'lm-runs');

  it('formats the UTC start time, the experiment name and four hex digits', () => {
    const id = newRunId('DeepLinear', new Date('2026-11-28T13:41:02.345Z'));
    assert.match(id, /^20261128-134102-DeepLinear-[0-9a-f]{4}$/);
  });

  it('sanitizes the experiment name to letters, digits, underscores and single dashes', () => {
    const id = newRunId('  ../Deep Linear/v2.ts ', new Date('2026-01-02T03:04:05Z'));
    assert.match(id, /^20260102-030405-Deep-Linear-v2-ts-[0-9a-f]{4}$/);
  });

  it('falls back to "run" for an experiment name with no safe characters', () => {
    assert.match(newRunId('../..', new Date('2026-01-02T03:04:05Z')), /^20260102-030405-run-[0-9a-f]{4}$/);
  });

  it('makes ids that sort in start-time order as plain strings', () => {
    const times = [
      '2026-12-31T23:59:59Z',
      '2026-01-01T00:00:00Z',
      '2027-01-01T00:00:00Z',
      '2026-06-15T09:08:07Z',
    ];
    const ids = times.map((t) => newRunId('Zeta', new Date(t)));
    const byTime = [...times].sort().map((t) => ids[times.indexOf(t)]);
    assert.deepEqual([...ids].sort(), byTime);
  });

  it('makes ids that runPath accepts', () => {
    const id = newRunId('a.b..c');
    assert.equal(runPath(runsDir, id), path.join(path.resolve(runsDir), id));
  });

  it('gives different ids to runs started in the same second (random suffix)', () => {
    const date = new Date('2026-01-02T03:04:05Z');
    const ids = new Set(Array.from({ length: 50 }, () => newRunId('X', date)));
    assert.ok(ids.size > 40, `only ${ids.size} distinct ids out of 50`);
  });

  it('resolves a valid id to a folder directly inside the runs directory', () => {
    assert.equal(runPath(runsDir, 'abc.1_x-2'), path.join(path.resolve(runsDir), 'abc.1_x-2'));
  });

  for (const bad of [
    '',
    '../x',
    '..',
    'a/../../b',
    'a/b',
    'a\\b',
    '/etc/passwd',
    'C:\\x',
    '.hidden',
    '-x',
    'a..b',
    'x\0',
  ]) {
    it(`refuses the run id ${JSON.stringify(bad)} with an error that names it`, () => {
      assert.throws(
        () => runPath(runsDir, bad),
        (err: Error) => err.message.includes(JSON.stringify(bad)),
      );
    });
  }

  it('refuses an id longer than 200 characters', () => {
    assert.throws(() => runPath(runsDir, 'a'.repeat(201)), /longer than 200/);
  });
});
