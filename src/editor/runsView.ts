import * as vscode from 'vscode';
import type { Manifest } from '../store/manifest';
import { listRuns, type RunSummary } from '../store/runsDir';
import { num } from '../series/format';
import { COMMANDS } from './commandIds';
import type { Lab } from './lab';

const ICONS: Record<Manifest['status'], [string, string]> = {
  running: ['loading~spin', 'charts.blue'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  diverged: ['warning', 'list.warningForeground'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

/** A run in the runs view; `runId` is what commands receive from its context menu. */
export class RunItem extends vscode.TreeItem {
  constructor(
    readonly runId: string,
    summary: RunSummary,
  ) {
    super(summary.manifest?.experiment ?? runId, vscode.TreeItemCollapsibleState.None);
    const m = summary.manifest;
    if (!m) {
      this.description = 'unreadable';
      this.tooltip = summary.problem ?? undefined;
      this.iconPath = new vscode.ThemeIcon('question');
      this.contextValue = 'run.ended';
      return;
    }
    const passed = m.agreement.filter((a) => a.pass).length;
    const agreement = m.agreement.length ? ` · ${passed}/${m.agreement.length} pass` : '';
    this.description = `${m.status}${agreement} · ${new Date(m.startedAt).toLocaleString()}`;
    const params = Object.entries(m.params)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ');
    this.tooltip = new vscode.MarkdownString(
      `**${m.title}**\n\n\`${m.id}\`\n\n${m.status}, step ${m.step}/${m.steps}, ${num(m.stepsPerSecond)} steps/s, backend ${m.backend.name}\n\n${params}${m.error ? `\n\n${m.error.message}` : ''}`,
    );
    const [icon, color] = ICONS[m.status];
    this.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    this.contextValue = m.status === 'running' ? 'run.running' : 'run.ended';
    this.command = { title: 'Open Chart', command: COMMANDS.openChart.id, arguments: [{ runId }] };
  }
}

/** Every run in the runs directory, newest first, refreshed when runs start, end or change on disk. */
export class RunsView implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<RunItem>;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly lab: Lab) {
    this.view = vscode.window.createTreeView('learningMechanics.runs', {
      treeDataProvider: this,
      canSelectMany: true,
    });
    const watcher = vscode.workspace.createFileSystemWatcher('**/manifest.json');
    this.subscriptions.push(
      this.view,
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      lab.onDidChangeStore(() => this.refresh()),
    );
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(): RunItem[] {
    const runs = listRuns(this.lab.runsDir());
    void vscode.commands.executeCommand('setContext', 'learningMechanics.hasRuns', runs.length > 0);
    return runs.map((r) => new RunItem(r.id, r));
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
