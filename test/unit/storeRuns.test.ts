import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initialManifest } from '../../src/store/initialManifest';
import type { ManifestStart } from '../../src/store/initialManifest';
import type { Manifest } from '../../src/store/manifest';
import { MANIFEST_FILE } from '../../src/store/manifestFile';
import { loadManifest, loadSeries } from '../../src/store/runReader';
import { deleteRun, listRuns, resolveRunId } from '../../src/store/runsDir';
import type { RunSummary } from '../../src/store/runsDir';
import { createRun } from '../../src/store/runWriter';

/** What the runner would know at the start of run `id`. */
function startOf(id: string): ManifestStart {
  return {
    id,
    experiment: 'Exp',
    title: 'An experiment',
    file: 'exp.ts',
    contentHash: 'h',
    params: {},
    seed: 0,
    steps: 10,
    backend: { name: 'cpu', tfjsVersion: '4.22.0', reason: 'requested' },
    observables: [],
    predictions: [],
  };
}

function manifestFor(id: string, startedAt = '2026-01-01T00:00:00.000Z'): Manifest {
  return initialManifest(startOf(id), new Date(startedAt));
}

function makeRun(runsDir: string, manifest: Manifest): void {
  createRun(runsDir, manifest).close();
}

/** The pid of a child process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  assert.ok(child.pid !== undefined);
  return child.pid;
}

function statusOf(runs: RunSummary[], id: string): string | undefined {
  return runs.find((r) => r.id === id)?.manifest?.status;
}

describe('store: the runs directory', () => {
  let root: string;
  let runsDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-runs-'));
    runsDir = path.join(root, 'runs');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('listRuns', () => {
    it('gives no runs for a runs directory that does not exist', () => {
      assert.deepEqual(listRuns(runsDir), []);
    });

    it('lists runs newest first by start time, whatever their ids', () => {
      makeRun(runsDir, manifestFor('b-middle', '2026-03-01T00:00:00Z'));
      makeRun(runsDir, manifestFor('c-oldest', '2026-01-01T00:00:00Z'));
      makeRun(runsDir, manifestFor('a-newest', '2026-05-01T00:00:00Z'));
      assert.deepEqual(
        listRuns(runsDir).map((r) => r.id),
        ['a-newest', 'b-middle', 'c-oldest'],
      );
    });

    it('reports a corrupt manifest as an entry with a problem, placed by the time in its id', () => {
      makeRun(runsDir, manifestFor('20260301-000000-Exp-aaaa', '2026-03-01T00:00:00Z'));
      makeRun(runsDir, manifestFor('20260101-000000-Exp-bbbb', '2026-01-01T00:00:00Z'));
      fs.mkdirSync(path.join(runsDir, '20260201-000000-Exp-cccc'));
      fs.writeFileSync(
        path.join(runsDir, '20260201-000000-Exp-cccc', MANIFEST_FILE),
        '{"schemaVersion": 1, "id":',
      );
      const runs = listRuns(runsDir);
      assert.deepEqual(
        runs.map((r) => r.id),
        ['20260301-000000-Exp-aaaa', '20260201-000000-Exp-cccc', '20260101-000000-Exp-bbbb'],
      );
      assert.equal(runs[1].manifest, null);
      assert.match(runs[1].problem ?? '', /manifest\.json is not valid JSON/);
    });

    it('reports a missing manifest, a schema mismatch and a newer schema as problems', () => {
      fs.mkdirSync(path.join(runsDir, 'empty'), { recursive: true });
      fs.mkdirSync(path.join(runsDir, 'wrong'));
      fs.writeFileSync(
        path.join(runsDir, 'wrong', MANIFEST_FILE),
        JSON.stringify({ ...manifestFor('wrong'), steps: 'x' }),
      );
      fs.mkdirSync(path.join(runsDir, 'newer'));
      fs.writeFileSync(
        path.join(runsDir, 'newer', MANIFEST_FILE),
        JSON.stringify({ ...manifestFor('newer'), schemaVersion: 2 }),
      );
      const problems = new Map(listRuns(runsDir).map((r) => [r.id, r.problem]));
      assert.match(problems.get('empty') ?? '', /manifest\.json is missing/);
      assert.match(problems.get('wrong') ?? '', /does not match manifest schema 1: steps:/);
      assert.match(problems.get('newer') ?? '', /schema version 2, newer than .* reads \(1\)/);
      assert.throws(
        () => loadManifest(runsDir, 'newer'),
        /Run newer: .*schema version 2.*newer[/\\]manifest\.json/,
      );
    });

    it('ignores files, hidden folders and folders whose names are not run ids', () => {
      makeRun(runsDir, manifestFor('real'));
      fs.writeFileSync(path.join(runsDir, 'notes.txt'), 'x');
      fs.mkdirSync(path.join(runsDir, '.cache'));
      fs.mkdirSync(path.join(runsDir, 'has space'));
      assert.deepEqual(
        listRuns(runsDir).map((r) => r.id),
        ['real'],
      );
    });
  });

  describe('liveness', () => {
    it('reports a running run whose writer on this host has exited as failed, without rewriting it', async () => {
      const pid = await deadPid();
      const manifest = manifestFor('stale');
      makeRun(runsDir, { ...manifest, writer: { pid, hostname: os.hostname() } });
      const [run] = listRuns(runsDir);
      const message = `the runner (pid ${pid}) ended without finishing the run`;
      assert.equal(run.manifest?.status, 'failed');
      assert.deepEqual(run.manifest?.error, { message });
      assert.equal(loadManifest(runsDir, 'stale').status, 'failed');
      const onDisk = JSON.parse(fs.readFileSync(path.join(runsDir, 'stale', MANIFEST_FILE), 'utf8'));
      assert.equal(onDisk.status, 'running');
    });

    it('keeps a run running while its writer is alive, or when it was written on another host', async () => {
      const pid = await deadPid();
      makeRun(runsDir, manifestFor('alive'));
      makeRun(runsDir, { ...manifestFor('remote'), writer: { pid, hostname: `not-${os.hostname()}` } });
      const runs = listRuns(runsDir);
      assert.equal(statusOf(runs, 'alive'), 'running');
      assert.equal(statusOf(runs, 'remote'), 'running');
    });

    it('leaves a finished run alone even though its writer has exited', async () => {
      const pid = await deadPid();
      makeRun(runsDir, {
        ...manifestFor('done'),
        status: 'completed',
        writer: { pid, hostname: os.hostname() },
      });
      assert.equal(statusOf(listRuns(runsDir), 'done'), 'completed');
    });

    it('keeps every flushed sample of a writer killed right after a flush, and reports the run failed', async () => {
      const script = path.join(root, 'writer.ts');
      const writerModule = path.resolve(__dirname, '../../src/store/runWriter.ts');
      const manifestModule = path.resolve(__dirname, '../../src/store/initialManifest.ts');
      fs.writeFileSync(
        script,
        `const { createRun } = require(${JSON.stringify(writerModule)});
         const { initialManifest } = require(${JSON.stringify(manifestModule)});
         const w = createRun(${JSON.stringify(runsDir)}, initialManifest(${JSON.stringify(startOf('killed'))}));
         w.append(Array.from({ length: 5000 }, (_, i) => ({ series: 'loss', step: i, value: 1 / (i + 1), wall: i })));
         w.flush();
         w.append([{ series: 'loss', step: 5000, value: 0, wall: 0 }]);
         process.kill(process.pid, 'SIGKILL');`,
      );
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', script], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL', stderr);
      const loss = loadSeries(runsDir, 'killed', 'loss');
      assert.equal(loss.step.length, 5000);
      assert.equal(loss.value[4999], 1 / 5000);
      assert.equal(loadManifest(runsDir, 'killed').status, 'failed');
    });
  });

  describe('resolveRunId', () => {
    beforeEach(() => {
      makeRun(runsDir, manifestFor('20260101-000000-Exp-aaaa', '2026-01-01T00:00:00Z'));
      makeRun(runsDir, manifestFor('20260301-000000-Exp-bbbb', '2026-03-01T00:00:00Z'));
      makeRun(runsDir, manifestFor('20260301-000000-Exp-bbbb2', '2026-02-01T00:00:00Z'));
    });

    it('returns an exact id even when it is also the prefix of another id', () => {
      assert.equal(resolveRunId(runsDir, '20260301-000000-Exp-bbbb'), '20260301-000000-Exp-bbbb');
    });

    it('resolves latest to the run that started last', () => {
      assert.equal(resolveRunId(runsDir, 'latest'), '20260301-000000-Exp-bbbb');
    });

    it('resolves a prefix of exactly one id', () => {
      assert.equal(resolveRunId(runsDir, '202601'), '20260101-000000-Exp-aaaa');
    });

    it('refuses an ambiguous prefix, listing the runs it matches', () => {
      assert.throws(
        () => resolveRunId(runsDir, '202603'),
        /"202603" is ambiguous .*2 run ids \(20260301-000000-Exp-bbbb2, 20260301-000000-Exp-bbbb\)/,
      );
    });

    it('refuses an unknown or unsafe reference, listing recent runs', () => {
      for (const ref of ['2027', '../runs', '']) {
        assert.throws(
          () => resolveRunId(runsDir, ref),
          /No run matches .* recent runs: 20260301-000000-Exp-bbbb2, /,
        );
      }
    });

    it('says there are no runs when the runs directory is empty', () => {
      const empty = path.join(root, 'none');
      assert.throws(() => resolveRunId(empty, 'latest'), /"latest": there are no runs in .*none/);
    });
  });

  describe('deleteRun', () => {
    it('removes that run folder and nothing else', () => {
      makeRun(runsDir, manifestFor('keep'));
      makeRun(runsDir, manifestFor('drop'));
      makeRun(runsDir, manifestFor('drop2'));
      fs.writeFileSync(path.join(root, 'outside.txt'), 'x');
      deleteRun(runsDir, 'drop');
      assert.deepEqual(fs.readdirSync(runsDir).sort(), ['drop2', 'keep']);
      assert.ok(fs.existsSync(path.join(root, 'outside.txt')));
      assert.equal(loadManifest(runsDir, 'keep').id, 'keep');
    });

    it('refuses ids that escape the runs directory and ids of runs that do not exist', () => {
      makeRun(runsDir, manifestFor('keep'));
      assert.throws(() => deleteRun(runsDir, '../runs'), /Invalid run id "\.\.\/runs"/);
      assert.throws(() => deleteRun(runsDir, path.resolve(runsDir, 'keep')), /Invalid run id/);
      assert.throws(() => deleteRun(runsDir, 'gone'), /No run gone in /);
      assert.deepEqual(fs.readdirSync(runsDir), ['keep']);
    });
  });
});
