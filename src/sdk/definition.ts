import type { ScoreKind } from '../protocol/scoreKinds';

/** Options of `@experiment`. */
export interface ExperimentOptions {
  title?: string;
  /** How many times `step` is called. */
  steps: number;
  description?: string;
  /**
   * Whether the runner may replay step() as a compiled program once it has proved that the step does the same
   * thing every time (default true; see src/runner/replay/replayer.ts). Turn it off for a step whose JavaScript
   * changes what it does in ways the checks cannot see, such as a counter kept outside the class.
   */
  replay?: boolean;
}

/** Options of `@observable`: sampled every `every` steps (default 1), and/or once at the end. */
export interface ObservableOptions {
  every?: number;
  atEnd?: boolean;
}

/**
 * Options of `@prediction`. Without `curve`, the method is called as `(t: number)` at each sample step of its
 * observable; with `curve: true` it is called once, after `setup`, as `(steps: number[])` with every step at
 * which the observable will be sampled, and returns one value per step.
 */
export interface PredictionOptions {
  score?: ScoreKind;
  tolerance?: number;
  curve?: boolean;
}

export interface ObservableDefinition {
  name: string;
  /** Sampling cadence in steps; null when sampled only at the end. */
  every: number | null;
  atEnd: boolean;
}

export interface PredictionDefinition {
  name: string;
  observable: string;
  score: ScoreKind;
  tolerance: number;
  curve: boolean;
}

/** What the decorators of one class declare, collected in its decorator metadata. */
export interface ExperimentDefinition {
  name: string;
  options: ExperimentOptions;
  params: string[];
  observables: ObservableDefinition[];
  predictions: PredictionDefinition[];
  sweeps: SweepDefinition[];
  ctor: new () => object;
}

/**
 * How one sweep point's run is summarised, per observable (each component of a vector one): its `final`
 * value, its `min` or `max`, or the mean of its last `k` samples (`{ meanLast: k }`).
 */
export type SweepSummary = 'final' | 'min' | 'max' | { meanLast: number };

/** A random-search dimension: uniform in [min, max], or log-uniform with `log: true`; `integer` rounds. */
export interface SweepRange {
  min: number;
  max: number;
  log?: boolean;
  integer?: boolean;
}

/**
 * Options of `@sweep(name, options)`: the points are the product of the `grid` lists (see `linspace` and
 * `logspace`), times `random.count` draws of the `random.params` ranges when given, times the seeds.
 */
export interface SweepOptions {
  grid?: Record<string, ParamValue[]>;
  random?: { count: number; params: Record<string, SweepRange>; seed?: number };
  /** A number n means seeds 0..n-1; default [0]. */
  seeds?: number | number[];
  /** What to keep of each run for the sweep's charts and laws, by observable name. */
  summarize?: Record<string, SweepSummary>;
  /** Training steps of every point (default: the experiment's). */
  steps?: number;
  /**
   * Sweep-level predictions, evaluated when the sweep ends (in the CLI and the editor alike) from the points'
   * parameters and summaries: e.g. `{ law: 'powerLaw', x: 'n', y: 'loss', holdOut: 1, tolerance: 0.1 }`. A
   * field such as `x` or `y` names a swept parameter or a summarised series (`loss`, or `modes[0]` for a
   * component of a vector observable). Changing the laws does not change the sweep: its points are kept.
   */
  laws?: SweepLaw[];
}

/** What every law takes: its name in the law table, and which points it is about. */
export interface SweepLawBase {
  /** Shown in the law table and the panel; default: the law and its fields, e.g. `powerLaw(loss ~ n)`. */
  name?: string;
  /** Only the points whose parameters have these values, e.g. `{ parameterization: 'muP' }`. */
  where?: Record<string, ParamValue>;
}

/**
 * L = E + A x^-alpha (THEORY.md entry 13), fitted (robust Huber on log-sum-exp, multi-start) on the means over
 * seeds at all but the `holdOut` largest x values (default 1), then scored by the largest relative error of the
 * extrapolation to the held-out ones: pass when it is <= `tolerance` (default 0.1). The detail has a bootstrap
 * interval on alpha (`resamples`, default 200; over seeds when there are several, else over residuals).
 */
export interface PowerLawLaw extends SweepLawBase {
  law: 'powerLaw';
  x: string;
  y: string;
  holdOut?: number;
  tolerance?: number;
  resamples?: number;
}

/**
 * L = E + A / N^alpha + B / D^beta (THEORY.md entry 13): fitted on all but the `holdOut` largest values
 * (default 1) of `by` (N, D or compute C = 6 N D, default C), scored by the largest relative error on the
 * held-out points (pass when <= `tolerance`, default 0.1); the detail has the compute-optimal exponents a, b
 * with bootstrap intervals (`resamples`, default 50).
 */
export interface ChinchillaLaw extends SweepLawBase {
  law: 'chinchilla';
  N: string;
  D: string;
  y: string;
  holdOut?: number;
  by?: 'N' | 'D' | 'C';
  tolerance?: number;
  resamples?: number;
}

/**
 * muTransfer (THEORY.md entry 17): per width, the optimal learning rate lr* from a parabola in log lr fitted to
 * the `window` grid points (default 3) around the minimum of y (means over seeds); then the slope of log lr*
 * against log width. Pass when the slope lies in `band` (e.g. [-0.15, 0.15] under muP; [-1.2, -0.2] under SP).
 */
export interface LrTransferLaw extends SweepLawBase {
  law: 'lrTransfer';
  lr: string;
  width: string;
  y: string;
  band: [number, number];
  window?: number;
  resamples?: number;
}

/**
 * The catapult phase diagram (THEORY.md entry 5): each point's phase predicted from lr * lambda0 (lazy below 2,
 * catapult below `upperEdge`, default 4, divergent beyond) against the observed one: the `phase` series coded
 * 1 lazy, 2 catapult, 3 divergent, or read off the `loss` curve; a diverged run is divergent. Score: the
 * fraction classified right, pass when >= `tolerance` (default 1).
 */
export interface CatapultPhasesLaw extends SweepLawBase {
  law: 'catapultPhases';
  lr: string;
  lambda0: string;
  phase?: string;
  loss?: string;
  upperEdge?: number;
  tolerance?: number;
}

/**
 * Edge of stability (THEORY.md entry 19): per learning rate, the hovering sharpness (a summarised series, e.g.
 * `{ meanLast: 10 }`) over the optimizer's threshold (2/lr for gd, (2 + 2 beta)/lr for momentum, (2 + 2 beta) /
 * ((1 - beta) lr) for adam; beta default 0.9). Score: the worst |ratio - 1|, pass when <= `tolerance` (0.05).
 */
export interface EdgeOfStabilityLaw extends SweepLawBase {
  law: 'edgeOfStability';
  lr: string;
  sharpness: string;
  optimizer?: 'gd' | 'momentum' | 'adam';
  beta?: number;
  tolerance?: number;
}

/**
 * The critical batch size (THEORY.md entry 18): the Pareto fit S(B) = S_min (1 + B_crit / B) of the steps to a
 * target across batch sizes (the `steps` field, or the first step where the `loss` series is <= `target`),
 * B_crit compared with the measured gradient noise scale `noiseScale` (geometric mean over the points). Score:
 * B_crit / noise scale, pass when within a factor `tolerance` (default 3) either way. With `tuned` (a swept
 * parameter, e.g. `'lr'`), each batch size keeps the runs at the value of it that reached the target in the
 * fewest steps: the trade-off assumes a tuned learning rate at every batch size.
 */
export interface CriticalBatchLaw extends SweepLawBase {
  law: 'criticalBatch';
  batch: string;
  noiseScale: string;
  tuned?: string;
  steps?: string;
  loss?: string;
  target?: number;
  tolerance?: number;
}

/**
 * Scaling collapse (THEORY.md entry 16): each run's `y` curve (an observable, read from the run) against its
 * compute fraction t/T, normalised as (L - irreducible) / (L_final - irreducible), grouped by `size` (means over
 * seeds). Score, over fractions >= `from` (default 0.2): with `against: 'before'` (default) the spread across
 * sizes after normalisation over the spread before (std of log L at the same compute fraction), pass when
 * <= `tolerance` (default 0.2); with `against: 'seeds'`, entry 16's ratio of the spread across sizes of the
 * normalised curves to their seed-to-seed spread (needs 2 seeds or more), pass when <= `tolerance` (default 1).
 */
export interface CollapseLaw extends SweepLawBase {
  law: 'collapse';
  y: string;
  size: string;
  against?: 'before' | 'seeds';
  irreducible?: number;
  from?: number;
  tolerance?: number;
}

/** A sweep-level prediction: see each law's type. */
export type SweepLaw =
  | PowerLawLaw
  | ChinchillaLaw
  | LrTransferLaw
  | CatapultPhasesLaw
  | EdgeOfStabilityLaw
  | CriticalBatchLaw
  | CollapseLaw;

export interface SweepDefinition {
  name: string;
  options: SweepOptions;
}

/** A value returned by a prediction: a point (or a vector of points), possibly with a band around it. */
export type PredictionValue = number | number[] | Band;
export interface Band {
  y: number | number[];
  lo: number | number[];
  hi: number | number[];
}

/** The types a parameter may have; its default decides which. */
export type ParamValue = number | boolean | string | number[];
