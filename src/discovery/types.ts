/**
 * What static discovery reports about an experiment file. Positions and ranges are zero-based and count UTF-16
 * code units, as in the Language Server Protocol, so the editor adapters can pass them to VS Code unchanged.
 */
import type { ScoreKind } from '../protocol/score';
import type { DiagnosticCode } from './codes';

export interface Position {
  line: number;
  character: number;
}

/** A span of text; `end` is exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/** The values a `@param` default may take. */
export type ParamValue = number | boolean | string | number[];
export type ParamType = 'number' | 'boolean' | 'string' | 'number[]' | 'unknown';

/** A `@param` field. `default` is undefined (and `type` 'unknown') when it is only known at run time. */
export interface ParamDecl {
  name: string;
  default: ParamValue | undefined;
  type: ParamType;
  /** The whole field, decorators included. */
  range: Range;
  nameRange: Range;
}

/** An `@observable` method, sampled every `every` steps (null: only at the end) and at the end if `atEnd`. */
export interface ObservableDecl {
  name: string;
  every: number | null;
  atEnd: boolean;
  range: Range;
  nameRange: Range;
}

/** A `@prediction` method of the observable named `observable`, with its score and defaults filled in. */
export interface PredictionDecl {
  name: string;
  observable: string;
  score: ScoreKind;
  tolerance: number;
  curve: boolean;
  range: Range;
  nameRange: Range;
  /** The string literal naming the observable. */
  observableRange: Range;
}

/** A class decorated with `@experiment`. */
export interface ExperimentDecl {
  /** The class name; 'default' for an anonymous `export default class`. */
  name: string;
  /** The `title` option, or the class name. */
  title: string;
  steps?: number;
  description?: string;
  /** The whole class, decorators included. */
  range: Range;
  /** The class name, or the `@experiment` decorator when the class has no name. */
  nameRange: Range;
  decoratorRange: Range;
  params: ParamDecl[];
  observables: ObservableDecl[];
  predictions: PredictionDecl[];
  hasSetup: boolean;
  hasStep: boolean;
  exported: boolean;
}

export type Severity = 'error' | 'warning' | 'info';

export interface DiscoveryDiagnostic {
  message: string;
  severity: Severity;
  range: Range;
  code: DiagnosticCode;
}

export interface Discovery {
  experiments: ExperimentDecl[];
  /** Sorted by position. */
  diagnostics: DiscoveryDiagnostic[];
}
