import ts from 'typescript';

/** The module experiment files import the decorators from. */
export const SDK_MODULE = 'learning-mechanics';

export const sdkDecoratorNames = ['experiment', 'param', 'observable', 'prediction'] as const;
export type SdkDecoratorName = (typeof sdkDecoratorNames)[number];

/**
 * How a file refers to the SDK's decorators: `named` maps local names to decorators
 * (`import { param as p }` gives p -> param), `namespaces` holds the names of `import * as lm` imports.
 */
export interface SdkImports {
  named: ReadonlyMap<string, SdkDecoratorName>;
  namespaces: ReadonlySet<string>;
}

/** Collects the value imports of the SDK module among the top-level statements of `sourceFile`. */
export function collectSdkImports(sourceFile: ts.SourceFile): SdkImports {
  const named = new Map<string, SdkDecoratorName>();
  const namespaces = new Set<string>();
  for (const statement of sourceFile.statements) {
    const bindings = sdkImportBindings(statement);
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) addNamedImports(bindings, named);
  }
  return { named, namespaces };
}

/** The bindings of `statement` when it is a value import from the SDK module. */
function sdkImportBindings(statement: ts.Statement): ts.NamedImportBindings | undefined {
  if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return undefined;
  if (statement.moduleSpecifier.text !== SDK_MODULE) return undefined;
  const clause = statement.importClause;
  return clause && !clause.isTypeOnly ? clause.namedBindings : undefined;
}

function addNamedImports(imports: ts.NamedImports, named: Map<string, SdkDecoratorName>): void {
  for (const element of imports.elements) {
    const imported = (element.propertyName ?? element.name).text;
    if (!element.isTypeOnly && isSdkDecoratorName(imported)) named.set(element.name.text, imported);
  }
}

export function isSdkDecoratorName(name: string): name is SdkDecoratorName {
  return (sdkDecoratorNames as readonly string[]).includes(name);
}
