import type { PointRecord, PointState } from './sweepStore';

/** How far a sweep is: points by state, and an ETA from the points finished in this session. */
export interface SweepProgress {
  total: number;
  counts: Record<PointState, number>;
  /** Seconds until the points still to run are done, at this session's pace; null before a point finished. */
  etaSeconds: number | null;
}

/**
 * `finishedThisSession` points took `elapsedSeconds` of wall time with `workers` in parallel: the remaining
 * (pending and running) points are expected at the same pace.
 */
export function sweepProgress(
  points: PointRecord[],
  finishedThisSession: number,
  elapsedSeconds: number,
): SweepProgress {
  const counts: Record<PointState, number> = {
    pending: 0,
    running: 0,
    completed: 0,
    failed: 0,
    diverged: 0,
    cancelled: 0,
  };
  for (const p of points) counts[p.state]++;
  const remaining = counts.pending + counts.running + counts.cancelled;
  const etaSeconds = finishedThisSession > 0 ? (elapsedSeconds / finishedThisSession) * remaining : null;
  return { total: points.length, counts, etaSeconds };
}

/** One line: `7/16 done (1 diverged), 2 running, 1 failed, ETA 1m 20s`. */
export function formatSweepProgress(progress: SweepProgress, formatSeconds: (s: number) => string): string {
  const { counts, total, etaSeconds } = progress;
  const done = counts.completed + counts.diverged;
  const parts = [`${done}/${total} done${counts.diverged ? ` (${counts.diverged} diverged)` : ''}`];
  if (counts.running) parts.push(`${counts.running} running`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (etaSeconds !== null && counts.pending + counts.running > 0)
    parts.push(`ETA ${formatSeconds(etaSeconds)}`);
  return parts.join(', ');
}
