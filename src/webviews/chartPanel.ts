import * as vscode from 'vscode';
import type { RunData, RunSnapshot } from '../host/runData';
import type { Lab } from '../editor/lab';
import {
  WEBVIEW_PROTOCOL_VERSION,
  type ChartView,
  type HostToWebview,
  type WebviewToHost,
} from '../protocol/webview';
import { buildCharts } from '../series/chartData';
import { panelRuns } from './panelRuns';
import { exportCsv, exportPng } from './panelExport';
import { webviewHtml } from './webviewHtml';

export const CHART_VIEW_TYPE = 'learningMechanics.chart';
/** At most this many updates a second reach a visible panel. */
const UPDATE_MS = 100;

/** What a panel keeps across reloads (its webview state) so the serializer can restore it. */
export interface PanelState {
  runIds: string[];
}

/**
 * One chart panel beside the code: the charts of one run, or of several runs compared. Handshake: the
 * webview says `ready` (with its saved views), the host answers a snapshot; live updates are coalesced and
 * sent only while the panel is visible; a re-shown or revived panel says `ready` again.
 */
export class ChartPanel implements vscode.Disposable {
  private views: Record<string, ChartView> = {};
  private ready = false;
  private pending?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runIds: string[],
    private readonly lab: Lab,
    private readonly data: RunData,
    private readonly onDispose: (panel: ChartPanel) => void,
  ) {
    const roots = ['dist', 'media'].map((d) => vscode.Uri.joinPath(lab.extensionUri, d));
    panel.webview.options = { enableScripts: true, localResourceRoots: roots };
    panel.iconPath = vscode.Uri.joinPath(lab.extensionUri, 'media', 'lab.svg');
    panel.webview.html = this.html();
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => panel.visible && this.schedule()),
      lab.onDidChangeRun(
        (run) => run.state === 'running' && runIds.includes(run.manifest.id) && this.schedule(),
      ),
      lab.onDidEndRun(({ outcome }) => {
        const id = outcome.kind !== 'rejected' ? outcome.manifest?.id : undefined;
        if (id && runIds.includes(id)) {
          data.forget(id);
          this.schedule();
        }
      }),
    );
  }

  private receive(message: WebviewToHost): void {
    switch (message.type) {
      case 'ready':
        this.views = { ...message.views };
        this.ready = true;
        try {
          this.post(this.snapshot());
        } catch (error) {
          void vscode.window.showErrorMessage(`Cannot show the chart: ${(error as Error).message}`);
          this.panel.dispose();
        }
        return;
      case 'view':
        this.views[message.observable] = message.view;
        this.post({
          type: 'charts',
          charts: buildCharts(panelRuns(this.snapshots()), this.views, undefined, message.observable),
        });
        return;
      case 'exportPng':
        void exportPng(message.dataUrl, this.title(), message.observable);
        return;
      case 'exportCsv':
        void exportCsv(this.snapshots(), this.title());
        return;
      case 'stop':
        void vscode.commands.executeCommand('learningMechanics.stopRun', { runId: message.run });
        return;
      case 'openRun':
        void vscode.commands.executeCommand('learningMechanics.openChart', { runId: message.run });
        return;
      default:
        message satisfies never;
    }
  }

  private snapshots(): RunSnapshot[] {
    return this.runIds.map((id) => this.data.get(id));
  }

  private title(): string {
    const snapshots = this.snapshots();
    return snapshots.length === 1
      ? `${snapshots[0].manifest.experiment} · ${snapshots[0].manifest.id}`
      : `Compare ${snapshots.length} runs`;
  }

  private snapshot(): HostToWebview {
    const input = panelRuns(this.snapshots());
    return {
      type: 'snapshot',
      protocolVersion: WEBVIEW_PROTOCOL_VERSION,
      title: this.title(),
      runs: input.runs.map((r) => r.info),
      charts: buildCharts(input, this.views),
    };
  }

  /** Coalesces updates: at most one every UPDATE_MS, and none while hidden (it gets a snapshot when shown). */
  private schedule(): void {
    if (this.pending || !this.ready || !this.panel.visible) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (!this.panel.visible || this.disposed) return;
      const input = panelRuns(this.snapshots());
      this.post({ type: 'runs', runs: input.runs.map((r) => r.info) });
      this.post({ type: 'charts', charts: buildCharts(input, this.views) });
    }, UPDATE_MS);
  }

  private post(message: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.lab.extensionUri, {
      title: 'Learning Mechanics chart',
      script: 'webview.js',
      data: { 'run-ids': this.runIds.join(',') },
    });
  }

  /**
   * Stops feeding the panel. It does not close it: when the extension host shuts down (a window reload), the
   * panel must stay open so that VS Code restores it through the serializer. Closing is the user's.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.pending);
    this.subscriptions.forEach((s) => s.dispose());
    this.onDispose(this);
  }
}
