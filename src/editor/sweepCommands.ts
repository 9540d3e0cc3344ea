import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { discoverSweeps, type SweepDecl } from '../discovery/discover';
import { DescribeError } from '../host/describe';
import type { BackendChoice } from '../protocol/runner';
import type { ParamValue } from '../store/manifest';
import { runLocalPool, type PoolRun } from '../sweep/localPool';
import { pointsToRun, prepareSweep } from '../sweep/prepare';
import { formatSweepProgress, sweepProgress, type SweepProgress } from '../sweep/progress';
import { parseGridOption, SweepSpecError } from '../sweep/spec';
import { listSweeps, writeSweepManifest, type PointRecord, type SweepManifest } from '../sweep/sweepStore';
import { formatSeconds } from '../series/format';
import type { SweepPanels } from '../webviews/sweepPanel';
import { SWEEP_COMMANDS, type SweepCommandKey } from './commandIds';
import type { Lab } from './lab';

/** A sweep this window is running with the local pool. */
export interface ActiveSweep {
  id: string;
  dir: string;
  manifest: SweepManifest;
  points: Map<number, PointRecord>;
  pool: PoolRun;
  startedAt: number;
  /** Points finished in this session (for the ETA). */
  finished: number;
  stopping: boolean;
}

/** What Run Sweep takes from a CodeLens, a command link or a test; anything missing is asked. */
export interface SweepTarget {
  file?: string;
  experiment?: string;
  sweep?: string;
  /** `name=values` grid overrides (as `lm sweep --grid`); given, no input box asks for them. */
  grid?: string[];
  workers?: number;
}

/**
 * Runs sweeps inside the extension host with the local pool (src/sweep/localPool.ts): each point is a runner
 * child process, so the host never loads tfjs. Stopping keeps what ran (running points become cancelled and
 * run again when the sweep is resumed). Fires `onDidChange` with the sweep id whenever a point starts or ends.
 */
export class SweepService implements vscode.Disposable {
  private readonly sweeps = new Map<string, ActiveSweep>();
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly lab: Lab) {}

  active(): ActiveSweep[] {
    return [...this.sweeps.values()];
  }

  get(id: string): ActiveSweep | undefined {
    return this.sweeps.get(id);
  }

  progress(sweep: ActiveSweep): SweepProgress {
    return sweepProgress([...sweep.points.values()], sweep.finished, (Date.now() - sweep.startedAt) / 1000);
  }

  describe(sweep: ActiveSweep): string {
    return formatSweepProgress(this.progress(sweep), formatSeconds);
  }

  /** Prepares (creates or resumes) the sweep and starts its points; resolves once the pool has started. */
  async start(request: {
    file: string;
    experiment?: string;
    sweep?: string;
    grid?: Record<string, ParamValue[]>;
    workers: number;
  }): Promise<ActiveSweep | { complete: SweepManifest }> {
    const runsDir = this.lab.runsDir();
    const prepared = await prepareSweep({
      file: request.file,
      experiment: request.experiment,
      sweep: request.sweep,
      grid: request.grid,
      runsDir,
      backend: { kind: 'local', workers: request.workers },
      runner: this.lab.runnerOptions(),
    });
    const { manifest, dir } = prepared;
    if (this.sweeps.has(manifest.id)) throw new SweepSpecError(`sweep ${manifest.name} is already running`);
    const queue = pointsToRun(prepared.points, false);
    this.lab.log.info(
      `sweep ${manifest.id} (${manifest.name} of ${manifest.experiment}): ${manifest.points.length} points, ` +
        `${queue.length} to run${prepared.resumed ? ' (resumed)' : ''}, ${request.workers} workers`,
    );
    if (queue.length === 0) return { complete: manifest };
    const points = new Map(prepared.points.map((p) => [p.index, p]));
    const active: ActiveSweep = {
      id: manifest.id,
      dir,
      manifest,
      points,
      startedAt: Date.now(),
      finished: 0,
      stopping: false,
      pool: runLocalPool(dir, manifest, queue, {
        workers: request.workers,
        runsDir,
        backend: this.lab.setting<BackendChoice>('backend', 'auto'),
        runner: this.lab.runnerOptions(),
        changed: (record) => {
          points.set(record.index, record);
          if (record.state !== 'running') active.finished++;
          if (record.state === 'failed')
            this.lab.log.error(`sweep ${manifest.id} point ${record.index} failed: ${record.error}`);
          this.changed.fire(manifest.id);
          this.lab.notifyStoreChanged();
        },
      }),
    };
    this.sweeps.set(manifest.id, active);
    this.changed.fire(manifest.id);
    void active.pool.done.then(() => {
      this.sweeps.delete(manifest.id);
      // No longer coordinated here: `lm sweep` (or another window) may resume it while this one lives on.
      try {
        writeSweepManifest(dir, { ...manifest, coordinator: null });
      } catch (error) {
        this.lab.log.warn(`sweep ${manifest.id}: cannot release it: ${(error as Error).message}`);
      }
      this.lab.log.info(
        `sweep ${manifest.id} ${active.stopping ? 'stopped' : 'ended'}: ${this.describe(active)}`,
      );
      this.changed.fire(manifest.id);
      this.lab.notifyStoreChanged();
    });
    return active;
  }

  stop(id: string): void {
    const sweep = this.sweeps.get(id);
    if (!sweep) return;
    sweep.stopping = true;
    sweep.pool.stop();
    this.changed.fire(id);
  }

  dispose(): void {
    for (const id of this.sweeps.keys()) this.stop(id);
    this.changed.dispose();
  }
}

type SweepRef = { sweepId?: string } | undefined;

/** Run Sweep..., Open Sweep and Stop Sweep. */
export function registerSweepCommands(
  lab: Lab,
  service: SweepService,
  panels: SweepPanels,
): vscode.Disposable[] {
  const handlers: Record<SweepCommandKey, (...args: never[]) => unknown> = {
    runSweep: (target: SweepTarget | vscode.Uri | undefined) => runSweep(service, panels, target),
    openSweep: async (ref: SweepRef) => {
      const id = ref?.sweepId ?? (await pickSweep(lab, service, 'Open which sweep?', false));
      if (id) panels.open(id);
    },
    stopSweep: async (ref: SweepRef) => {
      const id = ref?.sweepId ?? (await pickSweep(lab, service, 'Stop which sweep?', true));
      if (id) service.stop(id);
    },
  };
  return (Object.keys(handlers) as SweepCommandKey[]).map((key) =>
    vscode.commands.registerCommand(SWEEP_COMMANDS[key].id, handlers[key] as (...args: unknown[]) => unknown),
  );
}

async function runSweep(
  service: SweepService,
  panels: SweepPanels,
  given: SweepTarget | vscode.Uri | undefined,
): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'Running a sweep executes the experiment, so Learning Mechanics runs sweeps only in a trusted workspace.',
    );
    return;
  }
  const target: SweepTarget = given instanceof vscode.Uri ? { file: given.fsPath } : (given ?? {});
  const file = target.file ?? vscode.window.activeTextEditor?.document.fileName;
  if (!file) {
    void vscode.window.showErrorMessage('Open an experiment file with a @sweep to run a sweep.');
    return;
  }
  const document = await vscode.workspace.openTextDocument(file);
  if (document.isDirty) await document.save();
  let chosen: Pick<SweepDecl, 'name' | 'experiment'> | undefined;
  if (target.sweep) chosen = { name: target.sweep, experiment: target.experiment ?? '' };
  else {
    const declared = discoverSweeps(document.getText(), file).filter(
      (s) => !target.experiment || s.experiment === target.experiment,
    );
    chosen = await pickDeclared(declared, file);
    if (!chosen) return;
  }
  let grid = target.grid;
  if (!grid) {
    const text = await vscode.window.showInputBox({
      title: `Sweep ${chosen.name || ''}: grid overrides (optional)`,
      prompt:
        'name=values separated by spaces: lr=0.1,0.3 or width=log:16:256:5. Leave empty for the declared grid.',
      placeHolder: 'as declared',
      validateInput: (t) => gridError(t),
      ignoreFocusOut: true,
    });
    if (text === undefined) return;
    grid = text.trim() ? text.trim().split(/\s+/) : [];
  }
  let workers = target.workers;
  if (workers === undefined) {
    const text = await vscode.window.showInputBox({
      title: `Sweep ${chosen.name}: workers`,
      prompt: 'Runner processes at a time',
      value: String(os.availableParallelism()),
      validateInput: (t) => (/^\s*[1-9]\d*\s*$/.test(t) ? undefined : 'a whole number of workers, 1 or more'),
      ignoreFocusOut: true,
    });
    if (text === undefined) return;
    workers = Number(text);
  }
  try {
    const started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Preparing sweep ${chosen.name}` },
      () =>
        service.start({
          file,
          experiment: chosen.experiment || undefined,
          sweep: chosen.name || undefined,
          grid: grid.length ? Object.fromEntries(grid.map(parseGridOption)) : undefined,
          workers: workers!,
        }),
    );
    if ('complete' in started) {
      void vscode.window.showInformationMessage(
        `Sweep ${started.complete.name} is already complete: every point has run.`,
      );
      panels.open(started.complete.id);
      return;
    }
    panels.open(started.id);
  } catch (error) {
    if (error instanceof SweepSpecError || error instanceof DescribeError) {
      void vscode.window.showErrorMessage(`Cannot run the sweep: ${error.message}`);
      return;
    }
    throw error;
  }
}

/** The declared sweep to run: the only one, or the one picked; a file with none is told how to add one. */
async function pickDeclared(declared: SweepDecl[], file: string): Promise<SweepDecl | undefined> {
  if (declared.length === 1) return declared[0];
  if (declared.length === 0) {
    void vscode.window.showErrorMessage(
      `${path.basename(file)} declares no @sweep: add @sweep('name', { grid: { ... } }) above the experiment.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    declared.map((s) => ({ label: s.name, description: s.experiment, sweep: s })),
    { title: 'Run which sweep?' },
  );
  return picked?.sweep;
}

/** Why the grid text is not a list of `name=values`, or undefined when it is. */
export function gridError(text: string): string | undefined {
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    try {
      parseGridOption(token);
    } catch (error) {
      return (error as Error).message.replace('--grid ', '');
    }
  }
  return undefined;
}

async function pickSweep(
  lab: Lab,
  service: SweepService,
  title: string,
  activeOnly: boolean,
): Promise<string | undefined> {
  const active = service.active();
  const sweeps = activeOnly ? active.map((a) => a.manifest) : listSweeps(lab.runsDir());
  if (sweeps.length === 0) {
    void vscode.window.showInformationMessage(activeOnly ? 'No sweep is running.' : 'No sweeps yet.');
    return undefined;
  }
  if (activeOnly && sweeps.length === 1) return sweeps[0].id;
  const picked = await vscode.window.showQuickPick(
    sweeps.map((s) => {
      const running = service.get(s.id);
      return {
        label: `${s.experiment} · ${s.name}`,
        description: running ? service.describe(running) : `${s.points.length} points`,
        detail: `${path.basename(s.file)} · ${s.id}`,
        id: s.id,
      };
    }),
    { title },
  );
  return picked?.id;
}
