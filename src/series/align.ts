/** A series as two parallel arrays: `value[i]` was recorded at training step `step[i]`. */
export interface StepSeries {
  step: ArrayLike<number>;
  value: ArrayLike<number>;
}

/** Two series restricted to the steps where both have a finite value, in ascending step order. */
export interface AlignedPairs {
  step: number[];
  measured: number[];
  predicted: number[];
}

/**
 * Pairs a measured series with a predicted one on their common steps.
 *
 * Both series must be sorted by ascending step (equal steps allowed); within one series a repeated step keeps
 * its last value, as a later write of the same step replaces an earlier one. Samples with a non-finite step are
 * dropped, and a common step is left out when either value there is not finite (NaN, +-Infinity).
 * Runs in O(n + m) by merging the two sorted step lists.
 *
 * @example
 * alignSeries({ step: [0, 1, 2], value: [5, 6, 7] }, { step: [1, 2, 2, 3], value: [1, 2, 3, 4] });
 * // => { step: [1, 2], measured: [6, 7], predicted: [1, 3] }
 */
export function alignSeries(measured: StepSeries, predicted: StepSeries): AlignedPairs {
  const a = lastValuePerStep(measured, 'measured');
  const b = lastValuePerStep(predicted, 'predicted');
  const out: AlignedPairs = { step: [], measured: [], predicted: [] };
  for (let i = 0, j = 0; i < a.step.length && j < b.step.length;) {
    if (a.step[i] < b.step[j]) i++;
    else if (a.step[i] > b.step[j]) j++;
    else {
      if (Number.isFinite(a.value[i]) && Number.isFinite(b.value[j])) {
        out.step.push(a.step[i]);
        out.measured.push(a.value[i]);
        out.predicted.push(b.value[j]);
      }
      i++;
      j++;
    }
  }
  return out;
}

/** The series with non-finite steps dropped and each run of equal steps collapsed to its last sample. */
function lastValuePerStep(series: StepSeries, role: string): { step: number[]; value: number[] } {
  const { step, value } = series;
  if (step.length !== value.length) {
    throw new RangeError(`${role} series has ${step.length} steps but ${value.length} values`);
  }
  const out = { step: [] as number[], value: [] as number[] };
  for (let i = 0; i < step.length; i++) {
    if (!Number.isFinite(step[i])) continue;
    const last = out.step.length - 1;
    if (last >= 0 && step[i] < out.step[last]) {
      throw new RangeError(
        `${role} series is not sorted by step: step ${step[i]} comes after ${out.step[last]}`,
      );
    }
    if (last >= 0 && step[i] === out.step[last]) out.value[last] = value[i];
    else {
      out.step.push(step[i]);
      out.value.push(value[i]);
    }
  }
  return out;
}
