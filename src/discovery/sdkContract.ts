import { ScoreKind } from '../protocol/score';

/**
 * The parts of the SDK's decorator contract that discovery checks statically (src/sdk enforces the same at run
 * time): the option keys each decorator accepts and the score kinds. Default tolerances come from
 * `defaultTolerance` in src/series/agreement.ts, which the SDK uses too.
 */
export const experimentOptionKeys = ['title', 'steps', 'description', 'replay'] as const;
export const observableOptionKeys = ['every', 'atEnd'] as const;
export const predictionOptionKeys = ['score', 'tolerance', 'curve'] as const;

export const scoreKinds: readonly ScoreKind[] = ScoreKind.options;
export const defaultScore: ScoreKind = 'r2';

export function isScoreKind(value: unknown): value is ScoreKind {
  return ScoreKind.safeParse(value).success;
}
