import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentDecl } from '../discovery/types';
import type { RunData } from '../host/runData';
import type { RunSpec } from '../host/runManager';
import { deleteRun } from '../store/runsDir';
import { loadManifest, loadRun } from '../store/runReader';
import type { ChartPanels } from '../webviews/chartPanels';
import { samplesCsv, samplesJsonl } from '../series/exportFormats';
import { COMMANDS, type CommandKey } from './commandIds';
import type { DiscoveryCache } from './discoveryCache';
import type { Lab } from './lab';
import { formatParam, parseParam } from './paramInput';
import { listTemplates } from './templates';
import type { RunItem } from './runsView';

type Target = { file?: string; experiment?: string } | vscode.Uri | undefined;
type RunRef = { runId?: string; key?: number } | RunItem | undefined;

/** The command handlers: thin adapters from the palette, CodeLens and runs view to the lab's services. */
export function registerCommands(
  lab: Lab,
  discovery: DiscoveryCache,
  data: RunData,
  panels: ChartPanels,
): vscode.Disposable[] {
  const handlers: Record<CommandKey, (...args: never[]) => unknown> = {
    runExperiment: (target: Target) => run(lab, discovery, target, false),
    runWithParameters: (target: Target) => run(lab, discovery, target, true),
    stopRun: (ref: RunRef) => stop(lab, ref),
    openChart: async (ref: RunRef) => {
      const id = runIdOf(ref) ?? (await pickRun(lab, 'Open the chart of which run?'));
      if (id) panels.open([id]);
    },
    compareRuns: async (
      first: RunItem | { file: string; experiment: string } | undefined,
      selected?: RunItem[],
    ) => {
      const ids = selected && selected.length > 1 ? selected.map((s) => s.runId) : await pickRuns(lab, first);
      if (ids && ids.length) panels.open(ids);
    },
    exportRun: async (ref: RunRef) =>
      exportRun(lab, runIdOf(ref) ?? (await pickRun(lab, 'Export which run?'))),
    rerunRun: (ref: RunRef) => {
      const id = runIdOf(ref);
      if (!id) return;
      const m = loadManifest(lab.runsDir(), id);
      if (!vscode.workspace.isTrusted) return refuseUntrusted();
      lab.manager.start({
        file: m.file,
        experiment: m.experiment,
        overrides: m.params,
        steps: m.steps,
        seed: m.seed,
      });
    },
    revealRun: (ref: RunRef) => {
      const id = runIdOf(ref);
      if (id)
        void vscode.commands.executeCommand(
          'revealFileInOS',
          vscode.Uri.file(path.join(lab.runsDir(), id, 'manifest.json')),
        );
    },
    deleteRun: async (ref: RunRef) => {
      const id = runIdOf(ref);
      if (!id) return;
      const answer = await vscode.window.showWarningMessage(
        `Delete run ${id} and its data?`,
        { modal: true },
        'Delete',
      );
      if (answer !== 'Delete') return;
      deleteRun(lab.runsDir(), id);
      data.forget(id);
      lab.notifyStoreChanged();
    },
    newFromTemplate: () => newFromTemplate(lab),
    showLog: () => lab.log.show(),
    refreshRuns: () => lab.notifyStoreChanged(),
  };
  return (Object.keys(handlers) as CommandKey[]).map((key) =>
    vscode.commands.registerCommand(COMMANDS[key].id, handlers[key] as (...args: unknown[]) => unknown),
  );
}

async function run(
  lab: Lab,
  discovery: DiscoveryCache,
  target: Target,
  askParameters: boolean,
): Promise<void> {
  if (!vscode.workspace.isTrusted) return refuseUntrusted();
  const file =
    target instanceof vscode.Uri
      ? target.fsPath
      : (target?.file ?? vscode.window.activeTextEditor?.document.fileName);
  if (!file)
    return void vscode.window.showErrorMessage(
      'Open an experiment file (a TypeScript file with an @experiment class) to run it.',
    );
  const document = await vscode.workspace.openTextDocument(file);
  if (document.isDirty) await document.save();
  const experiments = discovery.get(document).experiments;
  const named = target && !(target instanceof vscode.Uri) ? target.experiment : undefined;
  const experiment = named
    ? experiments.find((e) => e.name === named)
    : await pickExperiment(experiments, file);
  if (!experiment) return;
  const overrides = askParameters ? await askOverrides(experiment) : {};
  if (!overrides) return;
  const spec: RunSpec = { file, experiment: experiment.name, overrides };
  lab.log.info(`run ${experiment.name} from ${file} ${JSON.stringify(overrides)}`);
  lab.manager.start(spec);
}

/** Running is code execution: in Restricted Mode, say why nothing runs and offer to manage trust. */
function refuseUntrusted(): void {
  void vscode.window
    .showWarningMessage(
      'Running an experiment executes its code, so Learning Mechanics runs experiments only in a trusted workspace. Saved runs and charts still work in Restricted Mode.',
      'Manage Workspace Trust',
    )
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
}

async function pickExperiment(
  experiments: ExperimentDecl[],
  file: string,
): Promise<ExperimentDecl | undefined> {
  if (experiments.length === 0) {
    void vscode.window.showErrorMessage(`${path.basename(file)} has no @experiment class to run.`);
    return undefined;
  }
  if (experiments.length === 1) return experiments[0];
  const picked = await vscode.window.showQuickPick(
    experiments.map((e) => ({ label: e.name, description: e.title, experiment: e })),
    { title: 'Run which experiment?' },
  );
  return picked?.experiment;
}

/** One input box per parameter, pre-filled with its default and validated as the user types. */
async function askOverrides(experiment: ExperimentDecl): Promise<Record<string, unknown> | undefined> {
  const overrides: Record<string, unknown> = {};
  for (const [i, param] of experiment.params.entries()) {
    const text = await vscode.window.showInputBox({
      title: `${experiment.name}: parameters (${i + 1}/${experiment.params.length})`,
      prompt: `${param.name} (${param.type})`,
      value: param.default === undefined ? '' : formatParam(param.default),
      validateInput: (t) =>
        'error' in parseParam(param, t) ? (parseParam(param, t) as { error: string }).error : undefined,
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    const parsed = parseParam(param, text);
    if ('value' in parsed && JSON.stringify(parsed.value) !== JSON.stringify(param.default))
      overrides[param.name] = parsed.value;
  }
  return overrides;
}

function runIdOf(ref: RunRef): string | undefined {
  return ref && 'runId' in ref ? ref.runId : undefined;
}

async function stop(lab: Lab, ref: RunRef): Promise<void> {
  const active = lab.manager.active();
  const byRef = active.find(
    (r) =>
      (ref && 'key' in ref && ref.key === r.key) || (r.state === 'running' && r.manifest.id === runIdOf(ref)),
  );
  if (byRef) return lab.manager.stop(byRef.key);
  if (active.length === 0) return void vscode.window.showInformationMessage('No run is going.');
  const picked =
    active.length === 1
      ? active[0]
      : (
          await vscode.window.showQuickPick(
            active.map((r) => ({
              label: r.state === 'running' ? r.manifest.id : `${path.basename(r.spec.file)} (${r.state})`,
              run: r,
            })),
            { title: 'Stop which run?' },
          )
        )?.run;
  if (picked) lab.manager.stop(picked.key);
}

async function pickRun(lab: Lab, title: string): Promise<string | undefined> {
  const runs = lab.runs().filter((r) => r.manifest);
  if (runs.length === 0) return void vscode.window.showInformationMessage('No runs yet.');
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.manifest!.experiment,
      description: `${r.manifest!.status} · ${r.id}`,
      id: r.id,
    })),
    { title },
  );
  return picked?.id;
}

async function pickRuns(
  lab: Lab,
  scope: { file: string; experiment: string } | RunItem | undefined,
): Promise<string[] | undefined> {
  const filter = scope && 'experiment' in scope ? scope : undefined;
  const runs = lab
    .runs()
    .filter(
      (r) =>
        r.manifest &&
        (!filter || (r.manifest.file === filter.file && r.manifest.experiment === filter.experiment)),
    );
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.manifest!.experiment,
      description: `${r.manifest!.status} · ${r.id}`,
      detail: Object.entries(r.manifest!.params)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' '),
      id: r.id,
      picked: scope !== undefined && 'runId' in scope && scope.runId === r.id,
    })),
    { title: 'Compare which runs?', canPickMany: true },
  );
  return picked?.map((p) => p.id);
}

async function exportRun(lab: Lab, id: string | undefined): Promise<void> {
  if (!id) return;
  const format = await vscode.window.showQuickPick(['csv', 'jsonl'], { title: `Export ${id} as` });
  if (!format) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = await vscode.window.showSaveDialog({
    defaultUri: folder && vscode.Uri.joinPath(folder, `${id}.${format}`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON lines': ['jsonl'] },
  });
  if (!uri) return;
  const runs = [{ id, series: loadRun(lab.runsDir(), id).series }];
  fs.writeFileSync(
    uri.fsPath,
    format === 'csv' ? samplesCsv(runs, { wall: true }) : samplesJsonl(runs, { wall: true }),
  );
  void vscode.window.showInformationMessage(`Exported ${id} to ${uri.fsPath}`);
}

/** Copies a template experiment (each one a working demo) into the workspace and opens it. */
async function newFromTemplate(lab: Lab): Promise<void> {
  const dir = vscode.Uri.joinPath(lab.extensionUri, 'templates').fsPath;
  const items: Array<vscode.QuickPickItem & { file?: string }> = [];
  for (const t of listTemplates(dir)) {
    if (items.length === 0 || items.at(-1)!.description !== t.group) {
      items.push({ label: t.group, kind: vscode.QuickPickItemKind.Separator });
    }
    items.push({
      label: path.basename(t.file, '.exp.ts'),
      description: t.group,
      detail: t.title,
      file: t.file,
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'New experiment from which template?',
    matchOnDetail: true,
  });
  if (!picked?.file) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    defaultUri: folder && vscode.Uri.joinPath(folder, path.basename(picked.file)),
    filters: { 'Experiment (TypeScript)': ['ts'] },
  });
  if (!target) return;
  fs.copyFileSync(path.join(dir, picked.file), target.fsPath);
  await vscode.window.showTextDocument(target);
}
