/** Colour arithmetic on the `rgb()/rgba()` strings that `getComputedStyle` returns. */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parses `rgb(r, g, b)`, `rgba(r, g, b, a)` or the space-separated form; black when it cannot. */
export function parseRgb(css: string): Rgba {
  const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)/.exec(css);
  if (!m) return { r: 0, g: 0, b: 0, a: 1 };
  const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  return { r: +m[1], g: +m[2], b: +m[3], a: alpha };
}

export function rgba(c: Rgba, alpha = c.a): string {
  return `rgba(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)}, ${alpha})`;
}

/** Relative luminance (WCAG), 0 for black to 1 for white. */
export function luminance(c: Rgba): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/**
 * Shade `index` of `count` of a run colour, for the components of a vector observable. The hue stays the
 * run's (a turn of a few degrees at most); the lightness spreads from the most contrasting shade (component
 * 0, the leading one) toward the background, within bounds that keep every shade legible and leave room
 * for theory curves (tinted toward the foreground): on a dark background from lightness 0.70 down to 0.42, on a
 * light one from 0.32 up to 0.62.
 */
export function shade(base: Rgba, index: number, count: number, darkBackground: boolean): Rgba {
  if (count <= 1) return base;
  const t = index / (count - 1);
  const [h, s] = toHsl(base);
  const [from, to] = darkBackground ? [0.7, 0.42] : [0.32, 0.62];
  return { ...fromHsl(h + 6 * t, Math.min(1, s), from + (to - from) * t), a: base.a };
}

/** The colour a fraction `t` of the way from `a` to `b`. */
export function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return {
    r: a.r + (b.r - a.r) * t,
    g: a.g + (b.g - a.g) * t,
    b: a.b + (b.b - a.b) * t,
    a: a.a + (b.a - a.a) * t,
  };
}

function toHsl({ r, g, b }: Rgba): [number, number, number] {
  const [R, G, B] = [r / 255, g / 255, b / 255];
  const max = Math.max(R, G, B);
  const min = Math.min(R, G, B);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === R ? (G - B) / d + (G < B ? 6 : 0) : max === G ? (B - R) / d + 2 : (R - G) / d + 4;
  return [h * 60, s, l];
}

function fromHsl(h: number, s: number, l: number): Rgba {
  const hue = (((h % 360) + 360) % 360) / 360;
  if (s === 0) return { r: l * 255, g: l * 255, b: l * 255, a: 1 };
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number) => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (u < 1 / 6) return p + (q - p) * 6 * u;
    if (u < 1 / 2) return q;
    if (u < 2 / 3) return p + (q - p) * (2 / 3 - u) * 6;
    return p;
  };
  return { r: channel(hue + 1 / 3) * 255, g: channel(hue) * 255, b: channel(hue - 1 / 3) * 255, a: 1 };
}
