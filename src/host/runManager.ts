import * as path from 'node:path';
import type { BackendChoice, RunnerMessageOf } from '../protocol/runner';
import type { Manifest } from '../store/manifest';
import { LiveSeries } from './liveSeries';
import { RunnerProcess, type RunnerOptions, type RunnerOutcome } from './runnerProcess';

/** What the user asked to run. */
export interface RunSpec {
  file: string;
  experiment?: string;
  overrides: Record<string, unknown>;
  steps?: number;
  seed?: number;
}

/** A run the manager knows about: waiting for a slot, or running (with its live data). */
export type ActiveRun =
  | { state: 'queued'; key: number; spec: RunSpec }
  | { state: 'starting'; key: number; spec: RunSpec; runner: RunnerProcess }
  | {
      state: 'running';
      key: number;
      spec: RunSpec;
      runner: RunnerProcess;
      manifest: Manifest;
      runDir: string;
      step: number;
      stepsPerSecond: number | null;
      /** Whether the runner replays step() as a compiled program (last progress report). */
      replaying?: boolean;
      series: LiveSeries;
    };

export interface RunManagerEvents {
  /** A run was queued, started, made progress or received samples. */
  changed(run: ActiveRun): void;
  /** A run ended (any outcome), with its last live data. */
  ended(spec: RunSpec, outcome: RunnerOutcome, series: LiveSeries | undefined): void;
  /** The runner's stdout/stderr, for the log. */
  output(text: string): void;
}

export interface RunManagerSettings {
  runsDir(): string;
  maxConcurrent(): number;
  backend(): BackendChoice;
  runner(): RunnerOptions;
}

/**
 * Starts experiment runs in runner processes, at most `maxConcurrent` at once (the rest wait in a queue),
 * keeps the live series of each running run in memory for charts and hovers, and stops them on request.
 * Free of `vscode`: the editor adapts its events.
 */
export class RunManager {
  private readonly runs = new Map<number, ActiveRun>();
  private nextKey = 1;
  private disposed = false;

  constructor(
    private readonly settings: RunManagerSettings,
    private readonly events: RunManagerEvents,
  ) {}

  /** Queues a run; it starts as soon as a slot is free. Returns its key. */
  start(spec: RunSpec): number {
    const key = this.nextKey++;
    const run: ActiveRun = { state: 'queued', key, spec: { ...spec, file: path.resolve(spec.file) } };
    this.runs.set(key, run);
    this.events.changed(run);
    this.pump();
    return key;
  }

  /** Runs that are queued or going, oldest first. */
  active(): ActiveRun[] {
    return [...this.runs.values()];
  }

  /** The running run with this store id, if any. */
  running(id: string): Extract<ActiveRun, { state: 'running' }> | undefined {
    return this.active().find(
      (r): r is Extract<ActiveRun, { state: 'running' }> => r.state === 'running' && r.manifest.id === id,
    );
  }

  /** Stops a run (or drops it from the queue); what it recorded is kept. */
  stop(key: number): void {
    const run = this.runs.get(key);
    if (!run) return;
    if (run.state === 'queued') {
      this.runs.delete(key);
      this.events.ended(
        run.spec,
        { kind: 'rejected', rejection: { kind: 'input', message: 'removed from the queue' } },
        undefined,
      );
      return;
    }
    run.runner.stop();
  }

  dispose(): void {
    this.disposed = true;
    for (const run of this.runs.values()) if (run.state !== 'queued') run.runner.stop(1000);
  }

  private pump(): void {
    if (this.disposed) return;
    const going = this.active().filter((r) => r.state !== 'queued').length;
    const next = this.active().find((r) => r.state === 'queued');
    if (!next || going >= Math.max(1, this.settings.maxConcurrent())) return;
    this.launch(next.key, next.spec);
    this.pump();
  }

  private launch(key: number, spec: RunSpec): void {
    const series = new LiveSeries();
    const runner = new RunnerProcess(
      { type: 'start', ...spec, backend: this.settings.backend(), runsDir: this.settings.runsDir() },
      {
        started: (manifest, runDir) =>
          this.update(key, {
            state: 'running',
            key,
            spec,
            runner,
            manifest,
            runDir,
            step: 0,
            stepsPerSecond: null,
            series,
          }),
        samples: (batch: RunnerMessageOf<'samples'>) => {
          series.append(batch);
          this.touch(key);
        },
        progress: (p) => {
          const run = this.runs.get(key);
          if (run?.state === 'running')
            this.update(key, {
              ...run,
              step: p.step,
              stepsPerSecond: p.stepsPerSecond,
              replaying: p.replaying,
            });
        },
        output: (_stream, text) => this.events.output(text),
      },
      this.settings.runner(),
    );
    this.update(key, { state: 'starting', key, spec, runner });
    void runner.done.then((outcome) => {
      const run = this.runs.get(key);
      this.runs.delete(key);
      this.events.ended(spec, outcome, run?.state === 'running' ? run.series : undefined);
      this.pump();
    });
  }

  private update(key: number, run: ActiveRun): void {
    this.runs.set(key, run);
    this.events.changed(run);
  }

  private touch(key: number): void {
    const run = this.runs.get(key);
    if (run) this.events.changed(run);
  }
}
