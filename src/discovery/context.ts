import type ts from 'typescript';
import { diagnosticSeverities, type DiagnosticCode } from './codes';
import type { SdkImports } from './imports';
import { rangeOfNode } from './ranges';
import type { DiscoveryDiagnostic, Range } from './types';

/** What every step of the walk over one file needs: the parsed file, its SDK imports, and a diagnostics sink. */
export interface DiscoveryContext {
  readonly sourceFile: ts.SourceFile;
  readonly imports: SdkImports;
  readonly diagnostics: DiscoveryDiagnostic[];
}

export function createContext(sourceFile: ts.SourceFile, imports: SdkImports): DiscoveryContext {
  return { sourceFile, imports, diagnostics: [] };
}

/** The range of `node` in the context's file. */
export function rangeIn(context: DiscoveryContext, node: ts.Node): Range {
  return rangeOfNode(node, context.sourceFile);
}

/** Records a diagnostic at `at` (a node or a range), with the severity its code carries. */
export function report(
  context: DiscoveryContext,
  code: DiagnosticCode,
  at: ts.Node | Range,
  message: string,
): void {
  const range = 'kind' in at ? rangeIn(context, at) : at;
  context.diagnostics.push({ message, severity: diagnosticSeverities[code], range, code });
}
