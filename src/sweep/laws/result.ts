import { z } from 'zod';

/**
 * What evaluating one sweep-level law gives (src/sweep/laws.ts): a score shaped like a run-level
 * PredictionScore (src/protocol/score.ts: kind, tolerance, value, pass), what it was computed from, and an
 * overlay for the sweep panel's chart of y against x. Stored in `<sweep>/laws.json` (src/sweep/sweepStore.ts).
 *
 * Score kinds and their pass rules:
 * - `maxRelError`: largest |predicted - measured| / |measured| over the held-out points, pass if <= tolerance;
 * - `slopeInBand`: a fitted slope, pass if band[0] <= value <= band[1] (tolerance: the band's half-width);
 * - `accuracy`: the fraction of points classified right, pass if >= tolerance;
 * - `maxAbsDeviation`: the largest |ratio - 1|, pass if <= tolerance;
 * - `factor`: a ratio, pass if 1/tolerance <= value <= tolerance;
 * - `spreadRatio`: a spread after over before, pass if <= tolerance.
 */
export const LAW_SCORE_KINDS = [
  'maxRelError',
  'slopeInBand',
  'accuracy',
  'maxAbsDeviation',
  'factor',
  'spreadRatio',
] as const;
export const LawScoreKind = z.enum(LAW_SCORE_KINDS);
export type LawScoreKind = z.infer<typeof LawScoreKind>;

/** A curve of the overlay: the predicted y over x, possibly with a band (lo, hi). */
export const LawCurve = z.object({
  label: z.string(),
  x: z.array(z.number()),
  y: z.array(z.number()),
  lo: z.array(z.number()).optional(),
  hi: z.array(z.number()).optional(),
});
export type LawCurve = z.infer<typeof LawCurve>;

/** One marker of the overlay: a point (or a group of seeds: `indices`) with its measured and predicted y. */
export const LawMarker = z.object({
  /** The sweep points it stands for (the seeds of one cell); empty for a derived marker (an optimum). */
  indices: z.array(z.number().int()),
  label: z.string().optional(),
  x: z.number(),
  observed: z.number().nullable(),
  predicted: z.number().nullable(),
  /** For scaling laws: the point was held out of the fit (the extrapolation is scored on it). */
  heldOut: z.boolean().optional(),
  /** For classifications: the point is classified right. */
  pass: z.boolean().optional(),
});
export type LawMarker = z.infer<typeof LawMarker>;

/** A reference line: `axis: 'x'` is a vertical line at x = at (e.g. 2/lambda0), `'y'` a horizontal one. */
export const LawLine = z.object({ axis: z.enum(['x', 'y']), at: z.number(), label: z.string() });
export type LawLine = z.infer<typeof LawLine>;

/** What the sweep panel draws over its chart of `y` against `x` (names of fields or axis labels). */
export const LawOverlay = z.object({
  x: z.string(),
  y: z.string(),
  logX: z.boolean(),
  logY: z.boolean(),
  curves: z.array(LawCurve),
  points: z.array(LawMarker),
  lines: z.array(LawLine),
});
export type LawOverlay = z.infer<typeof LawOverlay>;

export const LawResult = z.object({
  name: z.string(),
  law: z.string(),
  score: LawScoreKind,
  tolerance: z.number(),
  /** For `slopeInBand`: the band that passes. */
  band: z.tuple([z.number(), z.number()]).optional(),
  /** The score's value; null when the law could not be evaluated (then `problem` says why, and it fails). */
  value: z.number().nullable(),
  pass: z.boolean(),
  /** How many runs (sweep points) entered the law, and how many of the selected ones were left out. */
  points: z.number().int().nonnegative(),
  excluded: z.number().int().nonnegative(),
  problem: z.string().nullable(),
  /** Things a reader should know: points left out and why, optima at the edge of a grid. */
  notes: z.array(z.string()),
  /** The fitted parameters, intervals, per-point values: law-specific, JSON. */
  detail: z.record(z.string(), z.unknown()),
  overlay: LawOverlay.nullable(),
});
export type LawResult = z.infer<typeof LawResult>;

/** The laws of a sweep as evaluated at `evaluatedAt`, from the points then recorded. */
export const SweepLaws = z.object({
  evaluatedAt: z.string(),
  laws: z.array(LawResult),
});
export type SweepLaws = z.infer<typeof SweepLaws>;
