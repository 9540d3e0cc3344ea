import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Sample } from '../../src/protocol/series';
import { initialManifest } from '../../src/store/initialManifest';
import type { Manifest } from '../../src/store/manifest';
import { MANIFEST_FILE } from '../../src/store/manifestFile';
import { loadManifest, loadRun, loadSeries, seriesNames } from '../../src/store/runReader';
import { createRun } from '../../src/store/runWriter';
import { HEADER_BYTES, NAMES_FILE, RECORD_BYTES, SERIES_FILE } from '../../src/store/seriesFile';

function manifestFor(id: string): Manifest {
  return initialManifest({
    id,
    experiment: 'DeepLinear',
    title: 'Deep linear network',
    file: 'examples/deepLinear.ts',
    contentHash: 'abc123',
    params: { lr: 0.01, depth: 3 },
    seed: 7,
    steps: 100,
    backend: { name: 'cpu', tfjsVersion: '4.22.0', reason: 'requested' },
    observables: [{ name: 'loss', every: 1, atEnd: false }],
    predictions: [],
  });
}

/** `n` samples cycling over `names`, with step i, value i * 0.5 + index of the series, wall i / 1000. */
function samples(names: string[], n: number, firstStep = 0): Sample[] {
  return Array.from({ length: n }, (_, k) => {
    const i = firstStep + k;
    const s = names[i % names.length];
    return { series: s, step: i, value: i * 0.5 + names.indexOf(s), wall: i / 1000 };
  });
}

/** The samples of `name` in `all`, as the columns loadRun should return. */
function expected(all: Sample[], name: string) {
  const mine = all.filter((s) => s.series === name);
  return { step: mine.map((s) => s.step), value: mine.map((s) => s.value), wall: mine.map((s) => s.wall) };
}

function columns(data: { step: Float64Array; value: Float64Array; wall: Float64Array }) {
  return { step: [...data.step], value: [...data.value], wall: [...data.wall] };
}

describe('store: writing and reading a run', () => {
  let runsDir: string;
  beforeEach(() => {
    runsDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lm-store-')), 'runs');
  });
  afterEach(() => fs.rmSync(path.dirname(runsDir), { recursive: true, force: true }));

  it('round-trips the samples of several series in append order, across many buffer flushes', () => {
    const names = ['loss', 'modes[0]', 'modes[1]', 'modes[0]~saxe', 'modes[0]~saxe:lo'];
    const all = samples(names, 10_007);
    const writer = createRun(runsDir, manifestFor('r1'), { bufferBytes: 1000 });
    for (let i = 0; i < all.length; i += 333) writer.append(all.slice(i, i + 333));
    writer.close();
    const run = loadRun(runsDir, 'r1');
    assert.deepEqual([...run.series.keys()], names);
    for (const name of names) assert.deepEqual(columns(run.series.get(name)!), expected(all, name), name);
  });

  it('round-trips NaN, infinities, negative zero, fractional steps and large steps exactly', () => {
    const odd: Sample[] = [
      { series: 'loss', step: 0, value: NaN, wall: 0.1 },
      { series: 'loss', step: 1.5, value: Infinity, wall: 0.2 },
      { series: 'loss', step: 2 ** 40, value: -Infinity, wall: 0.3 },
      { series: 'loss', step: 3, value: -0, wall: 1e-300 },
    ];
    const writer = createRun(runsDir, manifestFor('odd'));
    writer.append(odd);
    writer.close();
    const data = loadRun(runsDir, 'odd').series.get('loss')!;
    assert.deepEqual([...data.step], [0, 1.5, 2 ** 40, 3]);
    assert.ok(Number.isNaN(data.value[0]));
    assert.deepEqual([...data.value.subarray(1)], [Infinity, -Infinity, -0]);
    assert.ok(Object.is(data.value[3], -0));
    assert.deepEqual([...data.wall], [0.1, 0.2, 0.3, 1e-300]);
  });

  it('writes the manifest it was given, readable with loadManifest', () => {
    const manifest = manifestFor('m1');
    createRun(runsDir, manifest).close();
    assert.deepEqual(loadManifest(runsDir, 'm1'), manifest);
  });

  it('loses only the torn last record and a torn names line after a crash mid-write', () => {
    const all = samples(['a', 'b'], 10);
    const writer = createRun(runsDir, manifestFor('torn'));
    writer.append(all);
    writer.close();
    const dir = path.join(runsDir, 'torn');
    fs.truncateSync(path.join(dir, SERIES_FILE), HEADER_BYTES + 9 * RECORD_BYTES + 11);
    fs.appendFileSync(path.join(dir, NAMES_FILE), '{"index":2,"na');
    const run = loadRun(runsDir, 'torn');
    assert.deepEqual([...run.series.keys()], ['a', 'b']);
    assert.deepEqual(columns(run.series.get('a')!), expected(all, 'a'));
    assert.deepEqual(columns(run.series.get('b')!), expected(all.slice(0, 9), 'b'));
    assert.deepEqual(seriesNames(runsDir, 'torn'), ['a', 'b']);
  });

  it('skips records whose series index has no name', () => {
    const writer = createRun(runsDir, manifestFor('orphan'));
    writer.append(samples(['a', 'b'], 4));
    writer.close();
    const dir = path.join(runsDir, 'orphan');
    const names = fs.readFileSync(path.join(dir, NAMES_FILE), 'utf8');
    fs.writeFileSync(path.join(dir, NAMES_FILE), names.slice(0, names.indexOf('\n') + 1) + '{"index":1,"na');
    const run = loadRun(runsDir, 'orphan');
    assert.deepEqual([...run.series.keys()], ['a']);
    assert.deepEqual([...run.series.get('a')!.step], [0, 2]);
  });

  it('reports a damaged names line with the file and line number', () => {
    createRun(runsDir, manifestFor('dmg')).close();
    fs.writeFileSync(path.join(runsDir, 'dmg', NAMES_FILE), '{"index":0,"name":"a"}\nnot json\n');
    assert.throws(() => loadRun(runsDir, 'dmg'), /dmg.*series\.names\.jsonl line 2 is damaged/);
  });

  it('sees flushed samples while the writer is still open, and not the ones still buffered', () => {
    const writer = createRun(runsDir, manifestFor('live'));
    try {
      writer.append(samples(['loss'], 5));
      writer.flush();
      writer.append(samples(['loss'], 3, 5));
      assert.deepEqual([...loadSeries(runsDir, 'live', 'loss').step], [0, 1, 2, 3, 4]);
      writer.flush();
      assert.deepEqual([...loadRun(runsDir, 'live').series.get('loss')!.step], [0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      writer.close();
    }
  });

  it('flushes buffered samples before writing a manifest update', () => {
    const writer = createRun(runsDir, manifestFor('upd'));
    writer.append(samples(['loss'], 3));
    writer.updateManifest({ step: 2 });
    assert.equal(loadManifest(runsDir, 'upd').step, 2);
    assert.equal(loadSeries(runsDir, 'upd', 'loss').step.length, 3);
    writer.close();
  });

  it('records the final status after close and keeps the manifest in memory', () => {
    const writer = createRun(runsDir, manifestFor('fin'));
    writer.append(samples(['loss'], 3));
    writer.close();
    writer.close();
    const endedAt = new Date().toISOString();
    writer.updateManifest({ status: 'completed', endedAt, step: 2 });
    assert.equal(writer.manifest.status, 'completed');
    assert.deepEqual(loadManifest(runsDir, 'fin'), writer.manifest);
    const leftovers = fs.readdirSync(path.join(runsDir, 'fin')).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  it('refuses a manifest update that breaks the schema, and keeps the file as it was', () => {
    const writer = createRun(runsDir, manifestFor('bad'));
    assert.throws(() => writer.updateManifest({ step: -1 }), /invalid manifest for run bad.*step/);
    assert.throws(() => writer.updateManifest({ id: 'other' }), /Cannot change the id of run bad/);
    assert.equal(loadManifest(runsDir, 'bad').step, 0);
    writer.close();
  });

  it('refuses to append after close', () => {
    const writer = createRun(runsDir, manifestFor('closed'));
    writer.close();
    assert.throws(() => writer.append(samples(['loss'], 1)), /run closed.*closed/);
  });

  it('refuses to create a run whose folder already exists, naming it', () => {
    createRun(runsDir, manifestFor('dup')).close();
    assert.throws(() => createRun(runsDir, manifestFor('dup')), /run dup at .*already exists/);
  });

  it('refuses an invalid manifest without leaving a run folder behind', () => {
    const broken = { ...manifestFor('inv'), steps: -5 };
    assert.throws(() => createRun(runsDir, broken), /run inv.*steps/);
    assert.equal(fs.existsSync(path.join(runsDir, 'inv')), false);
  });

  it('writes the manifest as formatted JSON in manifest.json', () => {
    createRun(runsDir, manifestFor('json')).close();
    const text = fs.readFileSync(path.join(runsDir, 'json', MANIFEST_FILE), 'utf8');
    assert.equal(JSON.parse(text).id, 'json');
    assert.match(text, /\n {2}"schemaVersion": 1,\n/);
  });

  it('loads one series restricted to an inclusive step range', () => {
    const all = samples(['loss', 'acc'], 40);
    const writer = createRun(runsDir, manifestFor('range'));
    writer.append(all);
    writer.close();
    assert.deepEqual(
      [...loadSeries(runsDir, 'range', 'loss', { from: 10, to: 20 }).step],
      [10, 12, 14, 16, 18, 20],
    );
    assert.deepEqual([...loadSeries(runsDir, 'range', 'acc', { from: 33 }).step], [33, 35, 37, 39]);
    assert.deepEqual([...loadSeries(runsDir, 'range', 'acc', { to: 3 }).value], [1.5, 2.5]);
    assert.deepEqual(columns(loadSeries(runsDir, 'range', 'loss')), expected(all, 'loss'));
  });

  it('names the run and its series when a series is unknown', () => {
    const writer = createRun(runsDir, manifestFor('unk'));
    writer.append(samples(['loss', 'acc'], 2));
    writer.close();
    assert.throws(() => loadSeries(runsDir, 'unk', 'lsos'), /Run unk has no series "lsos"; it has loss, acc/);
  });

  it('names the run when it does not exist or its series file is missing', () => {
    assert.throws(() => loadRun(runsDir, 'nope'), /No run nope in /);
    createRun(runsDir, manifestFor('nobin')).close();
    fs.rmSync(path.join(runsDir, 'nobin', SERIES_FILE));
    assert.throws(() => loadRun(runsDir, 'nobin'), /Run nobin: .*series\.bin is missing/);
  });

  it('refuses a file that is not a series file', () => {
    createRun(runsDir, manifestFor('magic')).close();
    fs.writeFileSync(path.join(runsDir, 'magic', SERIES_FILE), 'hello world, not series');
    assert.throws(() => loadRun(runsDir, 'magic'), /series\.bin is not a series file/);
  });
});
