import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Manifest } from '../store/manifest';
import type { RunSummary } from '../store/runsDir';
import { computePath, formatRate } from '../series/format';
import { differingLabels } from '../webviews/panelRuns';
import { listSweeps, type SweepManifest } from '../sweep/sweepStore';
import { COMMANDS, SWEEP_COMMANDS } from './commandIds';
import type { Lab } from './lab';
import type { SweepService } from './sweepCommands';

const ICONS: Record<Manifest['status'], [string, string]> = {
  running: ['loading~spin', 'charts.blue'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  diverged: ['warning', 'list.warningForeground'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

/** An experiment in the runs view: its runs are its children, newest first. */
export class ExperimentItem extends vscode.TreeItem {
  constructor(
    readonly experiment: string,
    readonly file: string,
    readonly runs: RunSummary[],
  ) {
    super(experiment, vscode.TreeItemCollapsibleState.Expanded);
    this.description = `${path.basename(file)} · ${runs.length} run${runs.length === 1 ? '' : 's'}`;
    this.tooltip = file;
    this.iconPath = new vscode.ThemeIcon('beaker');
    this.contextValue = 'experiment';
    this.id = `${file}#${experiment}`;
  }
}

/** A run in the runs view; `runId` is what commands receive from its context menu. */
export class RunItem extends vscode.TreeItem {
  constructor(
    readonly runId: string,
    summary: RunSummary,
    differing: string,
  ) {
    const m = summary.manifest;
    super(m ? new Date(m.startedAt).toLocaleString() : runId, vscode.TreeItemCollapsibleState.None);
    this.id = runId;
    if (!m) {
      this.description = 'unreadable';
      this.tooltip = summary.problem ?? undefined;
      this.iconPath = new vscode.ThemeIcon('question');
      this.contextValue = 'run.ended';
      return;
    }
    const passed = m.agreement.filter((a) => a.pass).length;
    const agreement = m.agreement.length ? `${passed}/${m.agreement.length} pass` : m.status;
    this.description = [differing, agreement].filter(Boolean).join(' · ');
    const params = Object.entries(m.params)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ');
    this.tooltip = new vscode.MarkdownString(
      `**${m.title}**\n\n\`${m.id}\`\n\n${m.status}, step ${m.step}/${m.steps}, ${m.stepsPerSecond === null ? '-' : formatRate(m.stepsPerSecond)} steps/s, ${computePath(m.backend.name, m.replay?.on)}${m.replay && !m.replay.on ? ` (${m.replay.reason})` : ''}\n\n${params}${m.error ? `\n\n${m.error.message}` : ''}`,
    );
    const [icon, color] = ICONS[m.status];
    this.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    this.contextValue = m.status === 'running' ? 'run.running' : 'run.ended';
    this.command = { title: 'Open Chart', command: COMMANDS.openChart.id, arguments: [{ runId }] };
  }
}

/** A sweep in the runs view: its points' runs are its children, in point order. */
export class SweepItem extends vscode.TreeItem {
  constructor(
    readonly sweepId: string,
    readonly runs: RunSummary[],
    manifest: SweepManifest | undefined,
    progress: string | undefined,
  ) {
    super(
      manifest ? `sweep ${manifest.name}` : `sweep ${sweepId}`,
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    this.id = `sweep:${sweepId}`;
    const total = manifest?.points.length;
    const ended = runs.filter((r) => r.manifest && r.manifest.status !== 'running').length;
    this.description = progress ?? `${ended}${total ? `/${total}` : ''} points`;
    this.tooltip = manifest ? `${manifest.experiment} · ${manifest.file}\n${sweepId}` : sweepId;
    this.iconPath = new vscode.ThemeIcon(progress ? 'loading~spin' : 'layers');
    this.contextValue = progress ? 'sweep.running' : 'sweep.ended';
    this.command = { title: 'Open Sweep', command: SWEEP_COMMANDS.openSweep.id, arguments: [{ sweepId }] };
  }
}

type Item = ExperimentItem | SweepItem | RunItem;

/**
 * The Runs view: experiments, then their runs (status icon, start time, the parameters that differ between
 * the experiment's runs, agreement). Refreshed when runs start, end or change on disk.
 */
export class RunsView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Item>;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly sweeps?: SweepService,
  ) {
    this.view = vscode.window.createTreeView('learningMechanics.runs', {
      treeDataProvider: this,
      canSelectMany: true,
    });
    const watcher = vscode.workspace.createFileSystemWatcher('**/manifest.json');
    this.subscriptions.push(
      this.view,
      watcher,
      watcher.onDidCreate(() => lab.notifyStoreChanged()),
      watcher.onDidDelete(() => lab.notifyStoreChanged()),
      lab.onDidChangeStore(() => this.refresh()),
    );
    if (sweeps) this.subscriptions.push(sweeps.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: Item): vscode.TreeItem {
    return item;
  }

  getChildren(parent?: Item): Item[] {
    if (parent instanceof ExperimentItem || parent instanceof SweepItem) {
      const labels = differingLabels(parent.runs.map((r) => r.manifest?.params ?? {}));
      const runs = parent.runs.map((r, i) => new RunItem(r.id, r, parent.runs.length > 1 ? labels[i] : ''));
      if (parent instanceof SweepItem) return runs;
      // An experiment's sweeps come first, each grouping its points' runs.
      const bySweep = new Map<string, RunSummary[]>();
      const own: RunItem[] = [];
      parent.runs.forEach((r, i) => {
        const tag = r.manifest?.sweep;
        if (tag) bySweep.set(tag.id, [...(bySweep.get(tag.id) ?? []), r]);
        else own.push(runs[i]);
      });
      if (bySweep.size === 0) return runs;
      const manifests = new Map(listSweeps(this.lab.runsDir()).map((m) => [m.id, m]));
      const sweepItems = [...bySweep].map(([id, sweepRuns]) => {
        const active = this.sweeps?.get(id);
        const sorted = [...sweepRuns].sort((a, b) => a.manifest!.sweep!.index - b.manifest!.sweep!.index);
        return new SweepItem(id, sorted, manifests.get(id), active && this.sweeps!.describe(active));
      });
      return [...sweepItems, ...own];
    }
    if (parent) return [];
    const groups = new Map<string, RunSummary[]>();
    for (const run of this.lab.runs()) {
      const key = run.manifest ? `${run.manifest.file}#${run.manifest.experiment}` : '#unreadable';
      groups.set(key, [...(groups.get(key) ?? []), run]);
    }
    return [...groups].map(([key, runs]) => {
      const cut = key.lastIndexOf('#');
      return new ExperimentItem(key.slice(cut + 1) || 'unreadable runs', key.slice(0, cut), runs);
    });
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
