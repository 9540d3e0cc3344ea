import type ts from 'typescript';
import { checkExperimentMembers } from './checks';
import { className, isExported } from './classes';
import { rangeIn, report, type DiscoveryContext } from './context';
import { sdkDecoratorsOf, type SdkDecorator } from './decorators';
import { readExperimentOptions } from './experimentOptions';
import { readMembers, reportConflict, reportMembersOutsideExperiment, reportMisplaced } from './members';
import type { ExperimentDecl } from './types';

/**
 * Reads one class: an experiment when it carries `@experiment`, else a class whose SDK decorators are reported
 * as having no effect. `exportList` holds the names the module exports by `export { ... }`.
 */
export function readClass(
  context: DiscoveryContext,
  node: ts.ClassLikeDeclaration,
  exportList: ReadonlySet<string>,
): ExperimentDecl | undefined {
  const name = className(node);
  const use = experimentDecorator(context, node, name);
  if (use) return readExperiment(context, node, use, { name, exported: isExported(node, exportList) });
  reportMembersOutsideExperiment(context, node, name);
  return undefined;
}

/** The first `@experiment` on the class `node`; other SDK decorators on it are reported. */
function experimentDecorator(
  context: DiscoveryContext,
  node: ts.ClassLikeDeclaration,
  name: string,
): SdkDecorator | undefined {
  const uses = sdkDecoratorsOf(node, context.imports);
  const use = uses.find((candidate) => candidate.name === 'experiment');
  for (const other of uses.filter((candidate) => candidate !== use)) {
    if (other.name === 'experiment') reportConflict(context, other, 'experiment');
    else reportMisplaced(context, other, `the class '${name}'`);
  }
  return use;
}

/** The experiment declared by the class `node`, called `name`, and its `@experiment` decorator `use`. */
function readExperiment(
  context: DiscoveryContext,
  node: ts.ClassLikeDeclaration,
  use: SdkDecorator,
  { name, exported }: { name: string; exported: boolean },
): ExperimentDecl {
  const { title, steps, description } = readExperimentOptions(context, use, name);
  const experiment: ExperimentDecl = {
    name,
    title: title ?? name,
    ...(steps === undefined ? {} : { steps }),
    ...(description === undefined ? {} : { description }),
    range: rangeIn(context, node),
    nameRange: rangeIn(context, node.name ?? use.node),
    decoratorRange: rangeIn(context, use.node),
    ...readMembers(context, node),
    exported,
  };
  checkExperimentClass(context, node, experiment);
  checkExperimentMembers(context, experiment);
  return experiment;
}

/** Reports an experiment class the runner cannot use as it stands: unexported, or without `step`. */
function checkExperimentClass(
  context: DiscoveryContext,
  node: ts.ClassLikeDeclaration,
  experiment: ExperimentDecl,
): void {
  const { name, nameRange } = experiment;
  if (!experiment.exported) {
    const message = `Experiment '${name}' is not exported; it still runs, but other files cannot import it.`;
    report(context, 'experiment-not-exported', nameRange, message);
  }
  if (!experiment.hasStep && !node.heritageClauses?.length) {
    const message = `Experiment '${name}' has no step method; the runner calls step(t) once per training step.`;
    report(context, 'step-missing', nameRange, message);
  }
}
