import ts from 'typescript';
import type { ScoreKind } from '../protocol/score';
import { defaultTolerance } from '../series/agreement';
import { didYouMean } from './closest';
import { report, type DiscoveryContext } from './context';
import type { SdkDecorator } from './decorators';
import { evaluateConstant } from './literals';
import { readOptionObject, sourceSnippet, typedOption } from './options';
import { defaultScore, isScoreKind, predictionOptionKeys, scoreKinds } from './sdkContract';

/** The arguments of `@prediction(observable, { score, tolerance, curve })`, defaults filled in. */
export interface PredictionArguments {
  /** The observable's name and its string literal; undefined (reported) when it is missing or not a literal. */
  observable: { name: string; node: ts.StringLiteralLike } | undefined;
  score: ScoreKind;
  tolerance: number;
  curve: boolean;
}

/** Reads the arguments of `@prediction` on the method `name`. */
export function readPredictionArguments(
  context: DiscoveryContext,
  use: SdkDecorator,
  name: string,
): PredictionArguments {
  const entries = readOptionObject(context, use.args?.[1], '@prediction', predictionOptionKeys) ?? new Map();
  const score = readScore(context, entries.get('score'), name) ?? defaultScore;
  return {
    observable: readObservableName(context, use, name),
    score,
    tolerance: readTolerance(context, entries.get('tolerance'), name) ?? defaultTolerance(score),
    curve: typedOption(context, entries, 'curve', '@prediction', 'boolean') ?? false,
  };
}

/** The first argument, which must be a string literal naming an observable of the class. */
function readObservableName(
  context: DiscoveryContext,
  use: SdkDecorator,
  name: string,
): PredictionArguments['observable'] {
  const argument = use.args?.[0];
  if (argument && ts.isStringLiteralLike(argument)) return { name: argument.text, node: argument };
  const message = argument
    ? `The observable of prediction '${name}' must be a string literal naming an observable of the class, got ${sourceSnippet(context, argument)}.`
    : `@prediction on '${name}' needs the name of the observable it predicts: @prediction('loss').`;
  report(context, 'observable-name-invalid', argument ?? use.node, message);
  return undefined;
}

/** `score` when it is one of the score kinds. */
function readScore(
  context: DiscoveryContext,
  value: ts.Expression | undefined,
  name: string,
): ScoreKind | undefined {
  if (value === undefined) return undefined;
  const score = evaluateConstant(value);
  if (isScoreKind(score)) return score;
  const hint = typeof score === 'string' ? didYouMean(score, scoreKinds) : '';
  const message = `Unknown score ${sourceSnippet(context, value)} of prediction '${name}'${hint}; allowed: ${scoreKinds.join(', ')}.`;
  report(context, 'score-unknown', value, message);
  return undefined;
}

/** `tolerance` when it is a finite number. */
function readTolerance(
  context: DiscoveryContext,
  value: ts.Expression | undefined,
  name: string,
): number | undefined {
  if (value === undefined) return undefined;
  const tolerance = evaluateConstant(value);
  if (typeof tolerance === 'number' && Number.isFinite(tolerance)) return tolerance;
  const message = `'tolerance' of prediction '${name}' must be a finite number literal, got ${sourceSnippet(context, value)}.`;
  report(context, 'tolerance-invalid', value, message);
  return undefined;
}
