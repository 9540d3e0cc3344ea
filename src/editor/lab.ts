import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunManager, type ActiveRun, type RunSpec } from '../host/runManager';
import type { LiveSeries } from '../host/liveSeries';
import type { RunnerOptions, RunnerOutcome } from '../host/runnerProcess';
import type { BackendChoice } from '../protocol/runner';
import { listRuns, type RunSummary } from '../store/runsDir';

const SECTION = 'learningMechanics';

/** A run that just ended, as the editor features hear about it. */
export interface EndedRun {
  spec: RunSpec;
  outcome: RunnerOutcome;
  series: LiveSeries | undefined;
}

/**
 * The services every editor feature shares: settings, the log, the run manager and its events.
 * Built once in `activate`; disposing it stops every run (what they recorded is kept).
 */
export class Lab implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Learning Mechanics', { log: true });
  private readonly changed = new vscode.EventEmitter<ActiveRun>();
  private readonly ended = new vscode.EventEmitter<EndedRun>();
  private readonly storeChanged = new vscode.EventEmitter<void>();
  private readonly started = new vscode.EventEmitter<Extract<ActiveRun, { state: 'running' }>>();
  /** A run began training: it has a store id and a folder. */
  readonly onDidStartRun = this.started.event;
  /** A run was queued, started, progressed or received samples. */
  readonly onDidChangeRun = this.changed.event;
  /** A run ended; the store holds its final state. */
  readonly onDidEndRun = this.ended.event;
  /** Runs were queued, started or ended, or runs were added to or removed from the store. */
  readonly onDidChangeStore = this.storeChanged.event;
  readonly manager: RunManager;
  /** The last state seen of each active run, to tell transitions from progress. */
  private readonly states = new Map<number, ActiveRun['state']>();
  private runsCache?: RunSummary[];

  constructor(readonly extensionUri: vscode.Uri) {
    this.manager = new RunManager(
      {
        runsDir: () => this.runsDir(),
        maxConcurrent: () => this.setting('maxConcurrentRuns', 2),
        backend: () => this.setting<BackendChoice>('backend', 'auto'),
        runner: () => this.runnerOptions(),
      },
      {
        changed: (run) => {
          this.changed.fire(run);
          if (this.states.get(run.key) === run.state) return;
          this.states.set(run.key, run.state);
          if (run.state === 'running') this.started.fire(run);
          this.notifyStoreChanged();
        },
        ended: (spec, outcome, series) => {
          this.ended.fire({ spec, outcome, series });
          this.notifyStoreChanged();
        },
        output: (text) => this.log.append(text),
      },
    );
  }

  /** How runner child processes start: the built runner, the configured Node.js, its memory limit. */
  runnerOptions(): RunnerOptions {
    return {
      runnerPath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'runner.js').fsPath,
      nodePath: this.setting('nodePath', '') || undefined,
      execArgv: [`--max-old-space-size=${this.setting('runnerMemoryMb', 4096)}`],
    };
  }

  setting<T>(name: string, fallback: T): T {
    return vscode.workspace.getConfiguration(SECTION).get<T>(name, fallback);
  }

  /** The runs directory: the setting, relative to the first workspace folder (or the home of an open file). */
  runsDir(): string {
    const configured = this.setting('runsDirectory', '.lab/runs');
    if (path.isAbsolute(configured)) return configured;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    return path.join(folder ?? (file ? path.dirname(file) : process.cwd()), configured);
  }

  /**
   * The runs in the runs directory, newest first, read once per change of the store rather than on every
   * CodeLens request, context update or tree refresh (listing reads every manifest).
   */
  runs(): RunSummary[] {
    return (this.runsCache ??= listRuns(this.runsDir()));
  }

  notifyStoreChanged(): void {
    this.runsCache = undefined;
    this.storeChanged.fire();
  }

  dispose(): void {
    this.manager.dispose();
    this.changed.dispose();
    this.ended.dispose();
    this.storeChanged.dispose();
    this.started.dispose();
    this.log.dispose();
  }
}
