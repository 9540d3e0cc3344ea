import type ts from 'typescript';
import type { DiagnosticCode } from './codes';
import { rangeIn, report, type DiscoveryContext } from './context';
import { sdkDecoratorsOf, type SdkDecorator } from './decorators';
import type { SdkDecoratorName } from './imports';
import { isCallableMember, isInstanceField, isInstanceMethod, memberName } from './names';
import { readObservableOptions } from './observableOptions';
import { readParam } from './params';
import { readPredictionArguments } from './predictionOptions';
import type { ObservableDecl, ParamDecl, PredictionDecl, Range } from './types';

/** What the members of an experiment class declare. */
export interface ClassMembers {
  params: ParamDecl[];
  observables: ObservableDecl[];
  predictions: PredictionDecl[];
  hasSetup: boolean;
  hasStep: boolean;
}

/**
 * Reads the members of an experiment class, reporting misused decorators. Members with computed names are
 * skipped: their names are only known at run time.
 */
export function readMembers(context: DiscoveryContext, node: ts.ClassLikeDeclaration): ClassMembers {
  const members: ClassMembers = {
    params: [],
    observables: [],
    predictions: [],
    hasSetup: false,
    hasStep: false,
  };
  for (const member of node.members) {
    const name = memberName(member);
    members.hasSetup ||= name === 'setup' && isCallableMember(member);
    members.hasStep ||= name === 'step' && isCallableMember(member);
    const use = soleSdkDecorator(context, member);
    if (use && name !== undefined) readDecoratedMember(context, use, member, name, members);
  }
  return members;
}

/** The first SDK decorator of `node`; any further one is reported, since one node can play one role. */
function soleSdkDecorator(context: DiscoveryContext, node: ts.Node): SdkDecorator | undefined {
  const [first, ...others] = sdkDecoratorsOf(node, context.imports);
  for (const other of others) reportConflict(context, other, first.name);
  return first;
}

/** Reports `use`, which shares its declaration with `@kept`, the decorator that counts. */
export function reportConflict(context: DiscoveryContext, use: SdkDecorator, kept: SdkDecoratorName): void {
  const message =
    use.name === kept
      ? `@${kept} is repeated; only the first one counts.`
      : `@${use.name} cannot be combined with @${kept} on the same declaration; only @${kept} counts.`;
  report(context, 'conflicting-decorators', use.node, message);
}

/** Adds the param, observable or prediction that `member` declares with `use`, or reports a misplaced decorator. */
function readDecoratedMember(
  context: DiscoveryContext,
  use: SdkDecorator,
  member: ts.ClassElement,
  name: string,
  into: ClassMembers,
): void {
  if (use.name === 'param' && isInstanceField(member)) {
    pushDefined(into.params, readParam(context, use, member, name));
  } else if (use.name === 'observable' && isInstanceMethod(member)) {
    const options = readObservableOptions(context, use, name);
    into.observables.push({ name, ...options, ...memberRanges(context, member) });
  } else if (use.name === 'prediction' && isInstanceMethod(member)) {
    pushDefined(into.predictions, readPrediction(context, use, member, name));
  } else {
    reportMisplaced(context, use, `'${name}'`);
  }
}

/** The prediction `method` declares with `use`; undefined (reported) when it names no observable. */
function readPrediction(
  context: DiscoveryContext,
  use: SdkDecorator,
  method: ts.MethodDeclaration,
  name: string,
): PredictionDecl | undefined {
  const { observable, ...options } = readPredictionArguments(context, use, name);
  if (!observable) return undefined;
  const observableRange = rangeIn(context, observable.node);
  return { name, observable: observable.name, ...options, ...memberRanges(context, method), observableRange };
}

const placements: Record<SdkDecoratorName, { code: MisplacedCode; belongs: string }> = {
  experiment: { code: 'experiment-not-on-class', belongs: 'a class' },
  param: { code: 'param-not-on-field', belongs: 'an instance field with a default (@param lr = 0.01;)' },
  observable: { code: 'observable-not-on-method', belongs: 'an instance method' },
  prediction: { code: 'prediction-not-on-method', belongs: 'an instance method' },
};
type MisplacedCode = Extract<DiagnosticCode, `${string}-not-on-${string}`>;

/** Reports `use` on something it does not belong on; `target` names that thing ("'lr'", "class 'Foo'"). */
export function reportMisplaced(context: DiscoveryContext, use: SdkDecorator, target: string): void {
  const { code, belongs } = placements[use.name];
  report(context, code, use.node, `@${use.name} belongs on ${belongs}, not on ${target}.`);
}

/** Reports the SDK decorators on the members of a class that is not an experiment: they have no effect. */
export function reportMembersOutsideExperiment(
  context: DiscoveryContext,
  node: ts.ClassLikeDeclaration,
  className: string,
): void {
  for (const member of node.members) {
    const use = soleSdkDecorator(context, member);
    if (!use) continue;
    const target = `'${memberName(member) ?? 'a member with a computed name'}'`;
    if (use.name === 'experiment') {
      reportMisplaced(context, use, target);
      continue;
    }
    const message = `@${use.name} on ${target} has no effect: class '${className}' is not an @experiment.`;
    report(context, 'member-outside-experiment', use.node, message);
  }
}

/** The ranges of a whole member and of its name. */
function memberRanges(
  context: DiscoveryContext,
  member: ts.ClassElement & { name: ts.PropertyName },
): { range: Range; nameRange: Range } {
  return { range: rangeIn(context, member), nameRange: rangeIn(context, member.name) };
}

function pushDefined<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}
