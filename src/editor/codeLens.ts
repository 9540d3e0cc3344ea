import * as vscode from 'vscode';
import { COMMANDS } from './commandIds';
import { DiscoveryCache, toRange } from './discoveryCache';
import type { Lab } from './lab';

/** Above each experiment class: Run, Run with parameters..., Open chart, and the count of its past runs. */
export class ExperimentCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly lab: Lab,
    private readonly discovery: DiscoveryCache,
  ) {
    this.subscription = vscode.Disposable.from(
      lab.onDidChangeStore(() => this.changed.fire()),
      lab.onDidEndRun(() => this.changed.fire()),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const { experiments } = this.discovery.get(document);
    if (experiments.length === 0) return [];
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
