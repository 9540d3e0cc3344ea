import type { PredictionScore } from './score';

/**
 * Messages between the extension host and a chart panel (webview). The panel says `ready`; the host answers
 * with a `snapshot` of everything it shows; while visible it receives `charts` (re-bucketed data, live or after
 * a view change) and `runs` (status and progress) updates, at most about 10 per second. A panel that is hidden,
 * revived or reloaded says `ready` again and gets a fresh snapshot. The panel keeps its UI state (per-chart
 * views) with `vscode.getState/setState` and sends it back in `ready`, so the host re-buckets accordingly.
 */
export const WEBVIEW_PROTOCOL_VERSION = 1;

/** What the x axis shows: the step, the gradient-flow time tau = lr * step, or wall-clock seconds. */
export type XKind = 'step' | 'tau' | 'wall';
export type AxisScale = 'linear' | 'log';

/** How one chart is viewed; the host buckets and smooths the full-resolution series accordingly. */
export interface ChartView {
  xKind: XKind;
  xScale: AxisScale;
  yScale: AxisScale;
  /** Debiased EMA weight in [0, 1); 0 is no smoothing. */
  smoothing: number;
  /** Draw the raw (unsmoothed) trace too when smoothing. */
  showRaw: boolean;
  /** The visible x range (in the units of xKind), or null for everything. */
  range: { min: number; max: number } | null;
}

export const DEFAULT_VIEW: ChartView = {
  xKind: 'step',
  xScale: 'linear',
  yScale: 'linear',
  smoothing: 0,
  showRaw: true,
  range: null,
};

/** One run as a panel shows it. */
export interface RunInfo {
  id: string;
  experiment: string;
  title: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'diverged';
  step: number;
  steps: number;
  stepsPerSecond: number | null;
  backend: string;
  error: string | null;
  /** Stable colour index of the run in a comparison (0 for a single run). */
  colorIndex: number;
  /** The parameters that differ between the compared runs, as `name=value` (all of them for a single run). */
  label: string;
  /** The run's learning rate when it has a parameter `lr`, which enables the tau x axis. */
  lr: number | null;
}

/**
 * One drawable series of a chart, already reduced to at most a few thousand points for the view:
 * `x`/`y` is the line (bucket representative points), `lo`/`hi` the envelope (the min/max of each bucket for a
 * measured series, the band for a prediction).
 */
export interface SeriesSlice {
  run: string;
  /** Store series name: `loss`, `modes[0]`, `modes[0]~saxe`. */
  series: string;
  role: 'measured' | 'smoothed' | 'prediction';
  /** Component index within a vector observable, for its colour shade; null for a scalar. */
  component: number | null;
  x: number[];
  y: number[];
  lo?: number[];
  hi?: number[];
}

/** A chart: one observable (a vector observable is one chart with a series per component), over its runs. */
export interface ChartData {
  observable: string;
  view: ChartView;
  slices: SeriesSlice[];
  /** Points left out because they are <= 0 on a log axis, counted per axis. */
  hidden: { x: number; y: number };
  /** Samples in the visible range before and after bucketing (null when nothing was reduced). */
  decimated: { from: number; to: number } | null;
  /** Each run's prediction scores on this observable. */
  agreement: Array<{ run: string; scores: PredictionScore[] }>;
  /**
   * Set only when the x drawn differs from `view.xKind`: tau = lr * step needs every run of the chart to have
   * an lr, else the chart is drawn against the step (and `view.range` is read in steps).
   */
  xKindDrawn?: XKind;
}

export type HostToWebview =
  | { type: 'snapshot'; protocolVersion: number; title: string; runs: RunInfo[]; charts: ChartData[] }
  | { type: 'charts'; charts: ChartData[] }
  | { type: 'runs'; runs: RunInfo[] };

export type WebviewToHost =
  | { type: 'ready'; views: Record<string, ChartView> }
  | { type: 'view'; observable: string; view: ChartView }
  | { type: 'exportPng'; observable: string | null; dataUrl: string }
  | { type: 'exportCsv' }
  | { type: 'stop'; run: string }
  | { type: 'openRun'; run: string };
