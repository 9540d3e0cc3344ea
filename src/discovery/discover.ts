import ts from 'typescript';
import { className, exportListNames } from './classes';
import { createContext } from './context';
import { readClass } from './experiment';
import { collectSdkImports, SDK_MODULE } from './imports';
import { comparePositions, rangeOfNode } from './ranges';
import { reportSyntaxErrors } from './syntax';
import type { Discovery, DiscoveryDiagnostic, ExperimentDecl, Range } from './types';

/**
 * Reads the experiments an experiment file declares, without running it: each `@experiment` class with its
 * params (and their defaults when they are constants), observables and predictions, and the source ranges of
 * all of them. Syntax errors and misused annotations come back as diagnostics, sorted by position. Decorators
 * count only when imported from 'learning-mechanics' (by name, alias or namespace).
 *
 * Example: `discover(text).experiments[0].params[0]` is `{ name: 'depth', default: 2, type: 'number', ... }`
 * for a file whose first experiment starts with `@param depth = 2;`.
 */
export function discover(text: string, fileName = 'experiment.ts'): Discovery {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const context = createContext(sourceFile, collectSdkImports(sourceFile));
  reportSyntaxErrors(context);
  const exportList = exportListNames(sourceFile);
  const experiments: ExperimentDecl[] = [];
  for (const node of classesIn(sourceFile)) {
    const experiment = readClass(context, node, exportList);
    if (experiment) experiments.push(experiment);
  }
  return { experiments, diagnostics: sortByPosition(context.diagnostics) };
}

/** Every class declaration and class expression in `root`, nested ones included, in source order. */
function classesIn(root: ts.Node): ts.ClassLikeDeclaration[] {
  const classes: ts.ClassLikeDeclaration[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node)) classes.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return classes;
}

function sortByPosition(diagnostics: DiscoveryDiagnostic[]): DiscoveryDiagnostic[] {
  return [...diagnostics].sort((a, b) => comparePositions(a.range.start, b.range.start));
}

/** A `@sweep('name', ...)` on a class, as the editor's "Run sweep" CodeLens needs it. */
export interface SweepDecl {
  /** The sweep's name (the first argument, a string literal). */
  name: string;
  /** The class it decorates (an experiment when that class carries `@experiment`). */
  experiment: string;
  /** The decorator. */
  range: Range;
}

/**
 * The `@sweep` decorators of the file's classes, in source order: `sweep` imported from 'learning-mechanics'
 * by name, alias or namespace, called with a string literal name. Only located, not checked: the runner
 * checks a sweep's options when it runs (src/sweep/spec.ts).
 */
export function discoverSweeps(text: string, fileName = 'experiment.ts'): SweepDecl[] {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const namespaces = new Set<string>();
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    if (statement.moduleSpecifier.text !== SDK_MODULE || !clause || clause.isTypeOnly) continue;
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const e of bindings.elements)
        if (!e.isTypeOnly && (e.propertyName ?? e.name).text === 'sweep') names.add(e.name.text);
    }
  }
  const isSweep = (callee: ts.Expression) =>
    (ts.isIdentifier(callee) && names.has(callee.text)) ||
    (ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      namespaces.has(callee.expression.text) &&
      callee.name.text === 'sweep');
  const sweeps: SweepDecl[] = [];
  if (names.size === 0 && namespaces.size === 0) return sweeps;
  for (const node of classesIn(sourceFile)) {
    const decorators = ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
    for (const decorator of decorators) {
      const call = decorator.expression;
      if (!ts.isCallExpression(call) || !isSweep(call.expression)) continue;
      const first = call.arguments[0];
      if (!first || !ts.isStringLiteralLike(first)) continue;
      sweeps.push({
        name: first.text,
        experiment: className(node),
        range: rangeOfNode(decorator, sourceFile),
      });
    }
  }
  return sweeps;
}
