/**
 * `learning-mechanics`: what experiment files import. The runner provides this module to the experiment, so a
 * file in any folder runs without installing anything.
 */
export { experiment, param, observable, prediction, sweep, linspace, logspace } from './decorators';
export type {
  Band,
  ExperimentOptions,
  ObservableOptions,
  ParamValue,
  PredictionOptions,
  PredictionValue,
  SweepOptions,
  SweepRange,
  SweepSummary,
  SweepLaw,
  PowerLawLaw,
  ChinchillaLaw,
  LrTransferLaw,
  CatapultPhasesLaw,
  EdgeOfStabilityLaw,
  CriticalBatchLaw,
  CollapseLaw,
} from './definition';
