import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunnerMessageOf } from '../../src/protocol/runner';
import { REPLAY_ENV } from '../../src/runner/replay/replayer';
import { loadRun, loadSeries } from '../../src/store/runReader';
import { FIXTURES, finished, runFixture, startFixture, tempRunsDir } from './helpers';

describe('the runner process', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('streams samples in batches and stores every one of them', async () => {
    const batches: RunnerMessageOf<'samples'>[] = [];
    const outcome = finished(
      await runFixture('counter.exp.ts', runsDir, {}, { samples: (b) => batches.push(b) }),
    );
    const streamed = batches.reduce((n, b) => n + b.series.length, 0);
    const { series, manifest } = loadRun(runsDir, outcome.manifest.id);
    const stored = [...series.values()].reduce((n, s) => n + s.step.length, 0);
    assert.equal(manifest.status, 'completed');
    assert.equal(streamed, stored);
    assert.ok(batches.length < streamed / 10, `${batches.length} messages for ${streamed} samples`);
    assert.equal(series.get('value')!.step.length, 201, 'steps 0..200');
    assert.deepEqual([...series.get('final')!.step], [200]);
    assert.deepEqual([...series.get('pair[1]')!.step].slice(0, 3), [0, 5, 10]);
  });

  it('scores point and curve predictions and records bands', async () => {
    const outcome = finished(await runFixture('counter.exp.ts', runsDir));
    const [exact, curve] = outcome.manifest.agreement;
    assert.equal(exact.name, 'exact');
    assert.ok(exact.pass && exact.value! < 1e-6, JSON.stringify(exact));
    assert.equal(curve.series.length, 2);
    assert.ok(curve.pass && curve.value! > 0.999999, JSON.stringify(curve));
    const lo = loadSeries(runsDir, outcome.manifest.id, 'pair[1]~pairCurve:lo');
    assert.equal(lo.step.length, 41);
    assert.ok(Math.abs(lo.value[0] - 1.8) < 1e-12);
  });

  it('reads tensors back without leaking them', async () => {
    const outcome = finished(await runFixture('counter.exp.ts', runsDir));
    const counts = loadSeries(runsDir, outcome.manifest.id, 'tensors').value;
    assert.equal(
      counts[counts.length - 1],
      counts[1],
      `tensor count went from ${counts[1]} to ${counts.at(-1)}`,
    );
  });

  it('gives the same series for the same seed and different ones for another seed', async () => {
    const noise = async (seed?: number) => {
      const outcome = finished(await runFixture('counter.exp.ts', runsDir, { seed }));
      return [...loadSeries(runsDir, outcome.manifest.id, 'random').value];
    };
    const [a, b, c] = [await noise(3), await noise(3), await noise(4)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('applies overrides and records the parameters in the manifest', async () => {
    const outcome = finished(
      await runFixture('twoExperiments.exp.ts', runsDir, {
        experiment: 'Second',
        overrides: { targets: [5, 3, 1.5], label: 'abc', enabled: true },
      }),
    );
    assert.deepEqual(outcome.manifest.params, { targets: [5, 3, 1.5], label: 'abc', enabled: true });
    assert.deepEqual([...loadSeries(runsDir, outcome.manifest.id, 'sum').value].at(-1), 112.5);
  });

  it('rejects an unknown or ill-typed parameter, naming it and the expected type', async () => {
    const unknown = await runFixture('counter.exp.ts', runsDir, { overrides: { rat: 1 } });
    assert.equal(unknown.kind, 'rejected');
    assert.match(unknown.kind === 'rejected' ? unknown.rejection.message : '', /no parameter 'rat'.*rate/);
    const illTyped = await runFixture('counter.exp.ts', runsDir, { overrides: { rate: [1] } });
    assert.match(
      illTyped.kind === 'rejected' ? illTyped.rejection.message : '',
      /'rate' expects a number, got the array \[1\]/,
    );
    assert.deepEqual(fs.readdirSync(runsDir), [], 'no run is recorded for bad input');
  });

  it('asks which experiment to run when a file has several', async () => {
    const outcome = await runFixture('twoExperiments.exp.ts', runsDir);
    assert.equal(outcome.kind, 'rejected');
    assert.match(
      outcome.kind === 'rejected' ? outcome.rejection.message : '',
      /several experiments \(First, Second\)/,
    );
  });

  it('stops gracefully mid-run and keeps what was recorded', async () => {
    let runner: ReturnType<typeof startFixture> | undefined = undefined;
    runner = startFixture(
      'counter.exp.ts',
      runsDir,
      { overrides: { delayMs: 5 }, steps: 100000 },
      {
        progress: (p) => {
          if (p.step >= 20) runner!.stop();
        },
      },
    );
    const outcome = finished(await runner.done);
    const { manifest, series } = loadRun(runsDir, outcome.manifest.id);
    assert.equal(manifest.status, 'cancelled');
    assert.ok(manifest.step >= 20 && manifest.step < 100000, `stopped at ${manifest.step}`);
    assert.equal(series.get('value')!.step.at(-1), manifest.step);
  });

  it("maps an exception to the line of the user's TypeScript", async () => {
    const outcome = finished(await runFixture('throwing.exp.ts', runsDir));
    assert.equal(outcome.manifest.status, 'failed');
    const error = outcome.manifest.error!;
    assert.equal(error.message, 'RangeError: step 7 is out of range');
    assert.deepEqual(error.location, { file: path.join(FIXTURES, 'throwing.exp.ts'), line: 5, column: 11 });
    assert.doesNotMatch(error.stack!, /runner\.js/);
    assert.equal(outcome.manifest.step, 7, 'the steps before the exception are kept');
  });

  it('reports a compile error at its file, line and column', async () => {
    const file = path.join(FIXTURES, '..', 'broken', 'syntaxError.exp.ts');
    const outcome = await runFixture(file, runsDir);
    assert.equal(outcome.kind, 'rejected');
    if (outcome.kind !== 'rejected') return;
    assert.equal(outcome.rejection.kind, 'compile');
    assert.deepEqual(outcome.rejection.location, { file, line: 6, column: 20 });
  });

  it('marks a run diverged at the step its loss stopped being finite', async () => {
    const outcome = finished(await runFixture('diverging.exp.ts', runsDir));
    assert.equal(outcome.manifest.status, 'diverged');
    const step = outcome.manifest.error!.step!;
    assert.match(outcome.manifest.error!.message, new RegExp(`'loss' became (NaN|Infinity) at step ${step}`));
    const loss = loadSeries(runsDir, outcome.manifest.id, 'loss');
    assert.ok(loss.value.every(Number.isFinite), 'no non-finite value is stored');
    assert.equal(loss.step.at(-1), step - 1);
  });

  it('reports a runner that dies and marks its run failed with the stderr tail', async () => {
    const outcome = await runFixture('crashing.exp.ts', runsDir);
    assert.equal(outcome.kind, 'crashed');
    if (outcome.kind !== 'crashed') return;
    assert.match(outcome.message, /killed by SIGKILL:\nabout to die/);
    const { manifest } = loadRun(runsDir, outcome.manifest!.id);
    assert.equal(manifest.status, 'failed');
    assert.match(manifest.error!.message, /about to die/);
  });

  it('records the backend it ran on and falls back from an unavailable one', async () => {
    const outcome = finished(await runFixture('counter.exp.ts', runsDir, { backend: 'auto', steps: 5 }));
    assert.ok(['tensorflow', 'blas', 'wasm', 'cpu'].includes(outcome.manifest.backend.name));
    if (outcome.manifest.backend.name !== 'tensorflow')
      assert.match(outcome.manifest.backend.reason, /tensorflow: /);
    const explicit = await runFixture('counter.exp.ts', runsDir, { backend: 'tensorflow', steps: 5 });
    if (explicit.kind === 'rejected')
      assert.match(explicit.rejection.message, /backend 'tensorflow' is not available/);
  });
});

describe('the runner watching for tensor leaks', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('warns once on stderr when step() leaks a tensor every step', async () => {
    let stderr = '';
    const output = (stream: string, text: string) => (stream === 'stderr' ? (stderr += text) : undefined);
    finished(
      await runFixture(
        'counter.exp.ts',
        runsDir,
        { overrides: { leak: true, delayMs: 1 }, steps: 700 },
        { output },
      ),
    );
    assert.equal(stderr.match(/leaks about 1\.0 tensors per step/g)?.length, 1, stderr);
    stderr = '';
    finished(
      await runFixture('counter.exp.ts', runsDir, { overrides: { delayMs: 1 }, steps: 700 }, { output }),
    );
    assert.doesNotMatch(stderr, /leaks/);
  });
});

describe('step replay in the runner', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));
  const deepLinear = path.join(__dirname, '..', '..', 'templates', 'deepLinear.exp.ts');

  it('replays the deep linear step and its observables, recording what the real steps record', async () => {
    const run = async () => finished(await runFixture(deepLinear, runsDir, { backend: 'auto', steps: 1500 }));
    const { manifest } = await run();
    assert.equal(manifest.status, 'completed');
    if (manifest.backend.name === 'tensorflow') return; // tfjs-node keeps tensors where replay cannot reach them
    const replay = manifest.replay!;
    assert.equal(replay.on, true, replay.reason);
    assert.ok(replay.replayed >= 1490, `replayed ${replay.replayed}`);
    assert.deepEqual(
      Object.fromEntries(Object.entries(replay.observables).map(([name, o]) => [name, o.on])),
      { loss: true, modes: true },
    );
    // The same run with every step real records the same curves.
    process.env[REPLAY_ENV] = 'off';
    const real = await run().finally(() => delete process.env[REPLAY_ENV]);
    assert.equal(real.manifest.replay?.on, false);
    for (const name of ['loss', 'modes[0]', 'modes[5]']) {
      const x = loadSeries(runsDir, manifest.id, name).value;
      const y = loadSeries(runsDir, real.manifest.id, name).value;
      assert.equal(x.length, 151);
      x.forEach((v, i) =>
        assert.ok(Math.abs(v - y[i]) <= 1e-4 * Math.max(1, Math.abs(y[i])), `${name}[${i}]: ${v}, ${y[i]}`),
      );
    }
  });

  it(`is off under ${REPLAY_ENV}=off, and says so`, async () => {
    process.env[REPLAY_ENV] = 'off';
    try {
      const { manifest } = finished(await runFixture(deepLinear, runsDir, { steps: 20 }));
      assert.equal(manifest.replay?.on, false);
      assert.match(manifest.replay!.reason, /turned off by LM_REPLAY=off/);
    } finally {
      delete process.env[REPLAY_ENV];
    }
  });

  it('stops replaying when a periodic check finds the step changed, warns on stderr, and trains on', async () => {
    let stderr = '';
    const output = (stream: string, text: string) => (stream === 'stderr' ? (stderr += text) : undefined);
    const { manifest } = finished(await runFixture('hiddenSchedule.exp.ts', runsDir, {}, { output }));
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.replay?.on, false);
    assert.match(manifest.replay!.reason, /step\(\) changed at step \d+/);
    assert.match(stderr, /warning: replay of step\(\) stopped at step \d+: .*may have missed the change/);
  });
});
