import {
  WEBVIEW_PROTOCOL_VERSION,
  type ChartData,
  type ChartView,
  type HostToWebview,
  type RunInfo,
} from '../../protocol/webview';
import { ChartCard } from './chartCard';
import { h, setChildren } from './dom';
import { composePng } from './exportPng';
import { Header } from './header';
import { readTheme, watchTheme, type Theme } from './theme';
import type { Host, PanelState } from './vscodeApi';

/** Updates received since the last frame; drawn together in the next animation frame. */
interface Pending {
  snapshot: Extract<HostToWebview, { type: 'snapshot' }> | null;
  runs: RunInfo[] | null;
  charts: Map<string, ChartData>;
}

/**
 * The chart panel: says `ready` with the views it restored, then draws what the host sends. Messages are
 * coalesced: each one only records what changed, and one animation frame applies the latest of everything, so
 * a burst of updates costs one redraw per chart. Views live in `setState` and go to the host on every change.
 */
export class Panel {
  private readonly header: Header;
  private readonly cardsElement = h('main', { class: 'cards' });
  private readonly banner = h('div', { class: 'banner', role: 'alert' });
  private readonly waiting = h('p', { class: 'waiting' }, 'Waiting for the run…');
  private readonly cards = new Map<string, ChartCard>();
  private readonly state: PanelState;
  private theme: Theme;
  private title = '';
  private runs: RunInfo[] = [];
  private pending: Pending = { snapshot: null, runs: null, charts: new Map() };
  private frame = 0;
  /** Frames that drew an update, and when the last one finished (for tests and the benchmark). */
  renders = 0;
  lastRenderAt = 0;

  constructor(
    root: HTMLElement,
    private readonly host: Host,
  ) {
    this.state = host.loadState();
    host.saveState(this.state);
    this.theme = readTheme();
    this.header = new Header({
      stop: (run) => host.post({ type: 'stop', run }),
      openRun: (run) => host.post({ type: 'openRun', run }),
      exportPng: () => host.post({ type: 'exportPng', observable: null, dataUrl: this.panelPng() }),
      exportCsv: () => host.post({ type: 'exportCsv' }),
    });
    this.banner.hidden = true;
    setChildren(root, this.header.element, this.banner, this.waiting, this.cardsElement);
    watchTheme(() => this.themeChanged());
    new ResizeObserver(() => root.classList.toggle('narrow', root.clientWidth < 560)).observe(root);
  }

  /** The handshake: the host answers with a snapshot, re-bucketed for these views. */
  start(): void {
    this.host.post({ type: 'ready', views: { ...this.state.views } });
  }

  receive(message: HostToWebview): void {
    switch (message.type) {
      case 'snapshot':
        this.pending = { snapshot: message, runs: null, charts: new Map() };
        break;
      case 'runs':
        this.pending.runs = message.runs;
        break;
      case 'charts':
        for (const chart of message.charts) this.pending.charts.set(chart.observable, chart);
        break;
      default:
        return assertNever(message);
    }
    this.frame ||= requestAnimationFrame(() => this.flush());
  }

  cardSummaries() {
    return Object.fromEntries([...this.cards].map(([name, card]) => [name, card.summary()]));
  }

  private flush(): void {
    this.frame = 0;
    const { snapshot, runs, charts } = this.pending;
    this.pending = { snapshot: null, runs: null, charts: new Map() };
    if (snapshot) this.applySnapshot(snapshot);
    if (runs) this.applyRuns(runs);
    for (const chart of charts.values()) this.card(chart).setData(chart);
    for (const card of this.cards.values()) card.render();
    this.renders++;
    this.lastRenderAt = performance.now();
  }

  private applySnapshot(snapshot: Extract<HostToWebview, { type: 'snapshot' }>): void {
    const mismatch = snapshot.protocolVersion !== WEBVIEW_PROTOCOL_VERSION;
    this.banner.hidden = !mismatch;
    this.banner.textContent = mismatch
      ? `This panel speaks protocol ${WEBVIEW_PROTOCOL_VERSION} but the extension sent ${snapshot.protocolVersion}: reload the window.`
      : '';
    this.title = snapshot.title;
    const keep = new Set(snapshot.charts.map((c) => c.observable));
    for (const [name, card] of this.cards) {
      if (keep.has(name)) continue;
      card.destroy();
      this.cards.delete(name);
    }
    this.applyRuns(snapshot.runs);
    for (const chart of snapshot.charts) this.card(chart).setData(chart);
    const order = snapshot.charts.map((c) => this.cards.get(c.observable)!.element);
    if (order.some((el, i) => this.cardsElement.children[i] !== el)) setChildren(this.cardsElement, ...order);
    this.waiting.hidden = true;
  }

  private applyRuns(runs: RunInfo[]): void {
    this.runs = runs;
    this.header.update(this.title, runs, this.theme);
    for (const card of this.cards.values()) card.setRuns(runs);
  }

  /** The card of an observable, created (with its restored view, else the host's) on first sight. */
  private card(chart: ChartData): ChartCard {
    const existing = this.cards.get(chart.observable);
    if (existing) return existing;
    const view = this.state.views[chart.observable] ?? chart.view;
    const card = new ChartCard(chart.observable, view, this.runs, this.theme, {
      viewChanged: (observable, v) => this.viewChanged(observable, v),
      exportPng: (observable, dataUrl) => this.host.post({ type: 'exportPng', observable, dataUrl }),
    });
    this.cards.set(chart.observable, card);
    this.cardsElement.append(card.element);
    return card;
  }

  private viewChanged(observable: string, view: ChartView): void {
    this.state.views[observable] = view;
    this.host.saveState(this.state);
    this.host.post({ type: 'view', observable, view });
  }

  private themeChanged(): void {
    this.theme = readTheme();
    this.header.update(this.title, this.runs, this.theme);
    for (const card of this.cards.values()) {
      card.setTheme(this.theme);
      card.render();
    }
  }

  /** Every chart on one image, laid out in as many columns as the panel shows. */
  private panelPng(): string {
    const cards = [...this.cards.values()];
    const firstTop = cards[0]?.element.offsetTop;
    const columns = Math.max(1, cards.filter((c) => c.element.offsetTop === firstTop).length);
    return composePng(
      cards.map((c) => c.exportItem()),
      this.theme,
      columns,
      this.title,
    );
  }
}

function assertNever(message: never): never {
  throw new Error(`unexpected message ${JSON.stringify(message)}`);
}
