/**
 * A small SVG line chart for hovers: the measured series solid, the prediction dashed, on shared axes.
 * VS Code hovers render images but not inline SVG tags, so the result is meant for a data URI.
 */
export interface SparklineInput {
  measured: { step: ArrayLike<number>; value: ArrayLike<number> };
  predicted?: { step: ArrayLike<number>; value: ArrayLike<number> };
  width?: number;
  height?: number;
  /** CSS colours; hovers cannot read theme variables, so pick ones legible on light and dark. */
  colors?: { measured: string; predicted: string };
}

const MAX_POINTS = 200;

/** Every k-th finite point, so a long series stays a small image. */
function thin(series: { step: ArrayLike<number>; value: ArrayLike<number> }): Array<[number, number]> {
  const n = series.step.length;
  const stride = Math.max(1, Math.ceil(n / MAX_POINTS));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i += stride) {
    if (Number.isFinite(series.value[i])) out.push([series.step[i], series.value[i]]);
  }
  if (n > 0 && (n - 1) % stride !== 0 && Number.isFinite(series.value[n - 1]))
    out.push([series.step[n - 1], series.value[n - 1]]);
  return out;
}

export function sparklineSvg(input: SparklineInput): string {
  const width = input.width ?? 240;
  const height = input.height ?? 60;
  const colors = input.colors ?? { measured: '#3794ff', predicted: '#d18616' };
  const lines = [thin(input.measured), input.predicted ? thin(input.predicted) : []];
  const all = lines.flat();
  if (all.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"/>`;
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x: number) => (x1 > x0 ? ((x - x0) / (x1 - x0)) * (width - 4) + 2 : width / 2);
  const sy = (y: number) => (y1 > y0 ? height - 2 - ((y - y0) / (y1 - y0)) * (height - 4) : height / 2);
  const path = (points: Array<[number, number]>) =>
    points.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
  const [measured, predicted] = lines;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    predicted.length
      ? `<path d="${path(predicted)}" fill="none" stroke="${colors.predicted}" stroke-width="1.5" stroke-dasharray="4 3"/>`
      : '',
    measured.length
      ? `<path d="${path(measured)}" fill="none" stroke="${colors.measured}" stroke-width="1.5"/>`
      : '',
    '</svg>',
  ].join('');
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
