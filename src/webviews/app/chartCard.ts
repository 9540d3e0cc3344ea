import { Chart } from 'chart.js';
import type { ChartData, ChartView, RunInfo, XKind } from '../../protocol/webview';
import { badgeText, renderBadges } from './badges';
import { chartOptions } from './chartOptions';
import { buildControls, syncControls, type Controls } from './controls';
import { buildDatasets, type LegendGroup, type LmDataset, type Point } from './datasets';
import { h, setChildren } from './dom';
import { composePng } from './exportPng';
import { formatCount } from './format';
import type { Theme } from './theme';

/** How to zoom and pan, under every chart (the gestures of chartjs-plugin-zoom as configured). */
const HINT = h('span', { class: 'hint' }, 'drag to zoom · shift+drag to pan · double-click to reset');

export interface CardHandlers {
  viewChanged(observable: string, view: ChartView): void;
  exportPng(observable: string, dataUrl: string): void;
}

/**
 * One observable's card: title and agreement badges, the controls, the chart, and notes (decimation, values
 * hidden on a log axis, an x fallback). The card owns its view: a control, a zoom or a pan changes it here at
 * once (scales switch before the host answers) and is reported through `viewChanged`; data that arrives
 * later is drawn as it comes.
 */
export class ChartCard {
  readonly element: HTMLElement;
  private readonly chart: Chart<'line', Point[]>;
  private readonly controls: Controls;
  private readonly badges = h('div', {
    class: 'badges',
    role: 'group',
    'aria-label': 'Agreement with theory',
  });
  private readonly notes = h('div', { class: 'notes' });
  private readonly empty = h('div', { class: 'empty' }, 'Waiting for samples…');
  private data: ChartData | null = null;
  private groups: LegendGroup[] = [];
  private readonly hiddenGroups = new Set<string>();
  private resetting = false;
  private dirty = false;
  private optionsXKind: XKind = 'step';

  constructor(
    readonly observable: string,
    private view: ChartView,
    private runs: readonly RunInfo[],
    private theme: Theme,
    private readonly on: CardHandlers,
  ) {
    this.controls = buildControls(observable, {
      change: (patch) => this.changeView(patch),
      reset: () => this.resetZoom(),
      exportPng: () => this.on.exportPng(observable, this.png()),
    });
    const canvas = h('canvas', { role: 'img', 'aria-label': `Chart of ${observable}` });
    const plot = h('div', { class: 'plot' }, canvas, this.empty);
    this.element = h(
      'section',
      { class: 'card chart-card', 'data-observable': observable, 'aria-label': observable },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, observable), this.controls.actions),
      this.badges,
      this.controls.element,
      plot,
      this.notes,
    );
    this.chart = new Chart(canvas, { type: 'line', data: { datasets: [] }, options: this.options() });
    canvas.addEventListener('dblclick', () => this.resetZoom());
    this.sync();
  }

  /** New data for this chart (from a snapshot or a `charts` update); drawn by the next `render`. */
  setData(data: ChartData): void {
    this.data = data;
    this.dirty = true;
  }

  setRuns(runs: readonly RunInfo[]): void {
    this.runs = runs;
    this.sync();
    this.dirty = true;
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.chart.options = this.options();
    this.dirty = true;
  }

  /** Draws what changed since the last render, once however many updates arrived in between. */
  render(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.draw();
  }

  get currentView(): ChartView {
    return this.view;
  }

  /** The chart canvas, its title and badge line, for a panel-wide export. */
  exportItem() {
    return { title: this.observable, detail: this.badgeLine(), canvas: this.chart.canvas };
  }

  /** What a test or benchmark may read: each dataset's label, part, point count and last point. */
  summary() {
    const x = this.chart.scales.x;
    return {
      xScale: x?.type,
      yScale: this.chart.scales.y?.type,
      xRange: x ? { min: x.min, max: x.max } : null,
      datasets: this.chart.data.datasets.map((d) => ({
        label: d.label,
        points: d.data.length,
        last: d.data.at(-1) ?? null,
        hidden: !!d.hidden,
      })),
    };
  }

  destroy(): void {
    this.chart.destroy();
    this.element.remove();
  }

  private draw(): void {
    const data = this.data;
    if (this.xKind() !== this.optionsXKind) this.chart.options = this.options();
    const built = data ? buildDatasets(data, this.runs, this.theme, this.hiddenGroups) : null;
    this.groups = built?.groups ?? [];
    this.chart.data.datasets = this.reuse(built?.datasets ?? []);
    this.chart.update('none');
    this.empty.hidden = !!data && data.slices.some((s) => s.x.length > 0);
    // Rebuilt only when they change: live updates at 10 Hz should not churn the DOM (or a screen reader).
    const badges = data ? renderBadges(data.agreement, this.runs, this.theme) : [];
    if (changed(this.badges, badges)) setChildren(this.badges, ...badges);
    const notes = this.noteTexts().map((t) => h('span', { class: 'note' }, t));
    notes.unshift(HINT.cloneNode(true) as HTMLElement);
    if (changed(this.notes, notes)) setChildren(this.notes, ...notes);
  }

  /**
   * Carries the new datasets' properties over to the previous dataset objects with the same key, so chart.js
   * keeps their metadata and point elements instead of rebuilding them on every live update.
   */
  private reuse(datasets: LmDataset[]): LmDataset[] {
    const previous = new Map(this.chart.data.datasets.map((d) => [(d as LmDataset).lm.key, d as LmDataset]));
    return datasets.map((d) => {
      const old = previous.get(d.lm.key);
      return old ? Object.assign(old, d) : d;
    });
  }

  private noteTexts(): string[] {
    const data = this.data;
    if (!data) return [];
    const notes: string[] = [];
    if (data.decimated)
      notes.push(`decimated ${formatCount(data.decimated.from)} → ${formatCount(data.decimated.to)}`);
    for (const axis of ['x', 'y'] as const) {
      const n = data.hidden[axis];
      if (n > 0) notes.push(`${formatCount(n)} ${n === 1 ? 'point' : 'points'} ≤ 0 hidden on log ${axis}`);
    }
    if (data.xKindDrawn && data.xKindDrawn !== data.view.xKind)
      notes.push('τ needs an lr on every run: x is the step');
    return notes;
  }

  private badgeLine(): string {
    return (this.data?.agreement ?? []).flatMap((a) => a.scores.map(badgeText)).join('   ');
  }

  private changeView(patch: Partial<ChartView>): void {
    this.view = { ...this.view, ...patch };
    this.chart.options = this.options();
    this.chart.update('none');
    this.sync();
    this.on.viewChanged(this.observable, this.view);
  }

  /** A zoom or pan ended: the visible x range becomes the view's, for the host to re-bucket. */
  private rangeChanged(chart: Chart): void {
    if (this.resetting) return;
    const { min, max } = chart.scales.x;
    if (!(min < max)) return;
    this.view = { ...this.view, range: { min, max } };
    this.sync();
    this.on.viewChanged(this.observable, this.view);
  }

  private resetZoom(): void {
    if (this.view.range === null && !this.chart.isZoomedOrPanned()) return;
    this.resetting = true;
    this.chart.resetZoom('none');
    this.resetting = false;
    this.changeView({ range: null });
  }

  private sync(): void {
    syncControls(this.controls, this.view, this.tauEnabled(), this.view.range !== null);
  }

  private tauEnabled(): boolean {
    return this.runs.length > 0 && this.runs.every((r) => r.lr !== null && r.lr > 0);
  }

  private xKind(): XKind {
    return (
      this.data?.xKindDrawn ?? (this.view.xKind === 'tau' && !this.tauEnabled() ? 'step' : this.view.xKind)
    );
  }

  private options() {
    this.optionsXKind = this.xKind();
    return chartOptions({
      theme: this.theme,
      view: this.view,
      xKind: this.optionsXKind,
      runs: this.runs,
      groups: () => this.groups,
      hiddenGroups: this.hiddenGroups,
      onLegendClick: (group) => this.toggleGroup(group),
      onRangeChange: (chart) => this.rangeChanged(chart),
    });
  }

  private toggleGroup(group: string): void {
    if (!this.hiddenGroups.delete(group)) this.hiddenGroups.add(group);
    this.draw();
  }

  private png(): string {
    return composePng([this.exportItem()], this.theme, 1);
  }
}

/** Whether `next` would show something other than `parent`'s current children (text, colours, tooltips). */
function changed(parent: HTMLElement, next: HTMLElement[]): boolean {
  const current = Array.from(parent.children);
  return current.length !== next.length || current.some((el, i) => !el.isEqualNode(next[i]));
}
