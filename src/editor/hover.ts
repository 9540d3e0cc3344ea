import * as vscode from 'vscode';
import { findObservableAt } from '../discovery/findObservableAt';
import type { RunData, RunSnapshot } from '../host/runData';
import { componentName, predictionSeriesName } from '../protocol/series';
import { sparklineSvg, svgDataUri } from '../series/sparkline';
import type { SeriesData } from '../store/seriesData';
import { num } from '../series/format';
import type { DiscoveryCache } from './discoveryCache';
import type { Lab } from './lab';
import { latestRun } from './latestRun';

const MAX_COMPONENTS = 6;

/**
 * Hovering an observable's declaration: its latest value (the running run's, else the last run's), min and
 * max, the step, a sparkline with the prediction overlaid, and the agreement of its predictions.
 */
export class ObservableHover implements vscode.HoverProvider {
  constructor(
    private readonly lab: Lab,
    private readonly discovery: DiscoveryCache,
    private readonly data: RunData,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const at = findObservableAt(this.discovery.get(document), position.line, position.character);
    if (!at) return undefined;
    const { experiment, observable } = at;
    const md = new vscode.MarkdownString(`**${observable.name}** · observable of ${experiment.name}\n\n`);
    let run: RunSnapshot | undefined;
    try {
      run = latestRun(this.lab, this.data, document.fileName, experiment.name);
    } catch (error) {
      md.appendMarkdown(`_The last run cannot be read: ${(error as Error).message}_`);
      return new vscode.Hover(md);
    }
    if (!run) {
      md.appendMarkdown('_No run yet: run the experiment to see its values here._');
      return new vscode.Hover(md);
    }
    appendRun(md, run, observable.name);
    return new vscode.Hover(md);
  }
}

function appendRun(md: vscode.MarkdownString, run: RunSnapshot, observable: string): void {
  const { manifest, series } = run;
  md.appendMarkdown(
    `Run \`${manifest.id}\` · ${run.live ? 'running' : manifest.status} · step ${manifest.step}/${manifest.steps}\n\n`,
  );
  const names = series.has(observable)
    ? [observable]
    : Array.from({ length: MAX_COMPONENTS }, (_, i) => componentName(observable, i)).filter((n) =>
        series.has(n),
      );
  if (names.length === 0) {
    md.appendMarkdown('_Not sampled yet._');
    return;
  }
  const predictions = manifest.predictions.filter((p) => p.observable === observable);
  md.appendMarkdown('| series | last | min | max | step |\n|---|---:|---:|---:|---:|\n');
  for (const name of names) md.appendMarkdown(row(name, series.get(name)!));
  md.appendMarkdown('\n');
  for (const name of names) {
    const predicted = predictions[0] && series.get(predictionSeriesName(name, predictions[0].name));
    md.appendMarkdown(`![${name}](${svgDataUri(sparklineSvg({ measured: series.get(name)!, predicted }))}) `);
  }
  for (const score of manifest.agreement.filter((a) => a.observable === observable)) {
    const verdict = score.pass ? '$(pass) PASS' : '$(error) FAIL';
    md.appendMarkdown(
      `\n\n${verdict} **${score.name}**: ${score.score} = ${num(score.value)} (tolerance ${num(score.tolerance)})`,
    );
  }
  md.supportThemeIcons = true;
}

function row(name: string, s: SeriesData): string {
  let [min, max] = [Infinity, -Infinity];
  for (const v of s.value) if (Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
  const last = s.value.length - 1;
  return `| ${name} | ${num(s.value[last])} | ${num(min)} | ${num(max)} | ${s.step[last]} |\n`;
}
