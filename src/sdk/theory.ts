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
