import type { ObservableDefinition } from '../sdk/definition';

/**
 * When an observable is sampled, counting completed steps: at 0 (after setup, before the first step), at
 * every multiple of `every`, and at the last step, so every run's final values are exact. An `atEnd`-only
 * observable is sampled at the last step alone.
 */
export function isSampleStep(o: ObservableDefinition, step: number, steps: number): boolean {
  if (step === steps) return o.atEnd || o.every !== null;
  return o.every !== null && step % o.every === 0;
}

/** Every step at which `o` will be sampled if the run goes to its end, ascending. */
export function sampleSteps(o: ObservableDefinition, steps: number): number[] {
  const out: number[] = [];
  if (o.every !== null) for (let s = 0; s < steps; s += o.every) out.push(s);
  if (isSampleStep(o, steps, steps)) out.push(steps);
  return out;
}

/** The first step after `after` at which any of `observables` is sampled; Infinity when none is left. */
export function nextSampleStep(
  observables: readonly ObservableDefinition[],
  after: number,
  steps: number,
): number {
  let next = Infinity;
  for (const o of observables) {
    const cadence = o.every === null ? Infinity : (Math.floor(after / o.every) + 1) * o.every;
    const candidate = Math.min(cadence, o.every !== null || o.atEnd ? steps : Infinity);
    if (candidate > after) next = Math.min(next, candidate);
  }
  return next;
}
