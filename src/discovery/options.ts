import ts from 'typescript';
import { didYouMean } from './closest';
import { report, type DiscoveryContext } from './context';
import { evaluateConstant } from './literals';

/**
 * The options object of a decorator, e.g. `{ every: 10 }`, read into its value expressions by key. Reports
 * options that are not an object literal, entries that are not plain `key: value`, and unknown keys (listing
 * the allowed ones). `argument` undefined (no options given) reads as no entries; options that are not an
 * object literal read as undefined.
 */
export function readOptionObject(
  context: DiscoveryContext,
  argument: ts.Expression | undefined,
  decorator: string,
  allowed: readonly string[],
): Map<string, ts.Expression> | undefined {
  const entries = new Map<string, ts.Expression>();
  if (argument === undefined) return entries;
  if (!ts.isObjectLiteralExpression(argument)) {
    const example = `{ ${allowed.map((key) => `${key}: ...`).join(', ')} }`;
    const message = `The options of ${decorator} must be an object literal: ${example}.`;
    report(context, 'options-not-object', argument, message);
    return undefined;
  }
  for (const property of argument.properties) {
    const entry = readEntry(context, property, decorator);
    if (entry && checkKey(context, entry.key, decorator, allowed)) entries.set(entry.key.text, entry.value);
  }
  return entries;
}

interface Entry {
  key: ts.Identifier | ts.StringLiteral;
  value: ts.Expression;
}

/** One `key: value` (or shorthand `key`) entry; anything else (a spread, a method, a computed key) is reported. */
function readEntry(
  context: DiscoveryContext,
  property: ts.ObjectLiteralElementLike,
  decorator: string,
): Entry | undefined {
  if (ts.isShorthandPropertyAssignment(property)) return { key: property.name, value: property.name };
  if (
    ts.isPropertyAssignment(property) &&
    (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
  ) {
    return { key: property.name, value: property.initializer };
  }
  const message = `The options of ${decorator} must be written out as 'key: value' entries.`;
  report(context, 'options-not-object', property, message);
  return undefined;
}

/** Whether `key` is allowed; reports it if not. */
function checkKey(
  context: DiscoveryContext,
  key: Entry['key'],
  decorator: string,
  allowed: readonly string[],
): boolean {
  if (allowed.includes(key.text)) return true;
  const hint = didYouMean(key.text, allowed);
  const message = `Unknown option '${key.text}' of ${decorator}${hint}; allowed: ${allowed.join(', ')}.`;
  report(context, 'unknown-option', key, message);
  return false;
}

/** The source text of `node`, shortened for a message. */
export function sourceSnippet(context: DiscoveryContext, node: ts.Node): string {
  const text = node.getText(context.sourceFile).replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The types an option can be checked against, with how messages describe them. */
interface OptionTypes {
  string: string;
  boolean: boolean;
}
const optionTypeNames: Record<keyof OptionTypes, string> = {
  string: 'a string literal',
  boolean: 'true or false',
};

/**
 * The option `key` when it is a constant of `type`; reports (as 'option-invalid') a value of another type or
 * one that is not a constant. Undefined when the option is absent or invalid.
 */
export function typedOption<K extends keyof OptionTypes>(
  context: DiscoveryContext,
  entries: ReadonlyMap<string, ts.Expression>,
  key: string,
  decorator: string,
  type: K,
): OptionTypes[K] | undefined {
  const expression = entries.get(key);
  if (expression === undefined) return undefined;
  const value = evaluateConstant(expression);
  if (typeof value === type) return value as OptionTypes[K];
  const got = sourceSnippet(context, expression);
  const message = `Option '${key}' of ${decorator} must be ${optionTypeNames[type]}, got ${got}.`;
  report(context, 'option-invalid', expression, message);
  return undefined;
}

/** Whether `value` is an integer >= 1. */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
