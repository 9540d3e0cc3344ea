import * as vscode from 'vscode';
import type { DiscoveryDiagnostic } from '../discovery/types';
import type { SourceLocation } from '../store/manifest';
import { DiscoveryCache, mayBeExperiment, toRange } from './discoveryCache';
import type { EndedRun, Lab } from './lab';

const SEVERITY: Record<DiscoveryDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * The Problems panel: malformed annotations found by static discovery (as the user types), and the compile
 * and runtime errors of the last run of each file, at the file and line they point to. A run's error is
 * cleared when the next run of that file starts.
 */
export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly annotations = vscode.languages.createDiagnosticCollection('learning-mechanics');
  private readonly runErrors = vscode.languages.createDiagnosticCollection('learning-mechanics-runs');
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    lab: Lab,
    private readonly discovery: DiscoveryCache,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.annotations.delete(d.uri);
        discovery.forget(d);
      }),
      lab.onDidChangeRun((run) => run.state === 'starting' && this.clearRunErrors(run.spec.file)),
      lab.onDidEndRun((ended) => this.recordRunError(ended)),
    );
    vscode.workspace.textDocuments.forEach((d) => this.check(d));
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.check(document), 250),
    );
  }

  private check(document: vscode.TextDocument): void {
    if (!mayBeExperiment(document)) return this.annotations.delete(document.uri);
    // Syntax errors are left to TypeScript's own language service, which reports them already.
    const annotations = this.discovery.get(document).diagnostics.filter((d) => d.code !== 'syntax-error');
    const found = annotations.map((d) => {
      const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
      diagnostic.source = 'Learning Mechanics';
      diagnostic.code = d.code;
      return diagnostic;
    });
    this.annotations.set(document.uri, found);
  }

  private clearRunErrors(file: string): void {
    this.runErrors.delete(vscode.Uri.file(file));
  }

  /** The error of a run that failed to compile, threw, diverged or crashed, at its source location. */
  private recordRunError({ spec, outcome }: EndedRun): void {
    if (outcome.kind === 'rejected') {
      const { message, location } = outcome.rejection;
      // The message starts with file:line:col for the terminal; Problems shows the place in its own columns.
      const text = location ? message.replace(/^.*?:\d+:\d+: /, '') : message;
      if (outcome.rejection.kind !== 'input' || location)
        this.set(location ?? { file: spec.file, line: 1, column: 1 }, text);
      return;
    }
    const error = outcome.manifest?.error;
    if (!error || outcome.manifest?.status !== 'failed') return;
    this.set(error.location ?? { file: spec.file, line: 1, column: 1 }, error.message);
  }

  private set(location: SourceLocation, message: string): void {
    const position = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1));
    const range = new vscode.Range(position, position.translate(0, 1));
    const diagnostic = new vscode.Diagnostic(range, message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Learning Mechanics run';
    const uri = vscode.Uri.file(location.file);
    this.runErrors.set(uri, [...(this.runErrors.get(uri) ?? []), diagnostic]);
  }

  dispose(): void {
    this.timers.forEach(clearTimeout);
    this.subscriptions.forEach((s) => s.dispose());
    this.annotations.dispose();
    this.runErrors.dispose();
  }
}
