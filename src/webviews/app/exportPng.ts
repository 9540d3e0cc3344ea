import { rgba } from './colors';
import type { Theme } from './theme';

/** A chart to put in an exported image: its title, a line of detail (the badges), and its canvas. */
export interface ExportItem {
  title: string;
  detail: string;
  canvas: HTMLCanvasElement;
}

const PAD = 16;

/**
 * Composes charts into one PNG data URL on the editor background (a chart canvas alone is transparent, which
 * reads badly outside the editor): an optional heading, then the charts in `columns` columns, each under its
 * title and detail line. Drawn at the canvases' device-pixel resolution.
 */
export function composePng(
  items: readonly ExportItem[],
  theme: Theme,
  columns: number,
  heading?: string,
): string {
  const scale = window.devicePixelRatio || 1;
  const font = (px: number, weight = 'normal') => `${weight} ${px * scale}px ${theme.fontFamily}`;
  const pad = PAD * scale;
  const titleBand = 40 * scale;
  const headingBand = heading ? 36 * scale : 0;
  const cols = Math.max(1, Math.min(columns, items.length));
  const cellW = Math.max(1, ...items.map((i) => i.canvas.width));
  const cellH = Math.max(1, ...items.map((i) => i.canvas.height)) + titleBand;
  const rows = Math.ceil(items.length / cols);
  const out = document.createElement('canvas');
  out.width = pad + cols * (cellW + pad);
  out.height = pad + headingBand + rows * (cellH + pad);
  const g = out.getContext('2d') as CanvasRenderingContext2D;
  g.fillStyle = rgba(theme.background, 1);
  g.fillRect(0, 0, out.width, out.height);
  g.textBaseline = 'top';
  if (heading) {
    g.fillStyle = rgba(theme.foreground);
    g.font = font(16, '600');
    g.fillText(heading, pad, pad);
  }
  items.forEach((item, i) => {
    const x = pad + (i % cols) * (cellW + pad);
    const y = pad + headingBand + Math.floor(i / cols) * (cellH + pad);
    g.fillStyle = rgba(theme.foreground);
    g.font = font(13, '600');
    g.fillText(item.title, x, y, cellW);
    g.fillStyle = rgba(theme.muted);
    g.font = font(11);
    g.fillText(item.detail, x, y + 19 * scale, cellW);
    g.drawImage(item.canvas, x, y + titleBand);
  });
  return out.toDataURL('image/png');
}
