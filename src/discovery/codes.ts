import type { Severity } from './types';

/**
 * Every diagnostic discovery reports, by code, with its severity. Codes are stable: the editor may key quick
 * fixes on them and tests check that each one can be produced.
 */
export const diagnosticSeverities = {
  /** The file does not parse (TypeScript's own message). */
  'syntax-error': 'error',
  /** `@experiment` without options or without `steps`. */
  'steps-missing': 'error',
  /** `steps` that is not a literal positive integer. */
  'steps-invalid': 'error',
  /** An experiment class without a `step` method (not reported when the class extends another). */
  'step-missing': 'error',
  /** An experiment class that is not exported. */
  'experiment-not-exported': 'info',
  /** `@experiment` on something other than a class. */
  'experiment-not-on-class': 'error',
  /** `@param` on a method or accessor. */
  'param-not-on-field': 'error',
  /** `@param` on a field without an initializer. */
  'param-missing-default': 'error',
  /** `@param(...)`: it is used bare. */
  'param-called': 'error',
  /** A default that is not a constant (a call, an identifier): known only when the experiment runs. */
  'param-default-not-literal': 'info',
  /** A constant default of a type params cannot have (an array of strings, ...): the SDK rejects it. */
  'param-default-unsupported': 'error',
  /** `@param`, `@observable` or `@prediction` in a class without `@experiment`. */
  'member-outside-experiment': 'warning',
  /** `@observable` on something other than a method. */
  'observable-not-on-method': 'error',
  /** `@prediction` on something other than a method. */
  'prediction-not-on-method': 'error',
  /** Two decorators of this module on one member. */
  'conflicting-decorators': 'error',
  /** Options that are not an object literal. */
  'options-not-object': 'error',
  /** An option key the decorator does not know (the message lists the allowed ones). */
  'unknown-option': 'error',
  /** `title`, `description`, `atEnd` or `curve` of the wrong type, or not a literal. */
  'option-invalid': 'error',
  /** `every` that is not a literal positive integer. */
  'every-invalid': 'error',
  /** `@prediction` whose first argument is missing or is not a string literal. */
  'observable-name-invalid': 'error',
  /** `@prediction` naming an observable the class does not declare (the message suggests the closest). */
  'observable-unknown': 'error',
  /** A `score` that is not one of the score kinds (the message lists them). */
  'score-unknown': 'error',
  /** A `tolerance` that is not a finite number literal. */
  'tolerance-invalid': 'error',
  /** Two params, observables or predictions of one class with the same name. */
  'duplicate-member': 'error',
  /** A `@prediction` method named like an observable of its class. */
  'prediction-name-clash': 'error',
} as const satisfies Record<string, Severity>;

export type DiagnosticCode = keyof typeof diagnosticSeverities;

export const diagnosticCodes = Object.keys(diagnosticSeverities) as DiagnosticCode[];
