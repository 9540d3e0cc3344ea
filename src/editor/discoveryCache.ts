import * as vscode from 'vscode';
import { discover } from '../discovery/discover';
import type { Discovery } from '../discovery/types';

/** Documents worth reading: TypeScript that mentions the SDK. */
export function mayBeExperiment(document: vscode.TextDocument): boolean {
  return document.languageId === 'typescript' && document.getText().includes('learning-mechanics');
}

/** Static discovery of open documents, computed once per document version. */
export class DiscoveryCache {
  private readonly cache = new Map<string, { version: number; discovery: Discovery }>();

  get(document: vscode.TextDocument): Discovery {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.discovery;
    const discovery = mayBeExperiment(document)
      ? discover(document.getText(), document.fileName)
      : { experiments: [], diagnostics: [] };
    this.cache.set(key, { version: document.version, discovery });
    return discovery;
  }

  forget(document: vscode.TextDocument): void {
    this.cache.delete(document.uri.toString());
  }
}

export function toRange(r: {
  start: { line: number; character: number };
  end: { line: number; character: number };
}) {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
