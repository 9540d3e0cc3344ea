import * as vscode from 'vscode';
import { discoverSweeps, type SweepDecl } from '../discovery/discover';
import { COMMANDS, SWEEP_COMMANDS } from './commandIds';
import { DiscoveryCache, toRange } from './discoveryCache';
import type { Lab } from './lab';
import type { SweepService } from './sweepCommands';

/** Above each experiment class: Run, Run with parameters..., Open chart, and the count of its past runs. */
export class ExperimentCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly sweepCache = new Map<string, { version: number; sweeps: SweepDecl[] }>();

  constructor(
    private readonly lab: Lab,
    private readonly discovery: DiscoveryCache,
    private readonly sweeps?: SweepService,
  ) {
    this.subscription = vscode.Disposable.from(
      lab.onDidChangeStore(() => this.changed.fire()),
      lab.onDidEndRun(() => this.changed.fire()),
      ...(sweeps ? [sweeps.onDidChange(() => this.changed.fire())] : []),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const { experiments } = this.discovery.get(document);
    if (experiments.length === 0) return [];
    return [...this.experimentLenses(document, experiments), ...this.sweepLenses(document, experiments)];
  }

  /** On each `@sweep` line of an experiment: Run sweep <name>, or Stop sweep while this window runs it. */
  private sweepLenses(
    document: vscode.TextDocument,
    experiments: ReturnType<DiscoveryCache['get']>['experiments'],
  ): vscode.CodeLens[] {
    const key = document.uri.toString();
    let hit = this.sweepCache.get(key);
    if (!hit || hit.version !== document.version) {
      hit = { version: document.version, sweeps: discoverSweeps(document.getText(), document.fileName) };
      this.sweepCache.set(key, hit);
    }
    const names = new Set(experiments.map((e) => e.name));
    return hit.sweeps
      .filter((s) => names.has(s.experiment))
      .flatMap((s) => {
        const range = toRange(s.range);
        const running = this.sweeps
          ?.active()
          .find(
            (a) =>
              a.manifest.file === document.fileName &&
              a.manifest.experiment === s.experiment &&
              a.manifest.name === s.name,
          );
        if (running) {
          return [
            new vscode.CodeLens(range, {
              title: `$(debug-stop) Stop sweep ${s.name}`,
              command: SWEEP_COMMANDS.stopSweep.id,
              arguments: [{ sweepId: running.id }],
            }),
            new vscode.CodeLens(range, {
              title: this.sweeps!.describe(running),
              command: SWEEP_COMMANDS.openSweep.id,
              arguments: [{ sweepId: running.id }],
            }),
          ];
        }
        return [
          new vscode.CodeLens(range, {
            title: `$(run-all) Run sweep ${s.name}`,
            command: SWEEP_COMMANDS.runSweep.id,
            arguments: [{ file: document.fileName, experiment: s.experiment, sweep: s.name }],
          }),
        ];
      });
  }

  private experimentLenses(
    document: vscode.TextDocument,
    experiments: ReturnType<DiscoveryCache['get']>['experiments'],
  ): vscode.CodeLens[] {
    const runs = this.lab.runs().filter((r) => r.manifest?.file === document.fileName);
    return experiments.flatMap((e) => {
      const range = toRange(e.decoratorRange);
      const own = runs.filter((r) => r.manifest!.experiment === e.name);
      const target = { file: document.fileName, experiment: e.name };
      const active = this.lab.manager
        .active()
        .find((r) => r.spec.file === document.fileName && r.spec.experiment === e.name);
      return [
        active
          ? new vscode.CodeLens(range, {
              title: '$(debug-stop) Stop',
              command: COMMANDS.stopRun.id,
              arguments: [{ key: active.key }],
            })
          : new vscode.CodeLens(range, {
              title: '$(play) Run',
              command: COMMANDS.runExperiment.id,
              arguments: [target],
            }),
        new vscode.CodeLens(range, {
          title: 'Run with parameters...',
          command: COMMANDS.runWithParameters.id,
          arguments: [target],
        }),
        new vscode.CodeLens(range, {
          title: '$(graph-line) Open chart',
          command: COMMANDS.openChart.id,
          arguments: own[0] ? [{ runId: own[0].id }] : [],
        }),
        new vscode.CodeLens(range, {
          title: `${own.length} run${own.length === 1 ? '' : 's'}`,
          command: own.length ? COMMANDS.compareRuns.id : '',
          arguments: [{ file: document.fileName, experiment: e.name }],
          tooltip: 'Compare past runs of this experiment',
        }),
      ];
    });
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
