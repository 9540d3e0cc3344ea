import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, tempRunsDir } from '../runner/helpers';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function lm(args: string[], runsDir: string) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--runs-dir', runsDir], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the lm command', () => {
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('prints one JSON object for a completed run and exits 0', () => {
    const { code, stdout } = lm(
      ['run', path.join(FIXTURES, 'counter.exp.ts'), '--json', '--backend', 'cpu', '--steps', '50'],
      runsDir,
    );
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.deepEqual(Object.keys(report).sort(), [
      'backend',
      'error',
      'experiment',
      'observables',
      'predictions',
      'replay',
      'runDir',
      'runId',
      'status',
      'steps',
      'stepsPerSecond',
    ]);
    assert.equal(report.status, 'completed');
    assert.equal(report.steps, 50);
    assert.equal(report.backend, 'cpu');
    // The report says whether step replay was on, and why not (this step reads its step number).
    assert.equal(report.replay.on, false);
    assert.match(report.replay.reason, /takes the step number/);
    assert.ok(report.stepsPerSecond > 0);
    assert.equal(
      report.observables.value,
      Math.fround(0.995 ** 50),
      'a tensor observable is read back as float32',
    );
    const [x, twice] = report.observables.pair;
    assert.ok(Math.abs(x - 0.995 ** 50) < 1e-12 && twice === 2 * x, `pair is ${report.observables.pair}`);
    assert.deepEqual(
      report.predictions.map((p: { name: string; pass: boolean }) => [p.name, p.pass]),
      [
        ['exact', true],
        ['pairCurve', true],
      ],
    );
    assert.ok(fs.existsSync(path.join(report.runDir, 'manifest.json')));
  });

  it('exits 1 when the experiment fails or diverges', () => {
    const failed = lm(['run', path.join(FIXTURES, 'throwing.exp.ts'), '--json', '--backend', 'cpu'], runsDir);
    assert.equal(failed.code, 1);
    assert.equal(JSON.parse(failed.stdout).status, 'failed');
    const diverged = lm(['run', path.join(FIXTURES, 'diverging.exp.ts'), '--backend', 'cpu'], runsDir);
    assert.equal(diverged.code, 1);
    assert.match(diverged.stdout, /diverged after \d+ steps/);
  });

  it('exits 2 on usage and input errors, naming the problem', () => {
    const badSet = lm(['run', path.join(FIXTURES, 'counter.exp.ts'), '--set', 'rate=fast'], runsDir);
    assert.equal(badSet.code, 2);
    assert.match(badSet.stderr, /parameter 'rate' expects a number, got the string "fast"/);
    assert.equal(lm(['run'], runsDir).code, 2);
    assert.equal(lm(['run', 'x.ts', '--backend', 'gpu'], runsDir).code, 2);
    const missing = lm(['run', path.join(FIXTURES, 'nope.exp.ts')], runsDir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.exp\.ts/);
    assert.equal(lm(['show', 'nothing-here'], runsDir).code, 2);
  });

  it('lists, shows and exports runs', () => {
    const run = JSON.parse(
      lm(
        ['run', path.join(FIXTURES, 'counter.exp.ts'), '--json', '--backend', 'cpu', '--steps', '10'],
        runsDir,
      ).stdout,
    );
    const ls = lm(['ls', '--json'], runsDir);
    assert.deepEqual(
      JSON.parse(ls.stdout).map((r: { id: string }) => r.id),
      [run.runId],
    );
    const show = JSON.parse(lm(['show', 'latest', '--json'], runsDir).stdout);
    assert.equal(show.runId, run.runId);
    assert.deepEqual(show.observables, run.observables);
    const csv = lm(['export', run.runId, '--format', 'csv'], runsDir).stdout.trim().split('\n');
    assert.equal(csv[0], 'step,series,value');
    assert.ok(
      csv.includes(`10,value,${Math.fround(0.995 ** 10)}`),
      'the last value sample is exported at full precision',
    );
    assert.ok(
      csv.some((l) => l.startsWith('0,pair[1]~pairCurve,2')),
      'prediction series are named <series>~<prediction>',
    );
    const jsonl = lm(['export', run.runId, '--format', 'jsonl'], runsDir).stdout.trim().split('\n');
    assert.equal(jsonl.length, csv.length - 1);
    assert.deepEqual(Object.keys(JSON.parse(jsonl[0])), ['step', 'series', 'value']);
  });
});
