import ts from 'typescript';
import { exportListNames } from './classes';
import { createContext } from './context';
import { readClass } from './experiment';
import { collectSdkImports } from './imports';
import { comparePositions } from './ranges';
import { reportSyntaxErrors } from './syntax';
import type { Discovery, DiscoveryDiagnostic, ExperimentDecl } from './types';

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
