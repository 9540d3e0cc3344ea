/**
 * `learning-mechanics/observables`: measurements of the training process that work on any tfjs model a user
 * builds (parameters as tensors, the loss as a function of them), provided by the runner like the SDK. Each
 * function documents what it measures, its normalization, its reference and its cost.
 */
export * from '../observables/balance';
export * from '../observables/ntk';
export * from '../observables/norms';
export * from '../observables/sharpness';
export * from '../observables/noiseScale';
export * from '../observables/spectra';
export * from '../observables/collapse';
export * from '../observables/representations';
