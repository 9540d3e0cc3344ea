import type { ParamValue } from '../store/manifest';
import type { PointState } from '../sweep/sweepStore';

/**
 * Messages between the extension host and a sweep panel (webview, dist/sweepWebview.js). The panel says
 * `ready` with the view it restored; the host answers a `snapshot`, then sends `update`s (coalesced, only while
 * visible) as points start and finish. A re-shown or revived panel says `ready` again. The panel keeps its view
 * and the sweep id with `vscode.getState/setState`, so the serializer can restore it after a reload.
 */
export const SWEEP_PROTOCOL_VERSION = 1;

export type SweepAxisScale = 'linear' | 'log';

/** How the panel is viewed: which swept parameter is on x, what colours the curves, the axes' scales. */
export interface SweepView {
  /** The parameter on the summary charts' x axis; points are grouped by every other swept parameter. */
  x: string | null;
  /** The parameter that colours the overlaid curves. */
  colorBy: string | null;
  xScale: SweepAxisScale;
  yScale: SweepAxisScale;
}

/** The sweep as the panel's header shows it. */
export interface SweepInfo {
  id: string;
  name: string;
  experiment: string;
  file: string;
  steps: number;
  /** The swept parameters (grid and random), in declaration order. */
  params: string[];
  total: number;
  counts: Record<PointState, number>;
  etaSeconds: number | null;
  /** True while this window runs the sweep (it can be stopped from the panel). */
  active: boolean;
}

/** One point as the panel lists it. */
export interface SweepPointInfo {
  index: number;
  state: PointState;
  runId: string | null;
  overrides: Record<string, ParamValue>;
  seed: number;
  summary: Record<string, number | null>;
  error: string | null;
}

/** One run's value at one x of a summary chart (a seed of a group). */
export interface SummaryRun {
  index: number;
  runId: string | null;
  y: number;
  seed: number;
}

/** A group's statistics at one x: the mean over seeds, their standard deviation (0 for one seed). */
export interface SummaryPoint {
  x: number;
  mean: number;
  std: number;
  n: number;
  runs: SummaryRun[];
}

/** The points sharing every swept parameter but x, as one line with a seed band. */
export interface SummaryGroup {
  key: string;
  /** `width=64 act="relu"`, or '' when x is the only swept parameter. */
  label: string;
  colorIndex: number;
  points: SummaryPoint[];
}

/**
 * A theory prediction over a summary chart, given as data (the sweep-level laws, src/sweep/laws.ts): a curve
 * with an optional band, for every group or for one.
 */
export interface LawOverlay {
  law: string;
  label: string;
  /** The group it belongs to (a `SummaryGroup.key`), or null for the whole chart. */
  group: string | null;
  x: number[];
  y: number[];
  lo?: number[];
  hi?: number[];
}

/** A law's score, shown as a badge on its chart and as a row of the panel's law table. */
export interface LawScore {
  law: string;
  label: string;
  /** The summary chart it is about (`SummaryChart.key`), or null for a sweep-wide law. */
  chart: string | null;
  /** What was measured, `slope -0.48 [-0.52, -0.44]`. */
  detail: string;
  value: number | null;
  pass: boolean | null;
}

/** A summarised observable (one series of it) against the x parameter, per group, with seed bands. */
export interface SummaryChart {
  /** `${series}@${x}`: stable across updates, and how laws name the chart they belong to. */
  key: string;
  series: string;
  /** The reducer that made the summary: `final`, `min`, `max`, `mean of last 3`. */
  reducer: string;
  x: string;
  /** True when x is numeric: otherwise the x values are category indices and `categories` names them. */
  numeric: boolean;
  categories: string[] | null;
  groups: SummaryGroup[];
  overlays: LawOverlay[];
  scores: LawScore[];
  /** Values left out on log axes because they are <= 0, per axis. */
  hidden: { x: number; y: number };
}

/** One run's curve of an observable, coloured by the value of a parameter. */
export interface SweepCurve {
  index: number;
  runId: string;
  state: PointState;
  label: string;
  /** Where the colouring parameter's value falls in its range, 0..1 (null when it is not numeric). */
  t: number | null;
  /** The categorical colour index when the colouring parameter is not numeric. */
  colorIndex: number;
  x: number[];
  y: number[];
}

/** Every run's curve of one series overlaid. */
export interface CurvesChart {
  series: string;
  colorBy: string | null;
  /** The colouring parameter's range (for the legend), or null. */
  colorRange: { min: number; max: number; log: boolean } | null;
  curves: SweepCurve[];
}

/** Everything the panel draws. */
export interface SweepData {
  sweep: SweepInfo;
  view: SweepView;
  points: SweepPointInfo[];
  summaries: SummaryChart[];
  curves: CurvesChart[];
  /** Every law's score, for the panel's law table (empty when the sweep declares no laws). */
  laws: LawScore[];
}

export type HostToSweep =
  ({ type: 'snapshot'; protocolVersion: number } & SweepData) | ({ type: 'update' } & SweepData);

export type SweepToHost =
  | { type: 'ready'; view: SweepView | null }
  | { type: 'view'; view: SweepView }
  | { type: 'openRun'; run: string }
  | { type: 'stop' };
