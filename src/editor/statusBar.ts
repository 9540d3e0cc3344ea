import * as vscode from 'vscode';
import { computePath, formatRate, formatSeconds } from '../series/format';
import { COMMANDS, SWEEP_COMMANDS } from './commandIds';
import type { Lab } from './lab';
import type { SweepService } from './sweepCommands';

/** A command link's arguments, as markdown command URIs take them. */
const args = (value: unknown) => encodeURIComponent(JSON.stringify([value]));

/**
 * The active run in the status bar: spinner, experiment, step/steps, steps per second and ETA; clicking it
 * opens that run's chart, and its tooltip (backend, links to open the chart or stop the run). Hidden when idle.
 */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'learningMechanics.run',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subscriptions: vscode.Disposable[];
  private lastRender = 0;
  private hasActive?: boolean;

  constructor(private readonly lab: Lab) {
    this.item.name = 'Learning Mechanics run';
    this.subscriptions = [lab.onDidChangeRun(() => this.render()), lab.onDidEndRun(() => this.render(true))];
  }

  private render(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastRender < 200) return;
    this.lastRender = now;
    const active = this.lab.manager.active();
    if (this.hasActive !== active.length > 0) {
      this.hasActive = active.length > 0;
      void vscode.commands.executeCommand('setContext', 'learningMechanics.hasActiveRun', this.hasActive);
    }
    const running = active.find((r) => r.state === 'running');
    if (!running || running.state !== 'running') {
      if (active.length === 0) return this.item.hide();
      this.item.text = `$(loading~spin) Learning Mechanics: ${active.length} queued`;
      this.item.command = undefined;
      return this.item.show();
    }
    const { manifest, step, stepsPerSecond, replaying } = running;
    const eta = stepsPerSecond ? ` · ETA ${formatSeconds((manifest.steps - step) / stepsPerSecond)}` : '';
    const rate = stepsPerSecond ? ` · ${formatRate(stepsPerSecond)} steps/s` : '';
    const more = active.length > 1 ? ` (+${active.length - 1})` : '';
    const path = computePath(manifest.backend.name, replaying);
    this.item.text = `$(loading~spin) ${manifest.experiment} ${step}/${manifest.steps}${rate} · ${path}${eta}${more}`;
    const replay = replaying
      ? 'step() replayed as a compiled program, checked against real steps'
      : 'step() run through tfjs (replay not on, or not yet: it starts after 4 steps)';
    const tooltip = new vscode.MarkdownString(
      `**${manifest.title}**\n\nrun \`${manifest.id}\`, backend ${manifest.backend.name} (${manifest.backend.reason}); ${replay}\n\n` +
        `[Open chart](command:${COMMANDS.openChart.id}?${args({ runId: manifest.id })}) · ` +
        `[Stop run](command:${COMMANDS.stopRun.id}?${args({ runId: manifest.id })})`,
    );
    tooltip.isTrusted = { enabledCommands: [COMMANDS.openChart.id, COMMANDS.stopRun.id] };
    this.item.tooltip = tooltip;
    this.item.command = {
      title: 'Open Chart',
      command: COMMANDS.openChart.id,
      arguments: [{ runId: manifest.id }],
    };
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}

/**
 * Running sweeps in the status bar: `$(run-all) rates 7/12 done, 2 running, 1 failed, ETA 40 s`; clicking opens
 * the sweep's panel, the tooltip links to Stop Sweep. Sets `learningMechanics.hasActiveSweep`. Hidden when idle.
 */
export class SweepStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'learningMechanics.sweep',
    vscode.StatusBarAlignment.Left,
    9,
  );
  private readonly subscription: vscode.Disposable;
  private readonly timer: NodeJS.Timeout;
  private hasActive?: boolean;

  constructor(private readonly sweeps: SweepService) {
    this.item.name = 'Learning Mechanics sweep';
    this.subscription = sweeps.onDidChange(() => this.render());
    // The ETA counts down between point changes.
    this.timer = setInterval(() => this.sweeps.active().length && this.render(), 5000);
    this.render();
  }

  private render(): void {
    const active = this.sweeps.active();
    if (this.hasActive !== active.length > 0) {
      this.hasActive = active.length > 0;
      void vscode.commands.executeCommand('setContext', 'learningMechanics.hasActiveSweep', this.hasActive);
    }
    const sweep = active[0];
    if (!sweep) return this.item.hide();
    const more = active.length > 1 ? ` (+${active.length - 1})` : '';
    const progress = this.sweeps.describe(sweep);
    this.item.text = `$(loading~spin) ${sweep.manifest.name} ${progress}${more}`;
    const tooltip = new vscode.MarkdownString(
      `**Sweep ${sweep.manifest.name}** of ${sweep.manifest.experiment}\n\n${progress}\n\n` +
        `[Open sweep](command:${SWEEP_COMMANDS.openSweep.id}?${args({ sweepId: sweep.id })}) · ` +
        `[Stop sweep](command:${SWEEP_COMMANDS.stopSweep.id}?${args({ sweepId: sweep.id })})`,
    );
    tooltip.isTrusted = { enabledCommands: [SWEEP_COMMANDS.openSweep.id, SWEEP_COMMANDS.stopSweep.id] };
    this.item.tooltip = tooltip;
    this.item.command = {
      title: 'Open Sweep',
      command: SWEEP_COMMANDS.openSweep.id,
      arguments: [{ sweepId: sweep.id }],
    };
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
