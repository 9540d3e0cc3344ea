import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_VIEW, type ChartView } from '../../src/protocol/webview';
import { buildCharts } from '../../src/series/chartData';
import { defaultAgreement, deepLinearRun, snapshot } from './fixtures';
import { CHROMIUM, Harness, type PanelPage } from './harness';

const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-results', 'screenshots');

const live = () => deepLinearRun({ id: 'run-17', lr: 0.001, steps: 20_000, upTo: 12_000 });
const done = () => deepLinearRun({ id: 'run-17', lr: 0.001, steps: 20_000 });

describe('chart panel (webview in Chromium)', function () {
  this.timeout(120_000);
  let harness: Harness | null = null;
  let panel: PanelPage | null = null;

  before(async function () {
    harness = await Harness.start();
    if (harness) return;
    const message = `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set LM_CHROMIUM`;
    if (process.env.CI) throw new Error(message);
    console.warn(`\n  !!! SKIPPING the chart panel browser tests. ${message} !!!\n`);
    this.skip();
  });

  after(async () => {
    await harness?.close();
  });

  afterEach(async () => {
    if (panel) assert.deepEqual(panel.errors, [], 'the page logged no errors');
    await panel?.close();
    panel = null;
  });

  async function open(state?: unknown, theme: 'vscode-dark' | 'vscode-light' = 'vscode-dark') {
    panel = await harness!.open({ state, theme });
    return panel;
  }

  it('says ready with the views restored from its state', async () => {
    const saved: ChartView = { ...DEFAULT_VIEW, smoothing: 0.6, yScale: 'log' };
    const p = await open({ views: { loss: saved, bogus: { xKind: 'nope' } } });
    const ready = await p.waitForMessage('ready');
    assert.deepEqual(ready, { type: 'ready', views: { loss: saved } }, 'a malformed saved view is dropped');
    await p.post(snapshot([live()], { loss: saved }));
    assert.equal(await p.page.inputValue('input[aria-label^="Smoothing of loss"]'), '0.6');
    assert.equal(await p.page.inputValue('select[aria-label="Y scale of loss"]'), 'log');
  });

  it('draws a canvas per observable and a badge per prediction with its verdict', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const cards = await p.page.$$eval('section.card', (els) =>
      els.map((el) => [el.getAttribute('data-observable'), el.querySelectorAll('canvas').length]),
    );
    assert.deepEqual(cards, [
      ['loss', 1],
      ['modes', 1],
    ]);
    const badges = await p.page.$$eval('.badge', (els) => els.map((el) => [el.className, el.textContent]));
    assert.deepEqual(badges, [
      ['badge pass', '✓saxeR² log 0.9962 ≥ 0.99PASS'],
      ['badge fail', '✗lazymax rel err 0.8412 ≤ 0.1FAIL'],
      ['badge pass', '✓saxeR² 0.9987 ≥ 0.99PASS'],
    ]);
    const charts = await p.charts();
    assert.equal(
      charts.modes.datasets.filter((d) => d.label === 'modes[3]').length,
      3,
      'line and min/max edges',
    );
    assert.ok(charts.modes.datasets.some((d) => d.label === 'saxe[3] (theory)'));
    const header = await p.page.textContent('.panel-header');
    assert.match(header ?? '', /running.*step 12,000 \/ 20,000.*2,140 steps\/s.*tfjs-node/);
    const notes = await p.page.textContent('[data-observable="loss"] .notes');
    assert.match(notes ?? '', /decimated 14k → 3k/);
  });

  it('redraws when a charts update arrives and updates the badges live', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const before = (await p.charts()).loss.datasets.find((d) => d.label === 'loss')!.last!;
    const next = deepLinearRun({
      id: 'run-17',
      lr: 0.001,
      steps: 20_000,
      upTo: 16_000,
      agreement: defaultAgreement(0.95),
    });
    await p.post({ type: 'charts', charts: buildCharts({ runs: [next.run] }, {}) });
    const after = (await p.charts()).loss.datasets.find((d) => d.label === 'loss')!.last!;
    assert.equal(before.x, 12_000);
    assert.equal(after.x, 16_000, 'the line now ends at the latest step');
    const modesBadge = await p.page.textContent('[data-observable="modes"] .badge');
    assert.equal(modesBadge, '✗saxeR² 0.95 ≥ 0.99FAIL');
  });

  it('switches the y scale at once, posts a view message and keeps the view in its state', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const seen = (await p.messages()).length;
    await p.page.selectOption('select[aria-label="Y scale of loss"]', 'log');
    const view = await p.waitForMessage('view', seen);
    assert.deepEqual(view, { type: 'view', observable: 'loss', view: { ...DEFAULT_VIEW, yScale: 'log' } });
    const restorable = { views: { loss: { ...DEFAULT_VIEW, yScale: 'log' } }, runIds: ['run-17'] };
    assert.deepEqual(
      await p.state(),
      restorable,
      'the state holds the views and the runs the serializer restores',
    );
    assert.equal((await p.charts()).loss.yScale, 'logarithmic');
  });

  it('posts the visible range when the chart is zoomed, and clears it on reset', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const box = (await p.page.locator('[data-observable="loss"] canvas').boundingBox())!;
    const seen = (await p.messages()).length;
    await p.page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.6);
    await p.page.mouse.down();
    await p.page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.6, { steps: 5 });
    await p.page.mouse.up();
    const zoomed = await p.waitForMessage('view', seen);
    const range = zoomed.view.range!;
    assert.ok(
      range.min > 0 && range.max < 12_000 && range.min < range.max,
      `a narrower range: ${JSON.stringify(range)}`,
    );
    // The host answers with the range re-bucketed: finer data, and the chart stays where the user zoomed.
    const coarse = (await p.charts()).loss.datasets.find((d) => d.label === 'loss')!.points;
    await p.post({ type: 'charts', charts: buildCharts({ runs: [live().run] }, { loss: zoomed.view }) });
    const after = (await p.charts()).loss;
    assert.deepEqual(after.xRange, range);
    const fine = after.datasets.find((d) => d.label === 'loss')!.points;
    assert.ok(
      fine > coarse * 0.9,
      `the range is drawn with about as many points as the whole (${fine}, ${coarse})`,
    );
    await p.page.click('button[aria-label="Reset the zoom of loss"]');
    const reset = await p.waitForMessage('view', seen + 1);
    assert.equal(reset.view.range, null);
  });

  it('exports one chart and the whole panel as PNG data URLs, and asks the host for the CSV', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const seen = (await p.messages()).length;
    await p.page.click('button[aria-label="Export loss as PNG"]');
    const one = await p.waitForMessage('exportPng', seen);
    assert.equal(one.observable, 'loss');
    assert.ok(one.dataUrl.startsWith('data:image/png;base64,'), one.dataUrl.slice(0, 40));
    await p.page.click('button[aria-label="Export all charts as one PNG"]');
    const all = await p.waitForMessage('exportPng', seen + 1);
    assert.equal(all.observable, null);
    assert.ok(all.dataUrl.startsWith('data:image/png;base64,') && all.dataUrl.length > one.dataUrl.length);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    fs.writeFileSync(
      path.join(SCREENSHOTS, 'export-panel.png'),
      Buffer.from(all.dataUrl.split(',')[1], 'base64'),
    );
    await p.page.click('button[aria-label="Export the full-resolution data as CSV"]');
    assert.deepEqual(await p.waitForMessage('exportCsv', seen + 2), { type: 'exportCsv' });
  });

  it('needs nothing that the nonce CSP blocks (no inline styles or scripts)', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    await p.page.selectOption('select[aria-label="X scale of modes"]', 'log');
    await p.page.hover('[data-observable="modes"] canvas');
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('re-reads the theme colours when the body class changes', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const tickColor = () =>
      p.page.evaluate(() => {
        const canvas = document.querySelector('[data-observable="loss"] canvas') as HTMLCanvasElement;
        return getComputedStyle(canvas.closest('.card')!).backgroundColor;
      });
    assert.equal(await tickColor(), 'rgb(31, 31, 31)');
    const renders = await p.renders();
    await p.setTheme('vscode-light');
    await p.page.waitForFunction(() => document.body.classList.contains('vscode-light'));
    assert.equal(await tickColor(), 'rgb(255, 255, 255)');
    assert.equal(await p.renders(), renders, 'a theme change redraws without waiting for the host');
    const legendText = await p.page.evaluate(() => {
      const canvas = document.querySelector('[data-observable="loss"] canvas') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      // The pixel under the first legend label: dark text on the white background after the switch.
      const { data } = ctx.getImageData(0, 0, canvas.width, 30);
      let darkest = 255;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200) darkest = Math.min(darkest, data[i]);
      return darkest;
    });
    assert.ok(
      legendText < 120,
      `legend drawn in the light theme's dark foreground (darkest red ${legendText})`,
    );
  });

  it('reflows when the panel is resized: charts follow the width, two columns become one', async () => {
    const p = await open();
    await p.post(snapshot([live()]));
    const widths = () =>
      p.page.$$eval('section.card canvas', (els) =>
        els.map((el) => Math.round(el.getBoundingClientRect().width)),
      );
    const columns = () =>
      p.page.$$eval('section.card', (els) => new Set(els.map((el) => el.getBoundingClientRect().left)).size);
    const [wide] = await widths();
    assert.equal(await columns(), 2);
    await p.page.setViewportSize({ width: 700, height: 900 });
    await p.page.waitForFunction((w) => {
      const canvas = document.querySelector('section.card canvas') as HTMLCanvasElement;
      return canvas.getBoundingClientRect().width > w;
    }, wide);
    assert.equal(await columns(), 1);
    await p.page.setViewportSize({ width: 420, height: 900 });
    // chart.js resizes in its own ResizeObserver callback: wait for the canvas, not for the panel's class.
    await p.page.waitForFunction(() => {
      const canvas = document.querySelector('section.card canvas') as HTMLCanvasElement;
      return canvas.getBoundingClientRect().width < 420;
    });
    const [narrow] = await widths();
    assert.ok(narrow > 300, `the chart fills a 420 px panel (${narrow} px)`);
    assert.ok(await p.page.evaluate(() => document.getElementById('app')!.classList.contains('narrow')));
  });

  it('saves screenshots: dark, tooltip, light, log-log, comparison, high contrast, narrow', async () => {
    let p = await open();
    await p.post(snapshot([live()]));
    await p.screenshot(path.join(SCREENSHOTS, 'chart-dark.png'));
    const box = (await p.page.locator('[data-observable="modes"] canvas').boundingBox())!;
    await p.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await p.screenshot(path.join(SCREENSHOTS, 'chart-tooltip.png'));
    await p.close();

    p = await open(undefined, 'vscode-light');
    await p.post(snapshot([done()], { modes: { ...DEFAULT_VIEW, smoothing: 0.9 } }));
    await p.screenshot(path.join(SCREENSHOTS, 'chart-light.png'));
    await p.close();

    const logLog: ChartView = { ...DEFAULT_VIEW, xScale: 'log', yScale: 'log' };
    p = await open({ views: { loss: logLog, modes: { ...logLog, yScale: 'linear' } } });
    await p.post(snapshot([done()], { loss: logLog, modes: { ...logLog, yScale: 'linear' } }));
    await p.screenshot(path.join(SCREENSHOTS, 'chart-log.png'));
    await p.close();

    p = await open();
    const a = deepLinearRun({ id: 'run-17', lr: 0.001, steps: 20_000, label: 'lr=0.001' });
    const b = deepLinearRun({
      id: 'run-18',
      lr: 0.002,
      steps: 20_000,
      upTo: 9000,
      colorIndex: 1,
      label: 'lr=0.002',
      seed: 2,
    });
    await p.post(snapshot([a, b]));
    await p.screenshot(path.join(SCREENSHOTS, 'chart-compare.png'));
    await p.close();

    p = await harness!.open({ theme: 'vscode-high-contrast' });
    await p.post(snapshot([live()]));
    await p.screenshot(path.join(SCREENSHOTS, 'chart-high-contrast.png'));
    await p.close();

    // Dragged into a narrow side panel: one column, the controls wrap, nothing overlaps.
    p = panel = await harness!.open({ theme: 'vscode-dark', width: 400, height: 900 });
    await p.post(snapshot([live()], { loss: { ...DEFAULT_VIEW, xKind: 'tau', smoothing: 0.8 } }));
    await p.screenshot(path.join(SCREENSHOTS, 'chart-narrow.png'));
  });
});
