import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunData } from '../../src/host/runData';
import { RunManager, type ActiveRun } from '../../src/host/runManager';
import type { RunnerOutcome } from '../../src/host/runnerProcess';
import { FIXTURES, tempRunsDir } from './helpers';

describe('the run manager', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  function manager(maxConcurrent: number, onChange: (run: ActiveRun) => void = () => undefined) {
    const ended: RunnerOutcome[] = [];
    let resolveAll: () => void;
    const allEnded = new Promise<void>((r) => (resolveAll = r));
    let expected = 0;
    const m = new RunManager(
      {
        runsDir: () => runsDir,
        maxConcurrent: () => maxConcurrent,
        backend: () => 'cpu',
        runner: () => ({}),
      },
      {
        changed: onChange,
        ended: (_spec, outcome) => {
          ended.push(outcome);
          if (ended.length === expected) resolveAll();
        },
        output: () => undefined,
      },
    );
    return { m, ended, allEnded, expect: (n: number) => (expected = n) };
  }

  it('queues runs beyond the concurrency cap and runs them all', async () => {
    let maxGoing = 0;
    const { m, ended, allEnded, expect } = manager(1, () => {
      maxGoing = Math.max(maxGoing, m.active().filter((r) => r.state !== 'queued').length);
    });
    expect(3);
    for (let i = 0; i < 3; i++)
      m.start({ file: path.join(FIXTURES, 'counter.exp.ts'), overrides: {}, steps: 20 });
    assert.deepEqual(
      m.active().map((r) => r.state),
      ['starting', 'queued', 'queued'],
    );
    await allEnded;
    assert.equal(maxGoing, 1);
    assert.deepEqual(
      ended.map((o) => o.kind),
      ['finished', 'finished', 'finished'],
    );
    assert.equal(m.active().length, 0);
  });

  it('serves the live series and agreement of a running run, then the stored ones', async () => {
    const { m, allEnded, expect } = manager(2);
    const data = new RunData(m, () => runsDir);
    expect(1);
    let live: ReturnType<RunData['get']> | undefined;
    const key = m.start({
      file: path.join(FIXTURES, 'counter.exp.ts'),
      overrides: { delayMs: 2 },
      steps: 400,
    });
    while (!live) {
      await new Promise((r) => setTimeout(r, 50));
      const run = m.active().find((r) => r.key === key);
      if (run?.state === 'running' && run.step > 50) live = data.get(run.manifest.id);
    }
    assert.equal(live.live, true);
    assert.ok(live.series.get('value')!.step.length > 50);
    const exact = live.manifest.agreement.find((a) => a.name === 'exact')!;
    assert.ok(exact.pass && exact.series[0].points > 50, JSON.stringify(exact));
    await allEnded;
    const stored = data.get(live.manifest.id);
    assert.equal(stored.live, false);
    assert.equal(stored.manifest.status, 'completed');
    assert.equal(stored.series.get('value')!.step.length, 401);
  });

  it('drops a queued run when it is stopped before it starts', async () => {
    const { m, ended, allEnded, expect } = manager(1);
    expect(2);
    m.start({ file: path.join(FIXTURES, 'counter.exp.ts'), overrides: {}, steps: 20 });
    const queued = m.start({ file: path.join(FIXTURES, 'counter.exp.ts'), overrides: {}, steps: 20 });
    m.stop(queued);
    await allEnded;
    assert.deepEqual(
      ended.map((o) => o.kind),
      ['rejected', 'finished'],
    );
  });
});
