import type { PredictionScore, ScoreKind } from '../../protocol/score';
import type { RunInfo } from '../../protocol/webview';
import { rgba } from './colors';
import { runName } from './datasets';
import { h } from './dom';
import { formatValue } from './format';
import type { Theme } from './theme';

const KIND_LABELS: Record<ScoreKind, string> = {
  r2: 'R²',
  r2log: 'R² log',
  maxRelError: 'max rel err',
  ratio: 'ratio',
  band: 'outside band',
};

/** The pass rule of a score kind with its tolerance: "≥ 0.99", "≤ 0.05", "|r − 1| ≤ 0.05". */
export function toleranceLabel(kind: ScoreKind, tolerance: number): string {
  const t = formatValue(tolerance, 3);
  switch (kind) {
    case 'r2':
    case 'r2log':
      return `≥ ${t}`;
    case 'maxRelError':
      return `≤ ${t}`;
    case 'ratio':
      return `|r − 1| ≤ ${t}`;
    case 'band':
      return `≤ ${t}`;
    default:
      return kind satisfies never;
  }
}

/** "saxe · R² 0.9981 ≥ 0.99 · PASS", the text of a badge (also used in exported images). */
export function badgeText(score: PredictionScore): string {
  return `${score.name} · ${scoreText(score)} · ${verdict(score)}`;
}

function scoreText(score: PredictionScore): string {
  const value = score.value === null ? '—' : formatValue(score.value, 4);
  return `${KIND_LABELS[score.score]} ${value} ${toleranceLabel(score.score, score.tolerance)}`;
}

function verdict(score: PredictionScore): 'PASS' | 'FAIL' | 'NO DATA' {
  if (score.value === null) return 'NO DATA';
  return score.pass ? 'PASS' : 'FAIL';
}

/**
 * A badge per prediction score: name, kind, value, tolerance and the verdict, coloured with the theme's test
 * pass/fail colours and marked with an icon, so it does not rely on colour alone. In a comparison each badge
 * carries its run's colour swatch. Its tooltip lists the score of every series of a vector observable.
 */
export function renderBadges(
  agreement: ReadonlyArray<{ run: string; scores: PredictionScore[] }>,
  runs: readonly RunInfo[],
  theme: Theme,
): HTMLElement[] {
  const compare = runs.length > 1;
  const byId = new Map(runs.map((r) => [r.id, r]));
  return agreement.flatMap(({ run, scores }) =>
    scores.map((score) => badge(score, compare ? byId.get(run) : undefined, theme)),
  );
}

function badge(score: PredictionScore, run: RunInfo | undefined, theme: Theme): HTMLElement {
  const v = verdict(score);
  const state = v === 'PASS' ? 'pass' : v === 'FAIL' ? 'fail' : 'pending';
  const el = h(
    'span',
    { class: `badge ${state}`, 'data-prediction': score.name },
    run ? swatch(run, theme) : null,
    h(
      'span',
      { class: 'badge-icon', 'aria-hidden': 'true' },
      state === 'pass' ? '✓' : state === 'fail' ? '✗' : '…',
    ),
    h('span', { class: 'badge-name' }, score.name),
    h('span', { class: 'badge-score' }, scoreText(score)),
    h('span', { class: 'badge-verdict' }, v),
  );
  el.title = seriesDetail(score, run);
  el.setAttribute('aria-label', `${score.name}${run ? ` (${runName(run)})` : ''}: ${badgeText(score)}`);
  return el;
}

function swatch(run: RunInfo, theme: Theme): HTMLElement {
  const el = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  el.style.backgroundColor = rgba(theme.palette[run.colorIndex % theme.palette.length]);
  return el;
}

function seriesDetail(score: PredictionScore, run: RunInfo | undefined): string {
  const head = `${score.name} on ${score.observable}${run ? ` · ${runName(run)}` : ''}`;
  const lines = score.series.map(
    (s) =>
      `${s.series}: ${s.value === null ? '—' : formatValue(s.value, 4)} ${s.pass ? '✓' : '✗'} (${s.points} points)`,
  );
  return [head, ...lines].join('\n');
}
