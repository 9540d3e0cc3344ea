import * as vscode from 'vscode';
import { componentName } from '../protocol/series';
import type { SeriesData } from '../store/seriesData';
import { num } from '../series/format';
import { DiscoveryCache } from './discoveryCache';
import type { Lab } from './lab';

const DEBOUNCE_MS = 250;

/** While a run goes, the latest value of each observable at the end of its declaration line. */
export class InlineValues implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      margin: '0 0 0 2em',
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly lab: Lab,
    private readonly discovery: DiscoveryCache,
  ) {
    this.subscriptions = [
      lab.onDidChangeRun(() => this.schedule()),
      lab.onDidEndRun(() => this.schedule()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
    ];
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      vscode.window.visibleTextEditors.forEach((e) => this.render(e));
    }, DEBOUNCE_MS);
  }

  private render(editor: vscode.TextEditor): void {
    const runs = this.lab.manager
      .active()
      .filter((r) => r.state === 'running' && r.spec.file === editor.document.fileName);
    const options: vscode.DecorationOptions[] = [];
    for (const run of runs) {
      if (run.state !== 'running') continue;
      const experiment = this.discovery
        .get(editor.document)
        .experiments.find((e) => e.name === run.manifest.experiment);
      const series = run.series.views();
      for (const o of experiment?.observables ?? []) {
        const text = latestText(series, o.name);
        if (!text) continue;
        const line = editor.document.lineAt(o.nameRange.start.line);
        options.push({
          range: line.range,
          renderOptions: { after: { contentText: `${text}  · step ${run.step}` } },
        });
      }
    }
    editor.setDecorations(this.type, options);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscriptions.forEach((s) => s.dispose());
    this.type.dispose();
  }
}

function last(s: SeriesData | undefined): number | undefined {
  return s && s.value.length ? s.value[s.value.length - 1] : undefined;
}

/** `= 0.0123` for a scalar, `= [6, 4, 2.9, ...]` for a vector observable. */
export function latestText(series: Map<string, SeriesData>, observable: string): string | undefined {
  const scalar = last(series.get(observable));
  if (scalar !== undefined) return `= ${num(scalar)}`;
  const values: string[] = [];
  for (let i = 0; series.has(componentName(observable, i)); i++)
    values.push(num(last(series.get(componentName(observable, i)))));
  if (values.length === 0) return undefined;
  return `= [${values.slice(0, 6).join(', ')}${values.length > 6 ? ', ...' : ''}]`;
}
