/**
 * `learning-mechanics/theory`: the predictions experiment files overlay, provided by the runner like the SDK.
 * Each function documents its formula, normalization and reference (see ../theory/).
 */
export {
  balancedGdModes,
  depth2EffectiveS0,
  depth2SequentialS0,
  integrateModes,
  modeOdeRate,
  predictedLoss,
  saxeHalfTime,
  saxeMode,
} from '../theory/deepLinear';
export { linearRegressionGd } from '../theory/linearRegression';
export type { LinearRegressionDynamics } from '../theory/linearRegression';
export * from '../theory/saddleToSaddle';
export * from '../theory/conservation';
export * from '../theory/diagonalLinear';
export * from '../theory/catapult';
export * from '../theory/linearizedNtk';
export * from '../theory/alignment';
export * from '../theory/infiniteWidth';
export * from '../theory/signalPropagation';
export * from '../theory/muP';
export * from '../theory/angularUpdate';
export * from '../theory/eigenlearning';
export * from '../theory/scalingLaw';
export * from '../theory/edgeOfStability';
export * from '../theory/criticalBatch';
export * from '../theory/heavyTails';
export * from '../theory/neuralCollapse';
