import type { ScoreKind } from '../protocol/scoreKinds';

/** Options of `@experiment`. */
export interface ExperimentOptions {
  title?: string;
  /** How many times `step` is called. */
  steps: number;
  description?: string;
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
}

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
