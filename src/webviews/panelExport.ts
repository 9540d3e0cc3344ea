import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { RunSnapshot } from '../host/runData';
import { samplesCsv } from '../series/exportFormats';

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-|-$/g, '');
}

function defaultUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && vscode.Uri.joinPath(folder, name);
}

/** Saves a chart (or the whole panel) as PNG through VS Code's save dialog. */
export async function exportPng(dataUrl: string, title: string, observable: string | null): Promise<void> {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('the chart panel sent an image that is not a PNG');
  const name = `${safeName(title)}${observable ? `-${safeName(observable)}` : ''}.png`;
  const uri = await vscode.window.showSaveDialog({
    defaultUri: defaultUri(name),
    filters: { 'PNG image': ['png'] },
  });
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(dataUrl.slice(prefix.length), 'base64'));
  void vscode.window.showInformationMessage(`Saved ${uri.fsPath}`);
}

export async function exportCsv(runs: RunSnapshot[], title: string): Promise<void> {
  const uri = await vscode.window.showSaveDialog({
    defaultUri: defaultUri(`${safeName(title)}.csv`),
    filters: { CSV: ['csv'] },
  });
  if (!uri) return;
  await fs.writeFile(
    uri.fsPath,
    samplesCsv(
      runs.map((r) => ({ id: r.manifest.id, series: r.series })),
      { run: true, wall: true },
    ),
  );
  void vscode.window.showInformationMessage(`Saved ${uri.fsPath}`);
}
