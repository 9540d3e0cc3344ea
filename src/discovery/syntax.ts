import ts from 'typescript';
import { report, type DiscoveryContext } from './context';
import { rangeOfSpan } from './ranges';

/**
 * The parser's own diagnostics. `parseDiagnostics` is not in TypeScript's public typings, but it is what
 * `getSyntacticDiagnostics` returns for a TypeScript file, without building a Program.
 */
function parseDiagnostics(sourceFile: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  return (sourceFile as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}

/** Reports each syntax error of the context's file at its span. */
export function reportSyntaxErrors(context: DiscoveryContext): void {
  for (const diagnostic of parseDiagnostics(context.sourceFile)) {
    const range = rangeOfSpan(context.sourceFile, diagnostic.start, diagnostic.start + diagnostic.length);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    report(context, 'syntax-error', range, `${message} (TS${diagnostic.code})`);
  }
}
