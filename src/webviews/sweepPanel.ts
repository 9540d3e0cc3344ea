import * as vscode from 'vscode';
import type { ActiveSweep, SweepService } from '../editor/sweepCommands';
import type { Lab } from '../editor/lab';
import {
  SWEEP_PROTOCOL_VERSION,
  type HostToSweep,
  type SweepData,
  type SweepToHost,
  type SweepView,
} from '../protocol/sweepView';
import { loadSeries, seriesNames } from '../store/runReader';
import { sweepProgress } from '../sweep/progress';
import {
  attachLaws,
  curvesCharts,
  resolveView,
  summaryCharts,
  summarySeries,
  sweptParams,
  type CurveSeries,
  type SweepLaws,
} from '../sweep/sweepCharts';
import {
  readPoints,
  readSweepManifest,
  sweepDir,
  type PointRecord,
  type SweepManifest,
} from '../sweep/sweepStore';
import { webviewHtml } from './webviewHtml';

export const SWEEP_VIEW_TYPE = 'learningMechanics.sweep';
/** At most this many updates a second reach a visible panel. */
const UPDATE_MS = 250;
/** While points run, their curves are re-read this often. */
const LIVE_MS = 1000;
/** Curves of at most this many series when the sweep summarises nothing. */
const FALLBACK_SERIES = 3;

/** What a sweep panel keeps across reloads (its webview state), so the serializer can restore it. */
export interface SweepPanelState {
  sweepId: string | null;
  view: SweepView | null;
}

/**
 * The sweep-level laws (src/sweep/laws.ts, another part) plug in here: given the sweep and its points, their
 * scores and overlay curves, each naming the summary chart it belongs to (`SummaryChart.key`).
 */
export type LawsProvider = (manifest: SweepManifest, points: PointRecord[]) => SweepLaws | null;

/** Opens sweep panels beside the code (one per sweep) and restores them after a reload. */
export class SweepPanels implements vscode.Disposable {
  private readonly panels = new Map<string, SweepPanel>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly lab: Lab,
    private readonly service: SweepService,
    private readonly laws?: LawsProvider,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(SWEEP_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: SweepPanelState | undefined) => {
        if (!state?.sweepId) return panel.dispose();
        this.track(new SweepPanel(panel, state.sweepId, lab, service, laws, (p) => this.untrack(p)));
      },
    });
  }

  /** Shows the panel of the sweep, creating it beside the active editor if needed. */
  open(sweepId: string): void {
    const existing = this.panels.get(sweepId);
    if (existing) return existing.panel.reveal(undefined, true);
    let title = 'Sweep';
    try {
      const m = readSweepManifest(sweepDir(this.lab.runsDir(), sweepId));
      title = `${m.experiment} · sweep ${m.name}`;
    } catch {
      // the panel says what is wrong
    }
    const panel = vscode.window.createWebviewPanel(
      SWEEP_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {},
    );
    this.track(new SweepPanel(panel, sweepId, this.lab, this.service, this.laws, (p) => this.untrack(p)));
  }

  private track(panel: SweepPanel): void {
    this.panels.set(panel.sweepId, panel);
  }

  private untrack(panel: SweepPanel): void {
    if (this.panels.get(panel.sweepId) === panel) this.panels.delete(panel.sweepId);
  }

  dispose(): void {
    this.serializer.dispose();
    [...this.panels.values()].forEach((p) => p.dispose());
  }
}

/**
 * One sweep's panel. Handshake as the chart panel: the webview says `ready` (with its saved view), the host
 * answers a snapshot; point changes (and, while points run, their growing curves) are coalesced into updates,
 * sent only while the panel is visible.
 */
export class SweepPanel implements vscode.Disposable {
  private view: SweepView | null = null;
  private ready = false;
  private pending?: NodeJS.Timeout;
  private live?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  private lawCache?: { key: string; laws: SweepLaws | null };
  /** Series of ended runs, by run id and series name: they no longer change. */
  private readonly ended = new Map<string, CurveSeries>();

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly sweepId: string,
    private readonly lab: Lab,
    private readonly service: SweepService,
    private readonly laws: LawsProvider | undefined,
    private readonly onDispose: (panel: SweepPanel) => void,
  ) {
    const roots = ['dist', 'media'].map((d) => vscode.Uri.joinPath(lab.extensionUri, d));
    panel.webview.options = { enableScripts: true, localResourceRoots: roots };
    panel.iconPath = vscode.Uri.joinPath(lab.extensionUri, 'media', 'lab.svg');
    panel.webview.html = this.html();
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((m: SweepToHost) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => panel.visible && this.schedule()),
      service.onDidChange((id) => id === sweepId && this.schedule()),
    );
    this.live = setInterval(() => this.service.get(sweepId) && this.schedule(), LIVE_MS);
  }

  private receive(message: SweepToHost): void {
    switch (message.type) {
      case 'ready':
        this.view = message.view;
        this.ready = true;
        this.send('snapshot');
        return;
      case 'view':
        this.view = message.view;
        this.send('update');
        return;
      case 'openRun':
        void vscode.commands.executeCommand('learningMechanics.openChart', { runId: message.run });
        return;
      case 'stop':
        this.service.stop(this.sweepId);
        return;
      default:
        message satisfies never;
    }
  }

  private send(type: 'snapshot' | 'update'): void {
    let data: SweepData;
    try {
      data = this.data();
    } catch (error) {
      if (type === 'snapshot') {
        void vscode.window.showErrorMessage(`Cannot show the sweep: ${(error as Error).message}`);
        this.panel.dispose();
      } else this.lab.log.error(`sweep panel ${this.sweepId}: ${(error as Error).message}`);
      return;
    }
    const message: HostToSweep =
      type === 'snapshot' ? { type, protocolVersion: SWEEP_PROTOCOL_VERSION, ...data } : { type, ...data };
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /** Everything the panel draws, from the store (and the live pool's records while it runs here). */
  private data(): SweepData {
    const runsDir = this.lab.runsDir();
    const active: ActiveSweep | undefined = this.service.get(this.sweepId);
    const manifest = active?.manifest ?? readSweepManifest(sweepDir(runsDir, this.sweepId));
    const points = active
      ? [...active.points.values()].sort((a, b) => a.index - b.index)
      : readPoints(sweepDir(runsDir, this.sweepId), manifest.points.length);
    const view = resolveView(manifest, this.view, points);
    this.view = view;
    const series = summarySeries(manifest, points);
    const curveNames = series.length ? series : this.fallbackSeries(runsDir, points);
    const runSeries = new Map<number, Map<string, CurveSeries>>();
    for (const p of points) {
      if (!p.runId) continue;
      const own = new Map<string, CurveSeries>();
      for (const name of curveNames) {
        const data = this.series(runsDir, p, name);
        if (data) own.set(name, data);
      }
      runSeries.set(p.index, own);
    }
    const progress = active ? this.service.progress(active) : sweepProgress(points, 0, 0);
    const laws = this.lawsOf(manifest, points);
    return {
      sweep: {
        id: manifest.id,
        name: manifest.name,
        experiment: manifest.experiment,
        file: manifest.file,
        steps: manifest.steps,
        params: sweptParams(manifest),
        total: progress.total,
        counts: progress.counts,
        etaSeconds: progress.etaSeconds,
        active: !!active && !active.stopping,
      },
      view,
      points: points.map((p) => ({
        index: p.index,
        state: p.state,
        runId: p.runId,
        overrides: manifest.points[p.index]?.overrides ?? {},
        seed: manifest.points[p.index]?.seed ?? 0,
        summary: p.summary,
        error: p.error,
      })),
      summaries: attachLaws(summaryCharts(manifest, points, view), laws),
      curves: curvesCharts(manifest, points, curveNames, runSeries, view),
      laws: laws?.scores ?? [],
    };
  }

  /** The laws, evaluated again only when a point's state changed (bootstraps are not free). */
  private lawsOf(manifest: SweepManifest, points: PointRecord[]): SweepLaws | null {
    if (!this.laws) return null;
    const key = `${JSON.stringify(this.view)}|${points.map((p) => p.state).join(',')}`;
    if (this.lawCache?.key === key) return this.lawCache.laws;
    try {
      const laws = this.laws(manifest, points);
      this.lawCache = { key, laws };
      return laws;
    } catch (error) {
      this.lab.log.error(`sweep ${manifest.id}: the laws failed: ${(error as Error).message}`);
      return null;
    }
  }

  /** A point's series, cached once its run ended; undefined while it has none. */
  private series(runsDir: string, point: PointRecord, name: string): CurveSeries | undefined {
    const key = `${point.runId}\u0000${name}`;
    const cached = this.ended.get(key);
    if (cached) return cached;
    try {
      const data = loadSeries(runsDir, point.runId!, name);
      if (point.state !== 'running' && point.state !== 'pending') this.ended.set(key, data);
      return data;
    } catch {
      return undefined;
    }
  }

  /** A sweep that summarises nothing still overlays curves: the first few series of its first run. */
  private fallbackSeries(runsDir: string, points: PointRecord[]): string[] {
    const first = points.find((p) => p.runId && p.state !== 'pending');
    if (!first) return [];
    try {
      return seriesNames(runsDir, first.runId!)
        .filter((n) => !n.includes('~'))
        .slice(0, FALLBACK_SERIES);
    } catch {
      return [];
    }
  }

  /** Coalesces updates: at most one every UPDATE_MS, and none while hidden (it gets a snapshot when shown). */
  private schedule(): void {
    if (this.pending || !this.ready || !this.panel.visible || this.disposed) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (this.panel.visible && !this.disposed) this.send('update');
    }, UPDATE_MS);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.lab.extensionUri, {
      title: 'Learning Mechanics sweep',
      script: 'sweepWebview.js',
      data: { 'sweep-id': /^[A-Za-z0-9_-]+$/.test(this.sweepId) ? this.sweepId : '' },
    });
  }

  /** Stops feeding the panel; closing it is the user's (a reload restores it through the serializer). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.pending);
    clearInterval(this.live);
    this.subscriptions.forEach((s) => s.dispose());
    this.onDispose(this);
  }
}
