/**
 * The cost of one chart-panel update with 1M samples per series: 8 series (loss, modes[0..5] and a prediction
 * `loss~fit`) of 1,000,000 samples each.
 *
 * - Host: `buildCharts` (bucketing, and smoothing when asked) over the whole run, for the default view, log-log
 *   axes, smoothing 0.9 computed from scratch ("cold") and extended incrementally with no new samples ("warm",
 *   what a live update pays besides bucketing), and a zoom on 10% of the steps; median of several runs after
 *   a warm-up. `hostBucketMsPerMillionSampleSeries` is the default view's time over its 8 series.
 * - Webview, in Chromium through the browser harness: a `charts` message carrying that update is posted to
 *   the panel; `webviewDrawnMs` is the time from `postMessage` to the end of the animation frame that ran
 *   `chart.update('none')` (chart.js draws synchronously with animations off), `webviewNextFrameMs` to the
 *   start of the following frame (the update is on screen). Updates alternate between two different payloads.
 *
 * Timings only, no assertions. Run alone with `npx tsx bench/chartUpdate.ts`.
 */
import {
  DEFAULT_VIEW,
  WEBVIEW_PROTOCOL_VERSION,
  type ChartView,
  type HostToWebview,
  type RunInfo,
} from '../src/protocol/webview';
import { buildCharts, type ChartInput } from '../src/series/chartData';
import type { SeriesData } from '../src/store/seriesData';
import { Harness } from '../test/webview/harness';

const SAMPLES = 1_000_000;
const HOST_REPEATS = 7;
const WEBVIEW_REPEATS = 15;

export async function benchChartUpdate(): Promise<Record<string, number>> {
  const a = input(1);
  const b = input(2);
  const views = (v: Partial<ChartView>) => ({
    loss: { ...DEFAULT_VIEW, ...v },
    modes: { ...DEFAULT_VIEW, ...v },
  });
  buildCharts(a, {});
  const result: Record<string, number> = {
    hostBucketMs: median(HOST_REPEATS, () => buildCharts(a, {})),
    hostBucketLogLogMs: median(HOST_REPEATS, () => buildCharts(a, views({ xScale: 'log', yScale: 'log' }))),
    // Smoothing from scratch (a new weight each time misses the incremental cache), then as a live update does.
    hostBucketSmoothedColdMs: median(HOST_REPEATS, (r) =>
      buildCharts(a, views({ smoothing: 0.9 - r * 1e-3 })),
    ),
    hostBucketSmoothedLogColdMs: median(HOST_REPEATS, (r) =>
      buildCharts(a, views({ smoothing: 0.9 - r * 1e-3, yScale: 'log' })),
    ),
    hostBucketSmoothedWarmMs: median(HOST_REPEATS, () => buildCharts(a, views({ smoothing: 0.9 }))),
    hostBucketZoomedMs: median(HOST_REPEATS, () =>
      buildCharts(a, views({ range: { min: 450_000, max: 550_000 } })),
    ),
  };
  result.hostBucketMsPerMillionSampleSeries = result.hostBucketMs / 8;
  return { ...result, ...(await webview(a, b)) };
}

async function webview(a: ChartInput, b: ChartInput): Promise<Record<string, number>> {
  const harness = await Harness.start();
  if (!harness) {
    console.warn('benchChartUpdate: no Chromium, webview timings skipped');
    return {};
  }
  try {
    const panel = await harness.open({ width: 1280, height: 900 });
    await panel.post(snapshot(a));
    const updates = [b, a].map((i) => ({ type: 'charts', charts: buildCharts(i, {}) }) as HostToWebview);
    const timings = await panel.page.evaluate(
      async ({ messages, repeats }) => {
        // No named function declarations in here: tsx would wrap them in a helper the page does not have.
        const panelHook = (window as unknown as { __lmPanel: { renders: number; lastRenderAt: number } })
          .__lmPanel;
        const drawn: number[] = [];
        const next: number[] = [];
        for (let i = 0; i < repeats; i++) {
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const before = panelHook.renders;
          const t0 = window.performance.now();
          window.postMessage(messages[i % messages.length], '*');
          while (panelHook.renders === before) await new Promise((resolve) => requestAnimationFrame(resolve));
          drawn.push(panelHook.lastRenderAt - t0);
          next.push(window.performance.now() - t0);
        }
        return { drawn, next };
      },
      { messages: updates, repeats: WEBVIEW_REPEATS },
    );
    return { webviewDrawnMs: middle(timings.drawn), webviewNextFrameMs: middle(timings.next) };
  } finally {
    await harness.close();
  }
}

/** One run with 8 series of SAMPLES samples: a noisy decaying loss, six saturating modes, a fit to the loss. */
function input(seed: number): ChartInput {
  const step = Float64Array.from({ length: SAMPLES }, (_, i) => i);
  const wall = step.map((s) => s / 5000);
  const noise = (i: number) => Math.sin(i * 12.9898 + seed * 78.233) * 0.5;
  const column = (f: (i: number) => number): SeriesData => ({
    step,
    value: Float64Array.from(step, f),
    wall,
  });
  const series = new Map<string, SeriesData>();
  series.set(
    'loss',
    column((i) => Math.exp(-i / 2e5) * (1 + 0.3 * noise(i)) + 1e-6),
  );
  series.set(
    'loss~fit',
    column((i) => Math.exp(-i / 2e5) + 1e-6),
  );
  for (let k = 0; k < 6; k++)
    series.set(
      `modes[${k}]`,
      column((i) => (6 - k) * (1 - Math.exp(-i / (1e5 * (k + 1)))) + 0.05 * noise(i + k)),
    );
  const info: RunInfo = {
    id: `bench-${seed}`,
    experiment: 'bench',
    title: 'bench',
    status: 'running',
    step: SAMPLES,
    steps: SAMPLES,
    stepsPerSecond: null,
    backend: 'cpu',
    error: null,
    colorIndex: 0,
    label: 'lr=0.001',
    lr: 0.001,
  };
  return { runs: [{ info, series, observables: ['loss', 'modes'], agreement: [] }] };
}

function snapshot(i: ChartInput): HostToWebview {
  return {
    type: 'snapshot',
    protocolVersion: WEBVIEW_PROTOCOL_VERSION,
    title: 'bench',
    runs: i.runs.map((r) => r.info as RunInfo),
    charts: buildCharts(i, {}),
  };
}

function median(repeats: number, f: (repeat: number) => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    f(r);
    times.push(performance.now() - t0);
  }
  return middle(times);
}

function middle(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 100) / 100;
}

if (require.main === module) {
  void benchChartUpdate().then((r) => console.log(JSON.stringify(r, null, 2)));
}
