import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  SWEEP_PROTOCOL_VERSION,
  type HostToSweep,
  type SweepToHost,
  type SweepView,
} from '../../src/protocol/sweepView';
import { expandSweep, parseSweepSpec } from '../../src/sweep/spec';
import { sweepProgress } from '../../src/sweep/progress';
import {
  attachLaws,
  curvesCharts,
  resolveView,
  summaryCharts,
  summarySeries,
  sweptParams,
  type CurveSeries,
  type SweepLaws,
} from '../../src/sweep/sweepCharts';
import { pendingRecord, type PointRecord, type SweepManifest } from '../../src/sweep/sweepStore';
import { CHROMIUM } from './harness';

/**
 * The sweep panel's script (src/webviews/sweepApp) in Chromium: built as esbuild.mjs builds it, served under
 * the extension's CSP with media/chart.css and the fake VS Code API (fakeVscode.js), fed messages made by the
 * real chart-data code (src/sweep/sweepCharts.ts) from a synthetic sweep: loss ~ width^-0.5 per activation.
 */
const ROOT = path.join(__dirname, '..', '..');
const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

const PAGE = `<!doctype html>
<html lang="en" data-lm-debug>
<head>
<meta charset="UTF-8" />
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; style-src 'self'; font-src 'self'; script-src 'nonce-harness'" />
<link rel="stylesheet" href="/test/webview/themes.css" />
<link rel="stylesheet" href="/media/chart.css" />
<script nonce="harness" src="/test/webview/fakeVscode.js"></script>
<title>sweep harness</title>
</head>
<body class="vscode-dark">
<div id="app" data-sweep-id="sw1"></div>
<script nonce="harness" src="/dist/sweepWebview.js"></script>
</body>
</html>`;

const target = { experiment: 'Mlp', params: ['width', 'act', 'seed'], observables: ['loss'] };
const spec = parseSweepSpec(
  'widths',
  { grid: { width: [16, 32, 64, 128, 256], act: ['relu', 'tanh'] }, seeds: 3, summarize: { loss: 'final' } },
  target,
);
const manifest: SweepManifest = {
  schemaVersion: 1,
  id: 'sw1',
  name: 'widths',
  experiment: 'Mlp',
  file: '/w/mlp.exp.ts',
  spec,
  steps: 200,
  points: expandSweep(spec),
  createdAt: '2026-01-01T00:00:00Z',
  backend: { kind: 'local', workers: 2 },
  coordinator: null,
};

const finalLoss = (o: Record<string, unknown>, seed: number) =>
  (o.act === 'relu' ? 1 : 1.6) * (o.width as number) ** -0.5 * (1 + 0.05 * (seed - 1)) + 0.01;

/** The first `done` points completed (the next two running), as the host would send them. */
function message(done: number, view: Partial<SweepView> | null = null, laws?: SweepLaws): HostToSweep {
  const points: PointRecord[] = manifest.points.map((p) => {
    const state = p.index < done ? 'completed' : p.index < done + 2 ? 'running' : 'pending';
    return {
      ...pendingRecord(p.index),
      state: state as PointRecord['state'],
      runId: state === 'pending' ? null : `run-${p.index}`,
      attempts: state === 'pending' ? 0 : 1,
      summary: (state === 'completed'
        ? { loss: finalLoss(p.overrides, p.seed) }
        : {}) as PointRecord['summary'],
    };
  });
  const series = new Map<number, Map<string, CurveSeries>>();
  for (const p of manifest.points.filter((pt) => points[pt.index].runId)) {
    const upTo = points[p.index].state === 'completed' ? 200 : 80;
    const step = Array.from({ length: upTo }, (_, i) => i);
    const last = finalLoss(p.overrides, p.seed);
    series.set(p.index, new Map([['loss', { step, value: step.map((s) => last + 2 * Math.exp(-s / 30)) }]]));
  }
  const resolved = resolveView(manifest, view);
  const progress = sweepProgress(points, done, done * 2);
  return {
    type: 'snapshot',
    protocolVersion: SWEEP_PROTOCOL_VERSION,
    sweep: {
      id: 'sw1',
      name: 'widths',
      experiment: 'Mlp',
      file: '/w/mlp.exp.ts',
      steps: 200,
      params: sweptParams(manifest),
      total: progress.total,
      counts: progress.counts,
      etaSeconds: progress.etaSeconds,
      active: done < manifest.points.length,
    },
    view: resolved,
    points: points.map((p) => ({
      index: p.index,
      state: p.state,
      runId: p.runId,
      overrides: manifest.points[p.index].overrides,
      seed: manifest.points[p.index].seed,
      summary: p.summary,
      error: p.error,
    })),
    summaries: attachLaws(summaryCharts(manifest, points, resolved), laws),
    curves: curvesCharts(manifest, points, summarySeries(manifest, points), series, resolved),
    laws: laws?.scores ?? [],
  };
}

const powerLaw: SweepLaws = {
  scores: [
    {
      law: 'powerLaw',
      label: 'power law',
      chart: 'loss@width',
      detail: 'α 0.50 [0.47, 0.53]',
      value: 0.012,
      pass: true,
    },
    { law: 'collapse', label: 'collapse', chart: null, detail: 'spread 0.3', value: 0.3, pass: false },
  ],
  overlays: [
    {
      chart: 'loss@width',
      law: 'powerLaw',
      label: 'power law fit',
      group: '["relu"]',
      x: [16, 32, 64, 128, 256],
      y: [16, 32, 64, 128, 256].map((w) => w ** -0.5 + 0.01),
      lo: [16, 32, 64, 128, 256].map((w) => 0.9 * w ** -0.5 + 0.01),
      hi: [16, 32, 64, 128, 256].map((w) => 1.1 * w ** -0.5 + 0.01),
    },
  ],
};

interface SweepWindow {
  __lmSweep: {
    renders: number;
    charts(): Record<
      string,
      {
        title: string;
        xScale: string;
        yScale: string;
        yTicks: string[];
        datasets: Array<{ kind: string; label: string; points: number }>;
      }
    >;
    pointPosition(key: string, run: string, kind?: string): { x: number; y: number } | null;
  };
  __vscodeMessages: SweepToHost[];
  __vscodeState(): unknown;
  __cspViolations: string[];
}

describe('sweep panel (webview in Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser | null = null;
  let server: http.Server | null = null;
  let dir = '';
  let base = '';
  let page: Page | null = null;
  let errors: string[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      const why = `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LM_CHROMIUM`;
      if (process.env.CI) throw new Error(why);
      console.warn(`\n  !!! SKIPPING the sweep panel browser tests. ${why} !!!\n`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-sweep-webview-'));
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'src', 'webviews', 'sweepApp', 'main.ts')],
      outfile: path.join(dir, 'sweepWebview.js'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      logLevel: 'warning',
    });
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css' };
      if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
      if (url.pathname === '/sweep.html')
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      const file =
        url.pathname === '/dist/sweepWebview.js'
          ? path.join(dir, 'sweepWebview.js')
          : /^\/(media|test\/webview)\/[\w.-]+$/.test(url.pathname)
            ? path.join(ROOT, url.pathname)
            : null;
      if (!file || !fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server!.close(resolve));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    if (page) assert.deepEqual(errors, [], 'the page logged no errors');
    await page?.close();
    page = null;
  });

  async function open(state: unknown = null, theme = 'vscode-dark', width = 1280) {
    page = await browser!.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
    errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.addInitScript((s) => {
      (window as unknown as { __lmInitialState: unknown }).__lmInitialState = s;
    }, state);
    await page.goto(`${base}/sweep.html`);
    await page.evaluate((t) => void (document.body.className = t), theme);
    await page.waitForFunction(() => (window as unknown as SweepWindow).__lmSweep !== undefined);
    return page;
  }

  async function post(p: Page, m: HostToSweep): Promise<void> {
    const before = await p.evaluate(() => (window as unknown as SweepWindow).__lmSweep.renders);
    await p.evaluate((msg) => window.postMessage(msg, '*'), m);
    await p.waitForFunction((n) => (window as unknown as SweepWindow).__lmSweep.renders > n, before);
  }

  const charts = (p: Page) => p.evaluate(() => (window as unknown as SweepWindow).__lmSweep.charts());
  /** The `skip`-th (0-based) posted message of `type`, once posted (chart.js handles events in a frame). */
  async function waitFor(p: Page, type: string, skip = 1): Promise<SweepToHost> {
    const handle = await p.waitForFunction(
      ([t, n]) => (window as unknown as SweepWindow).__vscodeMessages.filter((m) => m.type === t)[n - 1],
      [type, skip] as const,
    );
    return (await handle.jsonValue()) as SweepToHost;
  }
  const messages = (p: Page) => p.evaluate(() => (window as unknown as SweepWindow).__vscodeMessages);

  it('says ready with the view restored from its state, dropping a malformed one', async () => {
    const view: SweepView = { x: 'width', colorBy: 'act', xScale: 'log', yScale: 'log' };
    let p = await open({ sweepId: 'sw1', view });
    assert.deepEqual((await messages(p))[0], { type: 'ready', view });
    await p.close();
    p = await open({ sweepId: 'sw1', view: { x: 3, xScale: 'sideways' } });
    assert.deepEqual((await messages(p))[0], { type: 'ready', view: null });
  });

  it('draws a summary card per summarised series with seed bands, and a card of every run curve', async () => {
    const p = await open();
    await post(p, message(30));
    const c = await charts(p);
    assert.deepEqual(Object.keys(c), ['summary:loss@width', 'curves:loss']);
    const summary = c['summary:loss@width'];
    assert.equal(summary.title, 'loss (final) vs width');
    assert.equal(summary.xScale, 'logarithmic', 'width spans a factor 16: log x by default');
    const kinds = summary.datasets.map((d) => `${d.kind}:${d.label}:${d.points}`);
    assert.deepEqual(kinds, [
      'band:act="relu" −σ:5',
      'band:act="relu" +σ:5',
      'mean:act="relu":5',
      'runs:act="relu" runs:15',
      'band:act="tanh" −σ:5',
      'band:act="tanh" +σ:5',
      'mean:act="tanh":5',
      'runs:act="tanh" runs:15',
    ]);
    assert.equal(c['curves:loss'].datasets.length, 30);
    const header = await p.textContent('.panel-header');
    assert.match(header ?? '', /Mlp · sweep widths/);
    assert.match(header ?? '', /30\/30 points done/);
    assert.equal(await p.isVisible('button[aria-label="Stop the sweep"]'), false, 'no Stop when done');
    assert.deepEqual(await p.evaluate(() => (window as unknown as SweepWindow).__cspViolations), []);
  });

  it('updates live as points finish: more points, running curves, progress and Stop', async () => {
    const p = await open();
    await post(p, message(6));
    let c = await charts(p);
    assert.deepEqual(
      c['summary:loss@width'].datasets.filter((d) => d.kind === 'runs').map((d) => d.points),
      [3, 3],
    );
    assert.equal(c['curves:loss'].datasets.length, 8, '6 completed and 2 running curves');
    assert.match((await p.textContent('.panel-header')) ?? '', /6\/30 points done · 2 running · ETA/);
    assert.equal(await p.isVisible('button[aria-label="Stop the sweep"]'), true);
    await post(p, { ...message(18), type: 'update' } as HostToSweep);
    c = await charts(p);
    assert.deepEqual(
      c['summary:loss@width'].datasets.filter((d) => d.kind === 'runs').map((d) => d.points),
      [9, 9],
    );
    await p.click('button[aria-label="Stop the sweep"]');
    assert.deepEqual(await waitFor(p, 'stop'), { type: 'stop' });
  });

  it('opens the run of a clicked point and of a clicked curve', async () => {
    const p = await open();
    await post(p, message(30));
    const at = await p.evaluate(() =>
      (window as unknown as SweepWindow).__lmSweep.pointPosition('summary:loss@width', 'run-4'),
    );
    assert.ok(at, 'run-4 is drawn');
    await p.mouse.click(at.x, at.y);
    assert.deepEqual(await waitFor(p, 'openRun'), { type: 'openRun', run: 'run-4' }, 'the dot, not the mean');
    const onCurve = await p.evaluate(() =>
      (window as unknown as SweepWindow).__lmSweep.pointPosition('curves:loss', 'run-29', 'curve'),
    );
    await p.mouse.click(onCurve!.x, onCurve!.y);
    const last = (await waitFor(p, 'openRun', 2)) as { type: string; run: string };
    assert.equal(last.type, 'openRun');
    assert.match(last.run, /^run-\d+$/);
  });

  it('posts a view change from its controls and keeps it in its state', async () => {
    const p = await open();
    await post(p, message(30));
    await p.selectOption('select[aria-label="Y scale"]', 'log');
    const view = { x: 'width', colorBy: 'width', xScale: 'log', yScale: 'log' };
    assert.deepEqual((await messages(p)).at(-1), { type: 'view', view });
    assert.deepEqual(await p.evaluate(() => (window as unknown as SweepWindow).__vscodeState()), {
      sweepId: 'sw1',
      view,
    });
    await post(p, { ...message(30, { x: 'act', yScale: 'log' }), type: 'update' } as HostToSweep);
    const c = await charts(p);
    assert.deepEqual(Object.keys(c), ['summary:loss@act', 'curves:loss']);
    assert.equal(c['summary:loss@act'].yScale, 'logarithmic');
    assert.equal(c['summary:loss@act'].xScale, 'linear', 'a categorical x');
  });

  it('draws law overlays and badges given as data, and lists every law in the law table', async () => {
    const p = await open();
    await post(p, message(30, null, powerLaw));
    const c = await charts(p);
    const laws = c['summary:loss@width'].datasets.filter((d) => d.kind === 'law' || d.kind === 'lawBand');
    assert.deepEqual(
      laws.map((d) => `${d.kind}:${d.points}`),
      ['lawBand:5', 'lawBand:5', 'law:5'],
    );
    const badges = await p.$$eval('[data-key="summary:loss@width"] .badge', (els) =>
      els.map((e) => [e.className, e.textContent]),
    );
    assert.deepEqual(badges, [['badge pass', '✓power lawα 0.50 [0.47, 0.53]PASS']]);
    const rows = await p.$$eval('.law-table tbody tr', (els) =>
      els.map((e) =>
        Array.from(e.querySelectorAll('td'))
          .slice(0, 4)
          .map((td) => td.textContent),
      ),
    );
    assert.deepEqual(rows, [
      ['power law', 'loss@width', 'α 0.50 [0.47, 0.53]', '0.012'],
      ['collapse', 'sweep', 'spread 0.3', '0.3'],
    ]);
  });

  it('saves screenshots: dark with a law, light, high contrast, narrow', async () => {
    let p = await open();
    await post(p, message(30, null, powerLaw));
    await p.screenshot({ path: path.join(SCREENSHOTS, 'sweep-dark.png'), fullPage: true });
    await p.close();
    p = await open(null, 'vscode-light');
    await post(p, message(14, { yScale: 'log' }));
    const ticks = (await charts(p))['summary:loss@width'].yTicks;
    assert.ok(ticks.includes('0.2') && ticks.length >= 2, `labelled log y ticks: ${ticks.join(', ')}`);
    await p.screenshot({ path: path.join(SCREENSHOTS, 'sweep-light.png'), fullPage: true });
    await p.close();
    p = await open(null, 'vscode-high-contrast');
    await post(p, message(30, { colorBy: 'act' }));
    await p.screenshot({ path: path.join(SCREENSHOTS, 'sweep-high-contrast.png'), fullPage: true });
    await p.close();
    p = await open(null, 'vscode-dark', 420);
    await post(p, message(30));
    await p.screenshot({ path: path.join(SCREENSHOTS, 'sweep-narrow.png'), fullPage: true });
  });
});
