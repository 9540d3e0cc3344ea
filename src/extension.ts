/**
 * Learning Mechanics Lab: activate() builds the editor features on shared services and registers their
 * disposables, nothing else. The extension host never trains: runs go to runner child processes.
 */
import * as vscode from 'vscode';
import { RunData } from './host/runData';
import type { RunnerOutcome } from './host/runnerProcess';
import { ExperimentCodeLens } from './editor/codeLens';
import { registerCommands } from './editor/runCommands';
import { ExperimentDiagnostics } from './editor/diagnostics';
import { DiscoveryCache } from './editor/discoveryCache';
import { ObservableHover } from './editor/hover';
import { InlineValues } from './editor/inlineValues';
import { Lab } from './editor/lab';
import { RunsView } from './editor/runsView';
import { RunStatusBar, SweepStatusBar } from './editor/statusBar';
import { registerSweepCommands, SweepService } from './editor/sweepCommands';
import { evaluateSweepLaws } from './sweep/laws';
import { lawsForPanel } from './sweep/sweepCharts';
import { listSweeps } from './sweep/sweepStore';
import { ChartPanels } from './webviews/chartPanels';
import { SweepPanels } from './webviews/sweepPanel';

const EXPERIMENTS: vscode.DocumentSelector = { language: 'typescript' };

export function activate(context: vscode.ExtensionContext): void {
  const lab = new Lab(context.extensionUri);
  const discovery = new DiscoveryCache();
  const data = new RunData(lab.manager, () => lab.runsDir());
  const panels = new ChartPanels(lab, data);
  const sweeps = new SweepService(lab);
  const sweepPanels = new SweepPanels(lab, sweeps, (manifest, points) =>
    manifest.spec.laws?.length
      ? lawsForPanel(evaluateSweepLaws(manifest, points, { runsDir: lab.runsDir() }))
      : null,
  );
  const codeLens = new ExperimentCodeLens(lab, discovery, sweeps);
  const setExperimentContext = () => {
    const editor = vscode.window.activeTextEditor;
    const isExperiment = !!editor && discovery.get(editor.document).experiments.length > 0;
    void vscode.commands.executeCommand('setContext', 'learningMechanics.isExperimentFile', isExperiment);
  };
  const setRunsContext = () => {
    void vscode.commands.executeCommand('setContext', 'learningMechanics.hasRuns', lab.runs().length > 0);
    const hasSweeps = sweeps.active().length > 0 || listSweeps(lab.runsDir()).length > 0;
    void vscode.commands.executeCommand('setContext', 'learningMechanics.hasSweeps', hasSweeps);
  };
  context.subscriptions.push(
    lab,
    sweeps,
    panels,
    sweepPanels,
    codeLens,
    new RunsView(lab, sweeps),
    new RunStatusBar(lab),
    new SweepStatusBar(sweeps),
    new InlineValues(lab, discovery),
    new ExperimentDiagnostics(lab, discovery),
    vscode.languages.registerCodeLensProvider(EXPERIMENTS, codeLens),
    vscode.languages.registerHoverProvider(EXPERIMENTS, new ObservableHover(lab, discovery, data)),
    ...registerCommands(lab, discovery, data, panels),
    ...registerSweepCommands(lab, sweeps, sweepPanels),
    vscode.window.onDidChangeActiveTextEditor(setExperimentContext),
    vscode.workspace.onDidChangeTextDocument(
      (e) => e.document === vscode.window.activeTextEditor?.document && setExperimentContext(),
    ),
    vscode.workspace.onDidChangeConfiguration(
      (e) => e.affectsConfiguration('learningMechanics.runsDirectory') && lab.notifyStoreChanged(),
    ),
    lab.onDidChangeStore(setRunsContext),
    sweeps.onDidChange(setRunsContext),
    lab.onDidStartRun((run) => panels.open([run.manifest.id])),
    lab.onDidEndRun(({ outcome }) => reportEnd(lab, outcome)),
  );
  setExperimentContext();
  setRunsContext();
}

/** One message per run that did not complete; the log has the details. */
function reportEnd(lab: Lab, outcome: RunnerOutcome): void {
  if (outcome.kind === 'rejected') {
    if (outcome.rejection.message !== 'removed from the queue')
      void vscode.window.showErrorMessage(`Cannot run: ${outcome.rejection.message}`);
    return;
  }
  const m = outcome.manifest;
  const status = m?.status ?? 'failed';
  if (status === 'completed' || status === 'cancelled') {
    const passed = m?.agreement.filter((a) => a.pass).length ?? 0;
    lab.log.info(`${m?.id} ${status}: ${passed}/${m?.agreement.length ?? 0} predictions pass`);
    return;
  }
  const message = outcome.kind === 'crashed' ? outcome.message : (m?.error?.message ?? status);
  lab.log.error(`${m?.id ?? 'run'} ${status}: ${message}`);
  void vscode.window
    .showErrorMessage(`${m?.experiment ?? 'Run'} ${status}: ${message.split('\n')[0]}`, 'Show Log')
    .then((c) => c && lab.log.show());
}

export function deactivate(): void {}
