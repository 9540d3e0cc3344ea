import { didYouMean } from './closest';
import { report, type DiscoveryContext } from './context';
import { comparePositions } from './ranges';
import type { ExperimentDecl, PredictionDecl, Range } from './types';

type MemberKind = 'param' | 'observable' | 'prediction';

interface NamedMember {
  kind: MemberKind;
  name: string;
  nameRange: Range;
}

/** Checks that can only be made once the whole class is read: unique names, and predictions' observables. */
export function checkExperimentMembers(context: DiscoveryContext, experiment: ExperimentDecl): void {
  checkUniqueNames(context, experiment);
  for (const prediction of experiment.predictions) checkObservableExists(context, experiment, prediction);
}

/** The params, observables and predictions of `experiment`, in source order. */
function namedMembers(experiment: ExperimentDecl): NamedMember[] {
  return [
    ...experiment.params.map((m) => ({ kind: 'param' as const, name: m.name, nameRange: m.nameRange })),
    ...experiment.observables.map((m) => ({
      kind: 'observable' as const,
      name: m.name,
      nameRange: m.nameRange,
    })),
    ...experiment.predictions.map((m) => ({
      kind: 'prediction' as const,
      name: m.name,
      nameRange: m.nameRange,
    })),
  ].sort((a, b) => comparePositions(a.nameRange.start, b.nameRange.start));
}

/** Reports each member whose name an earlier member already has. */
function checkUniqueNames(context: DiscoveryContext, experiment: ExperimentDecl): void {
  const seen = new Map<string, NamedMember>();
  for (const member of namedMembers(experiment)) {
    const first = seen.get(member.name);
    if (!first) seen.set(member.name, member);
    else reportDuplicate(context, experiment, first, member);
  }
}

/**
 * Reports `second`, named like the earlier `first`: as a prediction clashing with an observable (one method
 * would replace the other), or as a plain duplicate.
 */
function reportDuplicate(
  context: DiscoveryContext,
  experiment: ExperimentDecl,
  first: NamedMember,
  second: NamedMember,
): void {
  const kinds = new Set([first.kind, second.kind]);
  if (kinds.has('observable') && kinds.has('prediction')) {
    const [prediction, observable] = first.kind === 'prediction' ? [first, second] : [second, first];
    const message = `Prediction '${prediction.name}' has the name of the observable on line ${lineOf(observable)}: one method would replace the other; rename the prediction.`;
    report(context, 'prediction-name-clash', prediction.nameRange, message);
    return;
  }
  const message = `'${second.name}' is declared twice in '${experiment.name}' (@${first.kind} on line ${lineOf(first)}, @${second.kind} here); each param, observable and prediction needs its own name.`;
  report(context, 'duplicate-member', second.nameRange, message);
}

/** The 1-based line of a member's name, for messages. */
function lineOf(member: NamedMember): number {
  return member.nameRange.start.line + 1;
}

/** Reports a prediction of an observable the class does not declare, suggesting the closest one. */
function checkObservableExists(
  context: DiscoveryContext,
  experiment: ExperimentDecl,
  prediction: PredictionDecl,
): void {
  const names = experiment.observables.map((observable) => observable.name);
  if (names.includes(prediction.observable)) return;
  const isParam = experiment.params.some((param) => param.name === prediction.observable);
  const hint = isParam
    ? ` ('${prediction.observable}' is a @param)`
    : didYouMean(prediction.observable, names);
  const declared = names.length
    ? `its observables are ${names.map((n) => `'${n}'`).join(', ')}`
    : 'it has none';
  const message = `Prediction '${prediction.name}' is of '${prediction.observable}', which is not an observable of '${experiment.name}'${hint}; ${declared}.`;
  report(context, 'observable-unknown', prediction.observableRange, message);
}
