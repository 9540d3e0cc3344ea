import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listRuns } from '../../src/store/runsDir';
import { FIXTURES, tempRunsDir } from './helpers';

/** `lm sweep` end to end: the built CLI, real runner processes, a real store. */
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const DECAY = path.join(FIXTURES, 'decay.exp.ts');

interface SweepJson {
  id: string;
  points: {
    index: number;
    state: string;
    runId: string | null;
    attempts: number;
    error: string | null;
    summary: Record<string, number | null>;
    overrides: Record<string, unknown>;
    seed: number;
  }[];
}

function lm(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sweep(runsDir: string, ...args: string[]): { code: number | null; json: SweepJson; stderr: string } {
  const { code, stdout, stderr } = lm([
    'sweep',
    DECAY,
    '--runs-dir',
    runsDir,
    '--json',
    '--workers',
    '2',
    ...args,
  ]);
  return { code, json: JSON.parse(stdout) as SweepJson, stderr };
}

describe('lm sweep', function () {
  this.timeout(240_000);
  let runsDir: string;
  beforeEach(() => (runsDir = tempRunsDir()));
  afterEach(() => fs.rmSync(runsDir, { recursive: true, force: true }));

  it('runs every point as a tagged run, summarises it, and skips it when asked again', () => {
    const first = sweep(runsDir, '--sweep', 'rates');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.json.points.length, 6);
    for (const p of first.json.points) {
      assert.equal(p.state, 'completed');
      const rate = p.overrides.rate as number;
      assert.ok(Math.abs(p.summary.value! / (1 - rate) ** 50 - 1) < 1e-6, `${rate}: ${p.summary.value}`);
      assert.equal(p.summary['pair[1]'], p.seed); // pair's min: the seed component
    }
    const runs = listRuns(runsDir);
    assert.equal(runs.length, 6);
    const tags = runs.map((r) => r.manifest!.sweep).sort((a, b) => a!.index - b!.index);
    assert.deepEqual(
      tags,
      first.json.points.map((p) => ({ id: first.json.id, index: p.index })),
    );

    const again = sweep(runsDir, '--sweep', 'rates');
    assert.equal(again.code, 0);
    assert.equal(again.json.id, first.json.id);
    assert.deepEqual(
      again.json.points.map((p) => p.runId),
      first.json.points.map((p) => p.runId),
    );
    assert.equal(listRuns(runsDir).length, 6, 'a completed point ran again');
  });

  it('records failed points with their error, and retries them only with --retry-failed', () => {
    const first = sweep(runsDir, '--sweep', 'slow');
    assert.equal(first.code, 1);
    const failed = first.json.points.filter((p) => p.state === 'failed');
    assert.deepEqual(
      failed.map((p) => p.overrides.failAt),
      [30, 30],
    );
    assert.match(failed[0].error!, /failing at step 30 as asked/);
    const completed = first.json.points.filter((p) => p.state === 'completed');
    assert.equal(completed.length, 2);

    const skipped = sweep(runsDir, '--sweep', 'slow');
    assert.deepEqual(
      skipped.json.points.map((p) => p.attempts),
      [1, 1, 1, 1],
    );
    const retried = sweep(runsDir, '--sweep', 'slow', '--retry-failed');
    assert.deepEqual(
      retried.json.points.map((p) => (p.state === 'failed' ? p.attempts : -p.attempts)),
      first.json.points.map((p) => (p.state === 'failed' ? 2 : -1)),
    );
  });

  it('a sweep killed mid-way keeps what finished and resumes the rest', async () => {
    const args = [
      CLI,
      'sweep',
      DECAY,
      '--runs-dir',
      runsDir,
      '--workers',
      '1',
      '--json',
      '--sweep',
      'rates',
      '--seeds',
      '1',
      '--grid',
      'delayMs=40',
      '--grid',
      'rate=0.1,0.2,0.3,0.4',
    ];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const points = () => {
      if (!fs.existsSync(path.join(runsDir, 'sweeps'))) return [];
      const dir = fs
        .readdirSync(path.join(runsDir, 'sweeps'))
        .map((d) => path.join(runsDir, 'sweeps', d, 'points'))[0];
      return dir && fs.existsSync(dir)
        ? fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
        : [];
    };
    const deadline = Date.now() + 120_000;
    while (
      !points().some((p) => p.state === 'completed') ||
      !points().some((p) => p.state === 'running' && p.runId)
    ) {
      if (Date.now() > deadline)
        throw new Error(`no completed and running points: ${JSON.stringify(points())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = points();
    const done = before.filter((p) => p.state === 'completed').map((p) => [p.index, p.runId]);

    const resumed = lm(args.slice(1));
    assert.equal(resumed.code, 0, resumed.stderr);
    const after = (JSON.parse(resumed.stdout) as SweepJson).points;
    assert.ok(after.every((p) => p.state === 'completed'));
    for (const [index, runId] of done) assert.equal(after[index].runId, runId, `point ${index} ran again`);
    const interrupted = before.find((p) => p.state === 'running')!;
    assert.equal(after[interrupted.index].attempts, 2);
    assert.notEqual(after[interrupted.index].runId, interrupted.runId);
    const runs = listRuns(runsDir);
    const abandoned = runs.find((r) => r.id === interrupted.runId)!;
    assert.equal(abandoned.manifest!.status, 'failed', 'the killed run reads as failed');
  });

  it('keeps points that trained an earlier version of the file, and runs them again with --rerun-stale', () => {
    const copy = path.join(runsDir, 'decay.exp.ts');
    fs.copyFileSync(DECAY, copy);
    const run = (...args: string[]) => {
      const { code, stdout, stderr } = lm([
        'sweep',
        copy,
        '--runs-dir',
        runsDir,
        '--json',
        '--sweep',
        'rates',
        '--seeds',
        '1',
        ...args,
      ]);
      return { code, json: JSON.parse(stdout) as SweepJson, stderr };
    };
    const first = run();
    assert.equal(first.code, 0, first.stderr);
    fs.appendFileSync(copy, '// edited\n');
    const kept = run();
    assert.match(
      kept.stderr,
      /3 finished points trained an earlier version of .*decay\.exp\.ts; kept \(--rerun-stale runs them again\)/,
    );
    assert.deepEqual(
      kept.json.points.map((p) => p.runId),
      first.json.points.map((p) => p.runId),
    );
    const rerun = run('--rerun-stale');
    assert.ok(
      rerun.json.points.every((p, i) => p.state === 'completed' && p.runId !== first.json.points[i].runId),
    );
    assert.doesNotMatch(run().stderr, /earlier version/);
  });

  it('refuses bad input with a message naming the problem, before running anything', () => {
    const unknown = lm(['sweep', DECAY, '--runs-dir', runsDir, '--sweep', 'rates', '--grid', 'width=1,2']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /sweep 'rates' of Decay: 'width' is not a parameter \(parameters: rate, failAt, delayMs, seed\)/,
    );
    const several = lm(['sweep', DECAY, '--runs-dir', runsDir]);
    assert.equal(several.code, 2);
    assert.match(several.stderr, /Decay declares several sweeps \(rates, slow\); choose one with --sweep/);
    const broken = lm([
      'sweep',
      path.join(FIXTURES, '..', 'broken', 'syntaxError.exp.ts'),
      '--runs-dir',
      runsDir,
      '--seeds',
      '2',
    ]);
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /lm sweep: .*syntaxError\.exp\.ts:\d+:\d+/);
    assert.equal(listRuns(runsDir).length, 0);
  });
});
