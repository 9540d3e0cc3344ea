import { Chart } from 'chart.js';
import {
  SWEEP_PROTOCOL_VERSION,
  type CurvesChart,
  type HostToSweep,
  type LawScore,
  type SummaryChart,
  type SweepData,
  type SweepView,
} from '../../protocol/sweepView';
import { rgba } from '../app/colors';
import { h, setChildren } from '../app/dom';
import { formatSeconds, formatValue } from '../app/format';
import { readTheme, watchTheme, type Theme } from '../app/theme';
import { curveDatasets, rampColor, summaryDatasets, sweepChartOptions, type SweepDataset } from './charts';
import type { SweepHost, SweepPanelState } from './host';

interface Card {
  key: string;
  element: HTMLElement;
  title: HTMLElement;
  badges: HTMLElement;
  notes: HTMLElement;
  chart: Chart<'line', SweepDataset['data']>;
}

/**
 * The sweep panel: says `ready` with the view it restored, then draws what the host sends: a header (sweep,
 * progress, Stop, the view's controls), the law table, a card per summary chart and per overlaid series.
 * Messages are coalesced into one redraw per animation frame. Clicking a point or a curve opens its run.
 */
export class SweepPanel {
  private readonly title = h('h1', { class: 'panel-title' });
  private readonly status = h('span', { class: 'meta', role: 'status' });
  private readonly stopButton = h('button', { type: 'button', 'aria-label': 'Stop the sweep' }, 'Stop');
  private readonly problems = h('div', { class: 'notes' });
  private readonly controls = h('div', { class: 'controls', role: 'group', 'aria-label': 'Sweep view' });
  private readonly banner = h('div', { class: 'banner', role: 'alert' });
  private readonly laws = h('section', { class: 'card laws', 'aria-label': 'Laws' });
  private readonly cardsElement = h('main', { class: 'cards' });
  private readonly waiting = h('p', { class: 'waiting' }, 'Waiting for the sweep…');
  private readonly cards = new Map<string, Card>();
  private readonly state: SweepPanelState;
  private theme: Theme;
  private data: SweepData | null = null;
  private pending: SweepData | null = null;
  private frame = 0;
  private controlsKey = '';
  renders = 0;

  constructor(
    root: HTMLElement,
    private readonly host: SweepHost,
  ) {
    this.state = host.loadState();
    host.saveState(this.state);
    this.theme = readTheme();
    this.stopButton.addEventListener('click', () => host.post({ type: 'stop' }));
    this.stopButton.hidden = true;
    this.banner.hidden = true;
    this.laws.hidden = true;
    const header = h(
      'header',
      { class: 'panel-header' },
      h('div', { class: 'title-row' }, this.title, h('span', { class: 'spacer' }), this.stopButton),
      h('div', { class: 'run-line' }, this.status),
      this.controls,
      this.problems,
    );
    setChildren(root, header, this.banner, this.waiting, this.laws, this.cardsElement);
    watchTheme(() => {
      this.theme = readTheme();
      if (this.data) this.draw(this.data);
    });
    new ResizeObserver(() => root.classList.toggle('narrow', root.clientWidth < 560)).observe(root);
  }

  start(): void {
    this.host.post({ type: 'ready', view: this.state.view });
  }

  receive(message: HostToSweep): void {
    if (message.type !== 'snapshot' && message.type !== 'update') return;
    if (message.type === 'snapshot') {
      const mismatch = message.protocolVersion !== SWEEP_PROTOCOL_VERSION;
      this.banner.hidden = !mismatch;
      this.banner.textContent = mismatch
        ? `This panel speaks protocol ${SWEEP_PROTOCOL_VERSION} but the extension sent ${message.protocolVersion}: reload the window.`
        : '';
    }
    this.pending = message;
    this.frame ||= requestAnimationFrame(() => this.flush());
  }

  /** What a test may read: each card's scales and datasets. */
  chartSummaries() {
    return Object.fromEntries(
      [...this.cards].map(([key, card]) => [
        key,
        {
          title: card.title.textContent,
          xScale: card.chart.scales.x?.type,
          yScale: card.chart.scales.y?.type,
          yTicks: card.chart.scales.y?.ticks.map((t) => String(t.label)).filter((l) => l !== ''),
          datasets: card.chart.data.datasets.map((d) => ({
            kind: (d as SweepDataset).sweep.kind,
            label: (d as SweepDataset).sweep.label,
            points: d.data.length,
          })),
        },
      ]),
    );
  }

  /** Where (in page pixels) the point of `run` is drawn on card `key`, for a test to click. */
  pointPosition(key: string, run: string, kind = 'runs'): { x: number; y: number } | null {
    const card = this.cards.get(key);
    if (!card) return null;
    const rect = card.chart.canvas.getBoundingClientRect();
    const datasets = card.chart.data.datasets as SweepDataset[];
    for (const [d, ds] of datasets.entries()) {
      if (ds.sweep.kind !== kind) continue;
      const i = ds.data.findIndex((p) => p.run === run);
      if (i < 0) continue;
      const el = card.chart.getDatasetMeta(d).data[i];
      return { x: rect.left + el.x, y: rect.top + el.y };
    }
    return null;
  }

  private flush(): void {
    this.frame = 0;
    const data = this.pending;
    this.pending = null;
    if (data) {
      this.data = data;
      this.state.sweepId = data.sweep.id;
      this.state.view = data.view;
      this.host.saveState(this.state);
      this.draw(data);
    }
    this.renders++;
  }

  private draw(data: SweepData): void {
    const { sweep } = data;
    this.title.textContent = `${sweep.experiment} · sweep ${sweep.name}`;
    this.title.title = `${sweep.file}\nsweep ${sweep.id}`;
    this.status.textContent = progressText(data);
    this.stopButton.hidden = !sweep.active;
    this.waiting.hidden = true;
    const failed = data.points.filter((p) => p.state === 'failed' && p.error);
    setChildren(
      this.problems,
      ...failed.slice(0, 3).map((p) => h('span', { class: 'note' }, `point ${p.index} failed: ${p.error}`)),
      failed.length > 3 ? h('span', { class: 'note' }, `and ${failed.length - 3} more failed`) : null,
    );
    this.drawControls(data);
    this.drawLaws(data.laws);
    const wanted: Array<{ key: string; summary?: SummaryChart; curves?: CurvesChart }> = [
      ...data.summaries.map((c) => ({ key: `summary:${c.key}`, summary: c })),
      ...data.curves.map((c) => ({ key: `curves:${c.series}`, curves: c })),
    ];
    const keep = new Set(wanted.map((w) => w.key));
    for (const [key, card] of this.cards) {
      if (keep.has(key)) continue;
      card.chart.destroy();
      card.element.remove();
      this.cards.delete(key);
    }
    for (const w of wanted) {
      const card = this.card(w.key);
      if (w.summary) this.drawSummary(card, w.summary, data.view);
      else if (w.curves) this.drawCurves(card, w.curves, data.view);
    }
    const cards = wanted.map((w) => this.cards.get(w.key)!);
    this.cards.clear();
    for (const card of cards) this.cards.set(card.key, card);
    const order = cards.map((c) => c.element);
    if (order.some((el, i) => this.cardsElement.children[i] !== el)) setChildren(this.cardsElement, ...order);
    if (wanted.length === 0)
      setChildren(this.cardsElement, h('p', { class: 'waiting' }, 'No point has finished yet.'));
  }

  private card(key: string): Card {
    const existing = this.cards.get(key);
    if (existing) return existing;
    const title = h('h2', { class: 'card-title' });
    const badges = h('div', { class: 'badges', role: 'group', 'aria-label': 'Laws on this chart' });
    const notes = h('div', { class: 'notes' });
    const canvas = h('canvas', { role: 'img', 'aria-label': key });
    const element = h(
      'section',
      { class: 'card chart-card', 'data-key': key },
      h('div', { class: 'card-head' }, title),
      badges,
      h('div', { class: 'plot' }, canvas),
      notes,
    );
    const chart = new Chart<'line', SweepDataset['data']>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {},
    });
    const card = { key, element, title, badges, notes, chart };
    this.cards.set(key, card);
    this.cardsElement.append(element);
    return card;
  }

  private drawSummary(card: Card, chart: SummaryChart, view: SweepView): void {
    card.title.textContent = `${chart.series} (${chart.reducer}) vs ${chart.x}`;
    card.chart.options = sweepChartOptions(
      this.theme,
      { title: chart.x, log: chart.numeric && view.xScale === 'log', categories: chart.categories },
      { title: `${chart.series} · ${chart.reducer}`, log: view.yScale === 'log' },
      (run) => this.host.post({ type: 'openRun', run }),
    );
    card.chart.data.datasets = summaryDatasets(chart, this.theme, view);
    card.chart.update('none');
    const badges = chart.scores.map((s) => badge(s));
    if (changed(card.badges, badges)) setChildren(card.badges, ...badges);
    const legend = chart.groups
      .filter((g) => g.label)
      .map((g) => {
        const swatch = h('span', { class: 'swatch' });
        swatch.style.background = rgba(this.theme.palette[g.colorIndex % this.theme.palette.length]);
        return h('span', { class: 'note' }, swatch, ` ${g.label}`);
      });
    const notes: Array<HTMLElement> = [...legend];
    for (const axis of ['x', 'y'] as const) {
      const n = chart.hidden[axis];
      if (n > 0)
        notes.push(
          h('span', { class: 'note' }, `${n} ${n === 1 ? 'value' : 'values'} ≤ 0 hidden on log ${axis}`),
        );
    }
    notes.push(h('span', { class: 'hint' }, 'band: mean ± std over seeds · click a point to open its run'));
    setChildren(card.notes, ...notes);
  }

  private drawCurves(card: Card, chart: CurvesChart, view: SweepView): void {
    card.title.textContent = `${chart.series}: every run${chart.colorBy ? `, coloured by ${chart.colorBy}` : ''}`;
    card.chart.options = sweepChartOptions(
      this.theme,
      { title: 'step', log: false },
      { title: chart.series, log: view.yScale === 'log' },
      (run) => this.host.post({ type: 'openRun', run }),
    );
    card.chart.data.datasets = curveDatasets(chart, this.theme);
    card.chart.update('none');
    const notes: HTMLElement[] = [];
    if (chart.colorRange) {
      const { min, max, log } = chart.colorRange;
      const low = h('span', { class: 'swatch' });
      const high = h('span', { class: 'swatch' });
      low.style.background = rgba(rampColor(this.theme, 0));
      high.style.background = rgba(rampColor(this.theme, 1));
      notes.push(
        h(
          'span',
          { class: 'note' },
          low,
          ` ${chart.colorBy} = ${formatValue(min)} → `,
          high,
          ` ${formatValue(max)}${log ? ' (log)' : ''}`,
        ),
      );
    }
    if (!chart.colorRange && chart.colorBy) {
      // A categorical colouring: one swatch per value (each curve's label starts with `colorBy=value`).
      const seen = new Map<number, string>();
      for (const c of chart.curves)
        if (!seen.has(c.colorIndex)) seen.set(c.colorIndex, c.label.split(' ')[0]);
      for (const [index, label] of [...seen].sort((a, b) => a[0] - b[0])) {
        const swatch = h('span', { class: 'swatch' });
        swatch.style.background = rgba(this.theme.palette[index % this.theme.palette.length]);
        notes.push(h('span', { class: 'note' }, swatch, ` ${label}`));
      }
    }
    notes.push(
      h(
        'span',
        { class: 'hint' },
        `${chart.curves.length} ${chart.curves.length === 1 ? 'run' : 'runs'} · click a curve to open its run`,
      ),
    );
    setChildren(card.notes, ...notes);
  }

  private drawControls(data: SweepData): void {
    const params = data.sweep.params.length ? data.sweep.params : ['seed'];
    const key = JSON.stringify([params, data.view]);
    if (key === this.controlsKey) return;
    this.controlsKey = key;
    const select = (
      label: string,
      value: string,
      options: string[],
      apply: (v: string) => Partial<SweepView>,
    ) => {
      const el = h(
        'select',
        { 'aria-label': label },
        ...options.map((o) => h('option', { value: o, selected: o === value }, o)),
      );
      el.value = value;
      el.addEventListener('change', () => this.changeView(apply(el.value)));
      return h('label', { class: 'control-group' }, h('span', { class: 'control-label' }, label), el);
    };
    const view = data.view;
    setChildren(
      this.controls,
      select('X parameter', view.x ?? '', params, (x) => ({ x })),
      select('Colour curves by', view.colorBy ?? '', params, (colorBy) => ({ colorBy })),
      select('X scale', view.xScale, ['linear', 'log'], (s) => ({ xScale: s as SweepView['xScale'] })),
      select('Y scale', view.yScale, ['linear', 'log'], (s) => ({ yScale: s as SweepView['yScale'] })),
    );
  }

  private changeView(patch: Partial<SweepView>): void {
    const view = { ...(this.data?.view ?? this.state.view!), ...patch };
    this.state.view = view;
    this.host.saveState(this.state);
    this.host.post({ type: 'view', view });
  }

  private drawLaws(laws: LawScore[]): void {
    this.laws.hidden = laws.length === 0;
    if (laws.length === 0) return setChildren(this.laws);
    const rows = laws.map((s) =>
      h(
        'tr',
        {},
        h('td', {}, s.label),
        h('td', {}, s.chart ?? 'sweep'),
        h('td', {}, s.detail),
        h('td', {}, s.value === null ? '—' : formatValue(s.value)),
        h('td', {}, badge(s)),
      ),
    );
    setChildren(
      this.laws,
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, 'Laws')),
      h(
        'table',
        { class: 'law-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['law', 'chart', 'measured', 'score', 'verdict'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
  }
}

/** "7/12 done, 2 running, 1 failed, ETA 40 s" (progress.ts's wording, with the panel's number format). */
function progressText({ sweep }: SweepData): string {
  const c = sweep.counts;
  const done = c.completed + c.diverged;
  const parts = [`${done}/${sweep.total} points done${c.diverged ? ` (${c.diverged} diverged)` : ''}`];
  if (c.running) parts.push(`${c.running} running`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  if (sweep.active && sweep.etaSeconds !== null) parts.push(`ETA ${formatSeconds(sweep.etaSeconds)}`);
  if (!sweep.active && c.pending + c.cancelled > 0 && done < sweep.total) parts.push('stopped');
  return parts.join(' · ');
}

/** A law's badge: its verdict as an icon and a word, not colour alone (the run panel's badge classes). */
function badge(score: LawScore): HTMLElement {
  const verdict = score.pass === null ? 'NO DATA' : score.pass ? 'PASS' : 'FAIL';
  const kind = score.pass === null ? 'pending' : score.pass ? 'pass' : 'fail';
  return h(
    'span',
    { class: `badge ${kind}`, title: `${score.label}: ${score.detail}` },
    h(
      'span',
      { class: 'badge-name' },
      `${score.pass ? '✓' : score.pass === false ? '✗' : '…'}${score.label}`,
    ),
    h('span', { class: 'badge-score' }, score.detail),
    h('span', { class: 'badge-verdict' }, verdict),
  );
}

function changed(parent: HTMLElement, next: HTMLElement[]): boolean {
  const current = Array.from(parent.children);
  return current.length !== next.length || current.some((el, i) => !el.isEqualNode(next[i]));
}
