/**
 * The sweep panel's script (dist/sweepWebview.js). The host page provides `<div id="app" data-sweep-id>` and
 * loads this with a nonce; it builds everything with DOM calls, reusing the run panel's theme, colours and
 * formatting (src/webviews/app), so the strict CSP holds and both panels look alike.
 */
import {
  Chart,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { HostToSweep } from '../../protocol/sweepView';
import { SweepHost } from './host';
import { SweepPanel } from './panel';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Tooltip);

function boot(): void {
  const root = document.getElementById('app');
  if (!root) throw new Error('sweep panel: the page has no <div id="app">');
  const panel = new SweepPanel(root, new SweepHost());
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data as HostToSweep | null;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    try {
      panel.receive(message);
    } catch (error) {
      console.error('sweep panel: cannot handle', message.type, error);
    }
  });
  if (document.documentElement.hasAttribute('data-lm-debug')) {
    (window as unknown as { __lmSweep: unknown }).__lmSweep = {
      get renders() {
        return panel.renders;
      },
      charts: () => panel.chartSummaries(),
      pointPosition: (key: string, run: string, kind?: string) => panel.pointPosition(key, run, kind),
    };
  }
  panel.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
