import type { ChartView, XKind } from '../../protocol/webview';
import { h } from './dom';

/** The per-chart controls: x kind and scale, y scale, smoothing with its raw-trace toggle, reset, export. */
export interface Controls {
  /** The view controls, and the actions (reset zoom, export) that go in the card's title row. */
  element: HTMLElement;
  actions: HTMLElement;
  xKind: HTMLSelectElement;
  xScale: HTMLSelectElement;
  yScale: HTMLSelectElement;
  smoothing: HTMLInputElement;
  smoothingValue: HTMLOutputElement;
  raw: HTMLButtonElement;
  reset: HTMLButtonElement;
  png: HTMLButtonElement;
}

export interface ControlHandlers {
  change(patch: Partial<ChartView>): void;
  reset(): void;
  exportPng(): void;
}

const SMOOTHING_DEBOUNCE_MS = 150;

export function buildControls(observable: string, on: ControlHandlers): Controls {
  const xKind = select(`X axis of ${observable}`, [
    ['step', 'step'],
    ['tau', 'τ = lr·step'],
    ['wall', 'wall s'],
  ]);
  const xScale = select(`X scale of ${observable}`, scaleOptions);
  const yScale = select(`Y scale of ${observable}`, scaleOptions);
  const smoothing = h('input', {
    type: 'range',
    min: '0',
    max: '0.99',
    step: '0.01',
    class: 'smoothing',
    'aria-label': `Smoothing of ${observable} (debiased EMA weight)`,
  });
  const smoothingValue = h('output', { class: 'smoothing-value', 'aria-hidden': 'true' });
  const raw = button('Raw', `Show the raw trace of ${observable} under the smoothed one`, 'toggle');
  const reset = button('Reset', `Reset the zoom of ${observable}`);
  const png = button('PNG', `Export ${observable} as PNG`);
  const element = h(
    'div',
    { class: 'controls', role: 'toolbar', 'aria-label': `${observable} chart options` },
    group('x', xKind, xScale),
    group('y', yScale),
    group('smooth', smoothing, smoothingValue, raw),
  );
  const actions = h('span', { class: 'actions' }, reset, png);
  const controls = { element, actions, xKind, xScale, yScale, smoothing, smoothingValue, raw, reset, png };
  wire(controls, on);
  return controls;
}

/** Shows `view` in the controls; tau is offered only when the runs have an lr. */
export function syncControls(c: Controls, view: ChartView, tauEnabled: boolean, zoomed: boolean): void {
  c.xKind.value = view.xKind;
  (c.xKind.querySelector('option[value="tau"]') as HTMLOptionElement).disabled = !tauEnabled;
  c.xKind.title = tauEnabled ? '' : 'τ = lr · step needs a learning rate parameter `lr` on every run';
  c.xScale.value = view.xScale;
  c.yScale.value = view.yScale;
  if (document.activeElement !== c.smoothing) c.smoothing.value = String(view.smoothing);
  c.smoothingValue.value = view.smoothing.toFixed(2);
  c.raw.setAttribute('aria-pressed', String(view.showRaw));
  c.raw.disabled = view.smoothing === 0;
  c.reset.disabled = !zoomed;
}

function wire(c: Controls, on: ControlHandlers): void {
  c.xKind.addEventListener('change', () => on.change({ xKind: c.xKind.value as XKind, range: null }));
  c.xScale.addEventListener('change', () => on.change({ xScale: scale(c.xScale), range: null }));
  c.yScale.addEventListener('change', () => on.change({ yScale: scale(c.yScale) }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  c.smoothing.addEventListener('input', () => {
    c.smoothingValue.value = Number(c.smoothing.value).toFixed(2);
    clearTimeout(timer);
    timer = setTimeout(() => on.change({ smoothing: Number(c.smoothing.value) }), SMOOTHING_DEBOUNCE_MS);
  });
  c.raw.addEventListener('click', () =>
    on.change({ showRaw: c.raw.getAttribute('aria-pressed') !== 'true' }),
  );
  c.reset.addEventListener('click', () => on.reset());
  c.png.addEventListener('click', () => on.exportPng());
}

const scaleOptions: Array<[string, string]> = [
  ['linear', 'linear'],
  ['log', 'log'],
];

function scale(s: HTMLSelectElement): 'linear' | 'log' {
  return s.value === 'log' ? 'log' : 'linear';
}

function select(label: string, options: Array<[string, string]>): HTMLSelectElement {
  const el = h('select', { 'aria-label': label });
  for (const [value, text] of options) el.append(h('option', { value }, text));
  return el;
}

function button(text: string, label: string, kind?: 'toggle'): HTMLButtonElement {
  const el = h(
    'button',
    { type: 'button', class: kind === 'toggle' ? 'toggle' : undefined, 'aria-label': label },
    text,
  );
  el.title = label;
  return el;
}

function group(name: string, ...children: HTMLElement[]): HTMLElement {
  return h(
    'span',
    { class: 'control-group' },
    h('span', { class: 'control-label', 'aria-hidden': 'true' }, name),
    ...children,
  );
}
