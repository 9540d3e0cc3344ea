import type { ChartView, WebviewToHost } from '../../protocol/webview';

/** What the panel keeps across hide/show and reload through `vscode.getState/setState`. */
export interface PanelState {
  views: Record<string, ChartView>;
  /** The runs the panel shows, so VS Code's serializer can restore it after a reload. */
  runIds: string[];
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The typed face of `acquireVsCodeApi()`, which may be called only once per page. */
export class Host {
  private readonly api = acquireVsCodeApi();

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  loadState(): PanelState {
    return sanitizeState(this.api.getState());
  }

  saveState(state: PanelState): void {
    this.api.setState(state);
  }
}

/** A restored state is whatever an older version saved: keep only views that still have the right shape. */
export function sanitizeState(raw: unknown): PanelState {
  const views: Record<string, ChartView> = {};
  const saved = (raw as { views?: unknown } | null | undefined)?.views;
  if (saved && typeof saved === 'object') {
    for (const [observable, view] of Object.entries(saved)) if (isChartView(view)) views[observable] = view;
  }
  const runIds = (raw as { runIds?: unknown } | null | undefined)?.runIds;
  const fromPage = document.getElementById('app')?.dataset.runIds?.split(',').filter(Boolean) ?? [];
  const valid = Array.isArray(runIds) && runIds.every((id) => typeof id === 'string');
  return { views, runIds: fromPage.length ? fromPage : valid ? runIds : [] };
}

function isChartView(v: unknown): v is ChartView {
  const view = v as Partial<ChartView> | null;
  return (
    !!view &&
    ['step', 'tau', 'wall'].includes(view.xKind as string) &&
    ['linear', 'log'].includes(view.xScale as string) &&
    ['linear', 'log'].includes(view.yScale as string) &&
    typeof view.smoothing === 'number' &&
    view.smoothing >= 0 &&
    view.smoothing < 1 &&
    typeof view.showRaw === 'boolean' &&
    (view.range === null || (typeof view.range?.min === 'number' && typeof view.range.max === 'number'))
  );
}
