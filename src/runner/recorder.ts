import { componentName, predictionSeriesName, bandSeriesName } from '../protocol/series';
import type { PredictionScore } from '../protocol/score';
import type { ObservableDefinition, PredictionDefinition } from '../sdk/definition';
import { scorePrediction } from '../series/agreement';
import type { Reading } from './observe';
import type { SampleSink } from './sink';

/** A prediction's value at one step, with its band when it has one. */
export interface PredictedPoint {
  y: Reading;
  lo?: Reading;
  hi?: Reading;
}

interface Column {
  step: number[];
  value: number[];
}

/** Thrown when a loss-like observable stops being finite. */
export class Divergence extends Error {
  override name = 'Divergence';
  constructor(
    message: string,
    readonly step: number,
  ) {
    super(message);
  }
}

/** Observables whose name says they are a loss end the run as diverged when they stop being finite. */
const LOSS_LIKE = /loss/i;

/**
 * Expands readings into named series (a vector observable into `name[i]`), sends them to the sink, and keeps
 * in memory the series that predictions are scored on.
 */
export class Recorder {
  private readonly kept = new Map<string, Column>();
  private readonly widths = new Map<string, number>();
  /** Component series names by observable, made once (a sample of a vector observable names each component). */
  private readonly names = new Map<string, string[]>();
  private readonly scored: Set<string>;

  constructor(
    private readonly sink: SampleSink,
    private readonly predictions: readonly PredictionDefinition[],
    private readonly wall: () => number,
  ) {
    this.scored = new Set(predictions.map((p) => p.observable));
  }

  /**
   * One sample of an observable. The loop's hot path (every sample step, each observable): no pair per
   * component, the series names and the loss test made once per observable.
   */
  observe(o: ObservableDefinition, step: number, reading: Reading): void {
    const names = this.seriesNames(o.name, reading);
    const count = typeof reading === 'number' ? 1 : reading.length;
    const at = (i: number) => (typeof reading === 'number' ? reading : reading[i]);
    if (LOSS_LIKE.test(o.name)) {
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(at(i)))
          throw new Divergence(`observable '${o.name}' became ${at(i)} at step ${step}`, step);
      }
    }
    const wall = this.wall();
    const keep = this.scored.has(o.name);
    for (let i = 0; i < count; i++) this.write(names[i], step, at(i), keep, wall);
  }

  predict(p: PredictionDefinition, step: number, point: PredictedPoint): void {
    const wall = this.wall();
    const ys = this.components(p.observable, point.y, p.name);
    for (const [series, value] of ys)
      this.write(predictionSeriesName(series, p.name), step, value, true, wall);
    for (const side of ['lo', 'hi'] as const) {
      const band = point[side];
      if (band === undefined) continue;
      for (const [series, value] of this.components(p.observable, band, p.name)) {
        this.write(bandSeriesName(series, p.name, side), step, value, p.score === 'band', wall);
      }
    }
  }

  /** The agreement of every prediction, over the samples recorded so far. */
  score(): PredictionScore[] {
    return this.predictions.map((p) => {
      const width = this.widths.get(p.observable);
      const names =
        width === undefined
          ? [p.observable]
          : Array.from({ length: width }, (_, i) => componentName(p.observable, i));
      const empty = { step: [], value: [] };
      const pairs = names.map((series) => {
        const lo = this.kept.get(bandSeriesName(series, p.name, 'lo'));
        const hi = this.kept.get(bandSeriesName(series, p.name, 'hi'));
        return {
          series,
          measured: this.kept.get(series) ?? empty,
          predicted: this.kept.get(predictionSeriesName(series, p.name)) ?? empty,
          ...(lo && hi && { band: { lo, hi } }),
        };
      });
      return scorePrediction(p, pairs);
    });
  }

  /** Pairs (series name, value) for a reading; a vector keeps the width it first had. */
  private components(observable: string, reading: Reading, by?: string): Array<[string, number]> {
    const names = this.seriesNames(observable, reading, by);
    return typeof reading === 'number' ? [[names[0], reading]] : reading.map((v, i) => [names[i], v]);
  }

  /** The series a reading's components go to: the observable's name, or `name[i]` for a vector. */
  private seriesNames(observable: string, reading: Reading, by?: string): readonly string[] {
    const width = this.widths.get(observable);
    if (typeof reading === 'number') {
      if (width !== undefined) {
        const who = by ? `prediction '${by}' of '${observable}'` : `observable '${observable}'`;
        throw new TypeError(`${who} gave a number where a vector of ${width} was expected`);
      }
      return [observable];
    }
    if (width === undefined) this.widths.set(observable, reading.length);
    else if (width !== reading.length) {
      const who = by ? `prediction '${by}' of '${observable}'` : `observable '${observable}'`;
      throw new TypeError(`${who} gave ${reading.length} values where ${width} were expected`);
    }
    let names = this.names.get(observable);
    if (!names) this.names.set(observable, (names = reading.map((_, i) => componentName(observable, i))));
    return names;
  }

  private write(series: string, step: number, value: number, keep: boolean, wall: number): void {
    this.sink.push({ series, step, value, wall });
    if (!keep) return;
    let column = this.kept.get(series);
    if (!column) this.kept.set(series, (column = { step: [], value: [] }));
    column.step.push(step);
    column.value.push(value);
  }
}
