import * as vscode from 'vscode';
import type { RunData } from '../host/runData';
import type { Lab } from '../editor/lab';
import { CHART_VIEW_TYPE, ChartPanel, type PanelState } from './chartPanel';

/** Opens chart panels beside the code (one per run or comparison) and restores them after a reload. */
export class ChartPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ChartPanel>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly lab: Lab,
    private readonly data: RunData,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: PanelState | undefined) => {
        const runIds = state?.runIds ?? [];
        if (runIds.length === 0) return panel.dispose();
        this.track(new ChartPanel(panel, runIds, lab, data, (p) => this.untrack(p)));
      },
    });
  }

  /** Shows the panel of these runs, creating it beside the active editor if needed (or if its webview is gone). */
  open(runIds: string[]): void {
    const key = runIds.join(',');
    const existing = this.panels.get(key);
    if (existing) return existing.panel.reveal(undefined, true);
    const first = this.data.get(runIds[0]).manifest;
    const title = runIds.length === 1 ? `${first.experiment} · chart` : `Compare ${runIds.length} runs`;
    const panel = vscode.window.createWebviewPanel(
      CHART_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {},
    );
    this.track(new ChartPanel(panel, runIds, this.lab, this.data, (p) => this.untrack(p)));
  }

  private track(panel: ChartPanel): void {
    this.panels.set(panel.runIds.join(','), panel);
  }

  private untrack(panel: ChartPanel): void {
    this.panels.delete(panel.runIds.join(','));
  }

  dispose(): void {
    this.serializer.dispose();
    [...this.panels.values()].forEach((p) => p.dispose());
  }
}
