import type { SweepToHost, SweepView } from '../../protocol/sweepView';

/** What the sweep panel keeps across hide/show and reload (`vscode.getState/setState`). */
export interface SweepPanelState {
  sweepId: string | null;
  view: SweepView | null;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The typed face of `acquireVsCodeApi()` for the sweep panel. */
export class SweepHost {
  private readonly api = acquireVsCodeApi();

  post(message: SweepToHost): void {
    this.api.postMessage(message);
  }

  loadState(): SweepPanelState {
    return sanitizeSweepState(this.api.getState());
  }

  saveState(state: SweepPanelState): void {
    this.api.setState(state);
  }
}

/** A restored state is whatever an older version saved: keep what has the right shape. */
export function sanitizeSweepState(raw: unknown): SweepPanelState {
  const saved = (raw ?? {}) as { sweepId?: unknown; view?: unknown };
  const fromPage = document.getElementById('app')?.dataset.sweepId || null;
  const sweepId = fromPage ?? (typeof saved.sweepId === 'string' ? saved.sweepId : null);
  const v = saved.view as Partial<SweepView> | null | undefined;
  const scale = (s: unknown) => s === 'linear' || s === 'log';
  const name = (s: unknown) => s === null || typeof s === 'string';
  const view =
    v && typeof v === 'object' && name(v.x) && name(v.colorBy) && scale(v.xScale) && scale(v.yScale)
      ? (v as SweepView)
      : null;
  return { sweepId, view };
}
