import { luminance, parseRgb, type Rgba } from './colors';

/** The colours and font the charts draw with, read from VS Code's `--vscode-*` variables. */
export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast';
  background: Rgba;
  foreground: Rgba;
  muted: Rgba;
  border: Rgba;
  tooltipBackground: Rgba;
  tooltipForeground: Rgba;
  tooltipBorder: Rgba;
  focus: Rgba;
  /** Run colours, in the order runs take them (colorIndex modulo the length). */
  palette: Rgba[];
  fontFamily: string;
  fontSize: number;
}

/** Run colours: the theme's chart palette; red comes last so it is not read as a failure. */
const PALETTE = ['blue', 'orange', 'green', 'purple', 'yellow', 'red'].map((c) => `--vscode-charts-${c}`);

/**
 * Reads the theme through a hidden probe element: its computed `color` resolves a `var(--vscode-*)` (with a
 * fallback to another VS Code variable) to `rgb()/rgba()`, whatever form the theme wrote it in.
 */
export function readTheme(): Theme {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  document.body.append(probe);
  const color = (value: string): Rgba => {
    probe.style.color = '';
    probe.style.color = value;
    return parseRgb(getComputedStyle(probe).color);
  };
  const foreground = color('var(--vscode-editor-foreground, var(--vscode-foreground))');
  const theme: Theme = {
    kind: themeKind(),
    background: color('var(--vscode-editor-background)'),
    foreground,
    muted: color('var(--vscode-descriptionForeground, var(--vscode-editor-foreground))'),
    border: color('var(--vscode-widget-border, var(--vscode-panel-border, var(--vscode-editor-foreground)))'),
    tooltipBackground: color('var(--vscode-editorHoverWidget-background, var(--vscode-editor-background))'),
    tooltipForeground: color('var(--vscode-editorHoverWidget-foreground, var(--vscode-editor-foreground))'),
    tooltipBorder: color('var(--vscode-editorHoverWidget-border, var(--vscode-widget-border))'),
    focus: color('var(--vscode-focusBorder)'),
    palette: PALETTE.map((name) => color(`var(${name}, var(--vscode-editor-foreground))`)),
    fontFamily: cssVariable('--vscode-font-family') || 'system-ui, sans-serif',
    fontSize: parseFloat(cssVariable('--vscode-font-size')) || 13,
  };
  probe.remove();
  return theme;
}

/** Calls `onChange` whenever VS Code switches theme (body class) or rewrites its variables (html style). */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}

export function isDark(theme: Theme): boolean {
  return luminance(theme.background) < 0.4;
}

function themeKind(): Theme['kind'] {
  const classes = document.body.classList;
  if (classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light')) {
    return 'high-contrast';
  }
  return classes.contains('vscode-light') ? 'light' : 'dark';
}

function cssVariable(name: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim();
}
