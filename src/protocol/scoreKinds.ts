/**
 * The score kinds (see score.ts for what each means), without zod: the SDK's declarations, shipped for
 * IntelliSense in users' folders, import this module and nothing that needs a package they do not have.
 */
export const SCORE_KINDS = ['r2', 'r2log', 'maxRelError', 'ratio', 'band'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];
