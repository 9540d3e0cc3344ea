/**
 * The chart panel's script (dist/webview.js). The host page provides `<div id="app">` and loads this with a
 * nonce; everything else is built here with DOM calls (no inline styles or scripts, so a strict CSP holds).
 */
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { HostToWebview } from '../../protocol/webview';
import { registerInteraction } from './interaction';
import { Panel } from './panel';
import { Host } from './vscodeApi';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Filler,
  Legend,
  Tooltip,
  zoomPlugin,
);
registerInteraction();

function boot(): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('chart panel: the page has no <div id="app">');
  const panel = new Panel(root, new Host());
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as HostToWebview | null;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    try {
      panel.receive(message);
    } catch (error) {
      console.error('chart panel: cannot handle', message.type, error);
    }
  });
  exposeForTests(panel);
  panel.start();
}

/** A read-only hook for the browser tests and the benchmark, only when the page asks for it. */
function exposeForTests(panel: Panel): void {
  if (!document.documentElement.hasAttribute('data-lm-debug')) return;
  (window as unknown as { __lmPanel: unknown }).__lmPanel = {
    get renders() {
      return panel.renders;
    },
    get lastRenderAt() {
      return panel.lastRenderAt;
    },
    charts: () => panel.cardSummaries(),
  };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
