import { bandSeriesName, predictionSeriesName } from '../protocol/series';
import { ScoreKind, type PredictionScore } from '../protocol/score';
import { scorePrediction } from '../series/agreement';
import { observableSeries } from '../series/observableSeries';
import type { Manifest } from '../store/manifest';
import { loadRun } from '../store/runReader';
import type { SeriesData } from '../store/seriesData';
import type { RunManager } from './runManager';

/** A run's data as charts and hovers use it: its manifest, every series, and its agreement. */
export interface RunSnapshot {
  manifest: Manifest;
  series: Map<string, SeriesData>;
  /** True while the run trains: series grow, and the agreement is computed from what arrived so far. */
  live: boolean;
  /** While it trains: whether step() is being replayed (the manifest says so once the run has ended). */
  replaying?: boolean;
}

const CACHED_RUNS = 8;

/**
 * Where a run's data comes from: the run manager's live series while it trains, the store afterwards
 * (the last few loaded runs are kept in memory, so reopening a chart does not reread a large series file).
 */
export class RunData {
  private readonly cache = new Map<string, RunSnapshot>();

  constructor(
    private readonly manager: RunManager,
    private readonly runsDir: () => string,
  ) {}

  get(id: string): RunSnapshot {
    const running = this.manager.running(id);
    if (running) {
      const series = running.series.views();
      const manifest = { ...running.manifest, step: running.step, stepsPerSecond: running.stepsPerSecond };
      return {
        manifest: { ...manifest, agreement: liveAgreement(manifest, series) },
        series,
        live: true,
        replaying: running.replaying,
      };
    }
    let snapshot = this.cache.get(id);
    if (!snapshot) {
      const loaded = loadRun(this.runsDir(), id);
      snapshot = { manifest: loaded.manifest, series: loaded.series, live: false };
      this.cache.set(id, snapshot);
      if (this.cache.size > CACHED_RUNS) this.cache.delete(this.cache.keys().next().value!);
    }
    return snapshot;
  }

  /** Drops a cached run (it ended, changed or was deleted). */
  forget(id: string): void {
    this.cache.delete(id);
  }
}

/** Every prediction's score over the samples received so far (the runner scores the final run itself). */
export function liveAgreement(manifest: Manifest, series: Map<string, SeriesData>): PredictionScore[] {
  return manifest.predictions.map((p) => {
    const { measured } = observableSeries(series.keys(), p.observable);
    const empty = { step: new Float64Array(0), value: new Float64Array(0) };
    const pairs = measured.map(({ name }) => {
      const lo = series.get(bandSeriesName(name, p.name, 'lo'));
      const hi = series.get(bandSeriesName(name, p.name, 'hi'));
      return {
        series: name,
        measured: series.get(name)!,
        predicted: series.get(predictionSeriesName(name, p.name)) ?? empty,
        ...(lo && hi && { band: { lo, hi } }),
      };
    });
    return scorePrediction({ ...p, score: ScoreKind.parse(p.score) }, pairs);
  });
}
