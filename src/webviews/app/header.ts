import type { RunInfo } from '../../protocol/webview';
import { rgba } from './colors';
import { runName } from './datasets';
import { h, setChildren } from './dom';
import { formatInteger } from './format';
import type { Theme } from './theme';

export interface HeaderHandlers {
  stop(run: string): void;
  openRun(run: string): void;
  exportPng(): void;
  exportCsv(): void;
}

interface RunRow {
  element: HTMLElement;
  swatch: HTMLElement;
  name: HTMLButtonElement;
  status: HTMLElement;
  progress: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  speed: HTMLElement;
  backend: HTMLElement;
  params: HTMLElement;
  stop: HTMLButtonElement;
  error: HTMLElement;
}

/**
 * The panel header: the title, the panel-wide exports, and a row per run with its status, progress, speed,
 * backend and error; in a comparison each row also shows the run's colour and the parameters that differ, so
 * it doubles as the legend. Rows are kept per run id and updated in place, so a live update does not take the
 * keyboard focus away from a Stop button.
 */
export class Header {
  readonly element: HTMLElement;
  private readonly title = h('h1', { class: 'panel-title' });
  private readonly list = h('div', { class: 'runs', role: 'list' });
  private readonly rows = new Map<string, RunRow>();

  constructor(private readonly on: HeaderHandlers) {
    const png = h('button', { type: 'button', 'aria-label': 'Export all charts as one PNG' }, 'Export PNG');
    const csv = h(
      'button',
      { type: 'button', 'aria-label': 'Export the full-resolution data as CSV' },
      'Export CSV',
    );
    png.addEventListener('click', () => on.exportPng());
    csv.addEventListener('click', () => on.exportCsv());
    this.element = h(
      'header',
      { class: 'panel-header' },
      h('div', { class: 'title-row' }, this.title, h('span', { class: 'spacer' }), png, csv),
      this.list,
    );
  }

  update(title: string, runs: readonly RunInfo[], theme: Theme): void {
    this.title.textContent = title;
    const compare = runs.length > 1;
    this.element.classList.toggle('compare', compare);
    const ids = new Set(runs.map((r) => r.id));
    for (const [id, row] of this.rows) {
      if (ids.has(id)) continue;
      row.element.remove();
      this.rows.delete(id);
    }
    const elements = runs.map((run) => this.row(run, compare, theme).element);
    // Re-inserting a node blurs it: touch the list only when the runs or their order changed.
    const current = Array.from(this.list.children);
    if (current.length !== elements.length || current.some((el, i) => el !== elements[i])) {
      setChildren(this.list, ...elements);
    }
  }

  private row(run: RunInfo, compare: boolean, theme: Theme): RunRow {
    const row = this.rows.get(run.id) ?? this.createRow(run.id);
    this.rows.set(run.id, row);
    row.swatch.hidden = !compare;
    row.swatch.style.backgroundColor = rgba(theme.palette[run.colorIndex % theme.palette.length]);
    // A single run's title is the panel's; a comparison names each run by what differs, a link to it alone.
    row.name.hidden = !compare;
    row.name.textContent = runName(run);
    row.name.title = `Open ${run.title} on its own`;
    row.status.textContent = run.status;
    row.status.className = `status status-${run.status}`;
    const fraction = run.steps > 0 ? Math.min(1, run.step / run.steps) : 0;
    row.progress.textContent = `step ${formatInteger(run.step)} / ${formatInteger(run.steps)}`;
    row.fill.style.width = `${(fraction * 100).toFixed(1)}%`;
    row.bar.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
    row.speed.textContent = run.stepsPerSecond === null ? '' : `${formatInteger(run.stepsPerSecond)} steps/s`;
    row.backend.textContent = run.backend;
    row.params.textContent = compare ? '' : run.label;
    row.stop.hidden = run.status !== 'running';
    row.error.hidden = run.error === null;
    row.error.textContent = run.error ?? '';
    return row;
  }

  private createRow(id: string): RunRow {
    const bar = h('span', {
      class: 'bar',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
    });
    const fill = h('span', { class: 'bar-fill' });
    bar.append(fill);
    const row: RunRow = {
      element: h('div', { class: 'run', role: 'listitem' }),
      swatch: h('span', { class: 'swatch', 'aria-hidden': 'true' }),
      name: h('button', { type: 'button', class: 'run-name link' }),
      status: h('span'),
      progress: h('span', { class: 'progress' }),
      bar,
      fill,
      speed: h('span', { class: 'meta' }),
      backend: h('span', { class: 'meta' }),
      params: h('span', { class: 'meta params' }),
      stop: h('button', { type: 'button', class: 'stop', 'aria-label': `Stop run ${id}` }, 'Stop'),
      error: h('div', { class: 'run-error', role: 'alert' }),
    };
    row.name.addEventListener('click', () => this.on.openRun(id));
    row.stop.addEventListener('click', () => this.on.stop(id));
    row.element.append(
      h(
        'div',
        { class: 'run-line' },
        row.swatch,
        row.name,
        row.status,
        row.progress,
        row.bar,
        row.speed,
        row.backend,
        row.params,
        row.stop,
      ),
      row.error,
    );
    return row;
  }
}
