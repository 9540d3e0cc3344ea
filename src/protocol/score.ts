import { z } from 'zod';
import { SCORE_KINDS } from './scoreKinds';

/**
 * How a prediction's agreement with its observable is scored. Each kind yields one number and a pass rule:
 * - `r2`: coefficient of determination of the measured series against the prediction, pass if >= tolerance;
 * - `r2log`: the same on log10 of both (samples where either is <= 0 are left out), pass if >= tolerance;
 * - `maxRelError`: max_i |y_i - p_i| / max(|p_i|, floor), pass if <= tolerance;
 * - `ratio`: last measured value / reference (the prediction's value), pass if |ratio - 1| <= tolerance;
 * - `band`: at the last step, how far the measured value lies outside the prediction's band {lo, hi}, in units
 *   of the band's half-width (0 inside), pass if <= tolerance (default 0): for limits such as "NC1 < 0.1" or
 *   "2 <= alpha <= 6" that a theory states as a range rather than a value.
 */
export const ScoreKind = z.enum(SCORE_KINDS);
export type ScoreKind = z.infer<typeof ScoreKind>;

export const ScoreSpec = z.object({
  score: ScoreKind,
  tolerance: z.number().finite(),
});
export type ScoreSpec = z.infer<typeof ScoreSpec>;

/** The agreement of one prediction over one series (a component of a vector observable, or a scalar one). */
export const SeriesScore = z.object({
  series: z.string(),
  value: z.number().nullable(),
  pass: z.boolean(),
  points: z.number().int().nonnegative(),
});
export type SeriesScore = z.infer<typeof SeriesScore>;

/**
 * The agreement of one prediction: `value` is the worst over its series (the lowest R^2, the largest error,
 * the ratio farthest from 1), `pass` holds when every series passes. `value` is null when nothing could be
 * compared (no overlapping samples), and then `pass` is false.
 */
export const PredictionScore = z.object({
  name: z.string(),
  observable: z.string(),
  score: ScoreKind,
  tolerance: z.number(),
  value: z.number().nullable(),
  pass: z.boolean(),
  series: z.array(SeriesScore),
});
export type PredictionScore = z.infer<typeof PredictionScore>;
