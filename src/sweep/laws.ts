import seedrandom from 'seedrandom';
import type {
  CatapultPhasesLaw,
  ChinchillaLaw,
  CollapseLaw,
  CriticalBatchLaw,
  EdgeOfStabilityLaw,
  LrTransferLaw,
  PowerLawLaw,
  SweepLaw,
} from '../sdk/definition';
import { loadSeries } from '../store/runReader';
import type { ParamValue } from '../store/manifest';
import { catapultObservedPhase, catapultPhase, type CatapultPhase } from '../theory/catapult';
import { fitCriticalBatch } from '../theory/criticalBatch';
import { edgeOfStabilityThreshold } from '../theory/edgeOfStability';
import { muPWidthSlope } from '../theory/muP';
import {
  chinchillaBootstrap,
  chinchillaComputeOptimal,
  chinchillaLoss,
  scalingPowerLawFit,
  scalingPowerLawLoss,
  type ScalingRun,
} from '../theory/scalingLaw';
import { lawName } from './laws/check';
import type { LawCurve, LawLine, LawMarker, LawOverlay, LawResult, LawScoreKind } from './laws/result';
import type { PointRecord, PointState, SweepManifest } from './sweepStore';

/**
 * Sweep-level predictions ("laws", issue 5): pure functions of the points' parameters and summaries (and, for
 * `collapse` and the `loss` options, of the runs' recorded curves), evaluated in the host, never in user code,
 * so the CLI and the editor give the same numbers. Each law calls the mechanics library (src/theory/) for the
 * fit and returns a `LawResult`: a score shaped like a run-level prediction score, notes, a JSON detail and an
 * overlay for the sweep panel.
 *
 * Which points: those matching the law's `where`, completed (diverged ones too for `catapultPhases`, whose
 * divergent phase they are); a point whose field is missing or null is left out and counted in `excluded`.
 * Points differing only by seed form a cell, and the laws that fit curves use the cell's mean over seeds.
 */

/** One point as the laws see it. */
export interface LawPoint {
  index: number;
  overrides: Record<string, ParamValue>;
  seed: number;
  state: PointState;
  summary: Record<string, number | null>;
  runId: string | null;
}

export interface LawContext {
  /** The runs directory, for the laws that read curves (`collapse`, `loss` options); without it they fail. */
  runsDir?: string;
  /** Seed of the bootstraps (default 0): the same sweep gives the same intervals. */
  seed?: number;
}

/** Every law of the sweep, evaluated on its points (in the manifest's order). */
export function evaluateSweepLaws(
  manifest: SweepManifest,
  records: PointRecord[],
  context: LawContext = {},
): LawResult[] {
  const byIndex = new Map(records.map((r) => [r.index, r]));
  const points: LawPoint[] = manifest.points.map((p) => {
    const r = byIndex.get(p.index);
    return {
      index: p.index,
      overrides: p.overrides,
      seed: p.seed,
      state: r?.state ?? 'pending',
      summary: r?.summary ?? {},
      runId: r?.runId ?? null,
    };
  });
  return (manifest.spec.laws ?? []).map((law) => evaluateLaw(law, points, context));
}

/** One law on the given points; never throws: a law that cannot be evaluated fails with its `problem`. */
export function evaluateLaw(law: SweepLaw, points: LawPoint[], context: LawContext = {}): LawResult {
  const base = { name: lawName(law), law: law.law, ...scoreOf(law) };
  try {
    return sanitize({ ...base, ...evaluators[law.law](law as never, points, context) });
  } catch (error) {
    return {
      ...base,
      value: null,
      pass: false,
      points: 0,
      excluded: 0,
      problem: (error as Error).message,
      notes: [],
      detail: {},
      overlay: null,
    };
  }
}

type Evaluated = Omit<LawResult, 'name' | 'law' | 'score' | 'tolerance' | 'band'>;
type Evaluator<L> = (law: L, points: LawPoint[], context: LawContext) => Evaluated;

const evaluators: { [K in SweepLaw['law']]: Evaluator<Extract<SweepLaw, { law: K }>> } = {
  powerLaw,
  chinchilla,
  lrTransfer,
  catapultPhases,
  edgeOfStability,
  criticalBatch,
  collapse,
};

function scoreOf(law: SweepLaw): { score: LawScoreKind; tolerance: number; band?: [number, number] } {
  switch (law.law) {
    case 'powerLaw':
    case 'chinchilla':
      return { score: 'maxRelError', tolerance: law.tolerance ?? 0.1 };
    case 'lrTransfer':
      return { score: 'slopeInBand', tolerance: (law.band[1] - law.band[0]) / 2, band: law.band };
    case 'catapultPhases':
      return { score: 'accuracy', tolerance: law.tolerance ?? 1 };
    case 'edgeOfStability':
      return { score: 'maxAbsDeviation', tolerance: law.tolerance ?? 0.05 };
    case 'criticalBatch':
      return { score: 'factor', tolerance: law.tolerance ?? 3 };
    case 'collapse':
      return { score: 'spreadRatio', tolerance: law.tolerance ?? (law.against === 'seeds' ? 1 : 0.2) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Selecting and grouping points

/** A field's value at a point: the swept parameter's (a number), else the summary's (null when missing). */
export function fieldValue(point: LawPoint, name: string): number | null {
  if (name in point.overrides) {
    const v = point.overrides[name];
    if (typeof v !== 'number') throw new Error(`parameter '${name}' is ${JSON.stringify(v)}, not a number`);
    return v;
  }
  const v = point.summary[name];
  return v === undefined || v === null || !Number.isFinite(v) ? null : v;
}

interface Selection {
  used: LawPoint[];
  excluded: number;
  notes: string[];
}

/**
 * The points a law is about: matching `where`, in an accepted state, with every field finite. Throws when
 * another swept parameter than `varying` takes several values among them (their means would mix settings).
 */
function select(
  law: SweepLaw,
  points: LawPoint[],
  fields: string[],
  options: { varying: string[]; states?: PointState[] },
): Selection {
  const states = options.states ?? ['completed'];
  const matching = points.filter((p) =>
    Object.entries(law.where ?? {}).every(([k, v]) => JSON.stringify(p.overrides[k]) === JSON.stringify(v)),
  );
  if (matching.length === 0)
    throw new Error(`no point of the sweep matches where ${JSON.stringify(law.where)}`);
  const swept = [...new Set(matching.flatMap((p) => Object.keys(p.overrides)))];
  for (const name of swept) {
    if (options.varying.includes(name)) continue;
    const values = new Set(matching.map((p) => JSON.stringify(p.overrides[name])));
    if (values.size > 1) {
      throw new Error(
        `the sweep also varies '${name}' (${[...values].join(', ')}): restrict the law with where: { ${name}: ... }`,
      );
    }
  }
  const notes: string[] = [];
  const notRun = matching.filter((p) => !states.includes(p.state));
  if (notRun.length > 0) {
    const counts = countBy(notRun.map((p) => p.state));
    notes.push(`left out ${notRun.length} point(s) not ${states.join(' or ')}: ${counts}`);
  }
  const inState = matching.filter((p) => states.includes(p.state));
  const used: LawPoint[] = [];
  const missing: string[] = [];
  for (const p of inState) {
    const absent = fields.filter((f) => fieldValue(p, f) === null);
    if (absent.length === 0 || (p.state !== 'completed' && absent.every((f) => !(f in p.overrides))))
      used.push(p);
    else missing.push(`#${p.index} (${absent.join(', ')})`);
  }
  if (missing.length > 0)
    notes.push(
      `left out ${missing.length} point(s) without a finite value: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}`,
    );
  return { used, excluded: matching.length - used.length, notes };
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** Points differing only by seed: their indices, and every field's values over the seeds and their mean. */
interface Cell {
  key: string;
  points: LawPoint[];
  values: Record<string, number[]>;
  mean: Record<string, number>;
}

function cells(points: LawPoint[], fields: string[]): Cell[] {
  const byKey = new Map<string, LawPoint[]>();
  for (const p of points) {
    const key = JSON.stringify(Object.entries(p.overrides).sort(([a], [b]) => a.localeCompare(b)));
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  return [...byKey].map(([key, ps]) => {
    const values = Object.fromEntries(fields.map((f) => [f, ps.map((p) => fieldValue(p, f) as number)]));
    const mean = Object.fromEntries(fields.map((f) => [f, meanOf(values[f])]));
    return { key, points: ps, values, mean };
  });
}

const indicesOf = (c: Cell) => c.points.map((p) => p.index);

/**
 * A bootstrap draw over seeds: each cell's mean of `field` over seeds drawn with replacement. When every cell has
 * the same seeds, one draw of seeds serves every cell (seed s is one initialisation, or one task, shared by the
 * whole row, so cells are paired); otherwise each cell draws its own. Returns the resampled means by cell.
 */
function seedDraw(list: Cell[], field: string, random: () => number): (c: Cell) => number {
  const seedsOf = (c: Cell) => JSON.stringify(c.points.map((p) => p.seed).sort((a, b) => a - b));
  const paired = list.every((c) => seedsOf(c) === seedsOf(list[0]));
  if (paired) {
    const seeds = list[0].points.map((p) => p.seed);
    const drawn = seeds.map(() => seeds[Math.floor(random() * seeds.length)]);
    return (c) => meanOf(drawn.map((s) => c.values[field][c.points.findIndex((p) => p.seed === s)]));
  }
  const means = new Map(
    list.map((c) => {
      const ys = c.values[field];
      return [c, meanOf(ys.map(() => ys[Math.floor(random() * ys.length)]))];
    }),
  );
  return (c) => means.get(c) as number;
}

// ---------------------------------------------------------------------------------------------------------
// powerLaw (THEORY.md entry 13)

function powerLaw(law: PowerLawLaw, points: LawPoint[], context: LawContext): Evaluated {
  const { x, y } = law;
  const holdOut = law.holdOut ?? 1;
  const sel = select(law, points, [x, y], { varying: [x] });
  const cs = cells(sel.used, [x, y]).sort((a, b) => a.mean[x] - b.mean[x]);
  if (cs.length < holdOut + 3) {
    throw new Error(
      `a power law plus constant has 3 parameters: it needs at least ${holdOut + 3} values of '${x}' (${holdOut} held out), got ${cs.length}`,
    );
  }
  const train = cs.slice(0, cs.length - holdOut);
  const test = cs.slice(cs.length - holdOut);
  const data = (list: Cell[]) => list.map((c) => ({ x: c.mean[x], loss: c.mean[y] }));
  const fit = scalingPowerLawFit(data(train));
  const predict = (c: Cell) => scalingPowerLawLoss(fit.params, c.mean[x]);
  const heldOut = test.map((c) => {
    const predicted = predict(c);
    return {
      x: c.mean[x],
      observed: c.mean[y],
      predicted,
      relError: Math.abs(predicted - c.mean[y]) / Math.abs(c.mean[y]),
    };
  });
  const value = Math.max(...heldOut.map((h) => h.relError));

  // Bootstrap: over seeds within each x when every x has several, else over the fit's log residuals.
  const resamples = law.resamples ?? 200;
  const random = seedrandom(`lm-law-powerLaw:${context.seed ?? 0}`);
  const bySeeds = train.every((c) => c.values[y].length >= 2);
  const residuals = train.map((c) => Math.log(c.mean[y]) - Math.log(predict(c)));
  const curveX = logGrid(cs[0].mean[x], cs[cs.length - 1].mean[x], 60);
  const samples: { alpha: number; E: number; A: number; curve: number[] }[] = [];
  for (let r = 0; r < resamples; r++) {
    const draw = bySeeds ? seedDraw(train, y, random) : null;
    const resampled = train.map((c, i) => {
      if (draw) return { x: c.mean[x], loss: draw(c) };
      const e = residuals[Math.floor(random() * residuals.length)];
      return { x: c.mean[x], loss: predict(train[i]) * Math.exp(e) };
    });
    try {
      const refit = scalingPowerLawFit(resampled, { grid: false, starts: fit.bestStarts });
      samples.push({ ...refit.params, curve: curveX.map((v) => scalingPowerLawLoss(refit.params, v)) });
    } catch {
      // a degenerate resample: skipped
    }
  }
  const interval = (values: number[]) => percentiles(values, 0.025, 0.975);
  const fitted = curveX.map((v) => scalingPowerLawLoss(fit.params, v));
  const band = samples.length >= 10 ? curveX.map((_, i) => interval(samples.map((s) => s.curve[i]))) : null;
  const curve: LawCurve = {
    label: `${fit.params.E.toPrecision(3)} + ${fit.params.A.toPrecision(3)} ${x}^-${fit.params.alpha.toFixed(3)}`,
    x: curveX,
    y: fitted,
    ...(band && { lo: band.map((b) => b[0]), hi: band.map((b) => b[1]) }),
  };
  const markers: LawMarker[] = cs.map((c, i) => ({
    indices: indicesOf(c),
    x: c.mean[x],
    observed: c.mean[y],
    predicted: predict(c),
    heldOut: i >= train.length,
  }));
  return {
    value,
    pass: value <= (law.tolerance ?? 0.1),
    points: sel.used.length,
    excluded: sel.excluded,
    problem: null,
    notes: sel.notes,
    detail: {
      params: fit.params,
      objective: fit.objective,
      trainedOn: train.map((c) => c.mean[x]),
      heldOut,
      bootstrap: {
        over: bySeeds ? 'seeds' : 'residuals',
        resamples: samples.length,
        alpha: samples.length >= 10 ? interval(samples.map((s) => s.alpha)) : null,
        E: samples.length >= 10 ? interval(samples.map((s) => s.E)) : null,
        A: samples.length >= 10 ? interval(samples.map((s) => s.A)) : null,
      },
    },
    overlay: { x, y, logX: true, logY: true, curves: [curve], points: markers, lines: [] },
  };
}

// ---------------------------------------------------------------------------------------------------------
// chinchilla (THEORY.md entry 13)

function chinchilla(law: ChinchillaLaw, points: LawPoint[], context: LawContext): Evaluated {
  const { N, D, y } = law;
  const holdOut = law.holdOut ?? 1;
  const by = law.by ?? 'C';
  const sel = select(law, points, [N, D, y], { varying: [N, D] });
  const cs = cells(sel.used, [N, D, y]);
  const run = (c: Cell): ScalingRun => ({ N: c.mean[N], D: c.mean[D], loss: c.mean[y] });
  const key = (c: Cell) => (by === 'N' ? c.mean[N] : by === 'D' ? c.mean[D] : 6 * c.mean[N] * c.mean[D]);
  const keys = [...new Set(cs.map(key))].sort((a, b) => a - b);
  if (keys.length <= holdOut)
    throw new Error(`holding out the ${holdOut} largest value(s) of ${by} leaves nothing to fit`);
  const cut = keys[keys.length - holdOut];
  const train = cs.filter((c) => key(c) < cut);
  const test = cs.filter((c) => key(c) >= cut);
  if (train.length < 6) {
    throw new Error(
      `the Chinchilla form has 5 parameters: it needs at least 6 (${N}, ${D}) cells to fit, got ${train.length}`,
    );
  }
  const boot = chinchillaBootstrap(train.map(run), {
    resamples: law.resamples ?? 50,
    seed: context.seed ?? 0,
  });
  const params = boot.fit.params;
  const predict = (c: Cell) => chinchillaLoss(params, c.mean[N], c.mean[D]);
  const heldOut = test.map((c) => {
    const predicted = predict(c);
    return { ...run(c), predicted, relError: Math.abs(predicted - c.mean[y]) / Math.abs(c.mean[y]) };
  });
  const value = Math.max(...heldOut.map((h) => h.relError));
  let computeOptimal: unknown = null;
  try {
    const largest = Math.max(...cs.map((c) => 6 * c.mean[N] * c.mean[D]));
    computeOptimal = { atCompute: largest, ...chinchillaComputeOptimal(params, largest) };
  } catch (error) {
    computeOptimal = { problem: (error as Error).message };
  }
  const nValues = cs.map((c) => c.mean[N]);
  const curveN = logGrid(Math.min(...nValues), Math.max(...nValues), 40);
  const dValues = [...new Set(cs.map((c) => c.mean[D]))].sort((a, b) => a - b);
  const curves: LawCurve[] = dValues.map((d) => ({
    label: `${D} = ${fmt(d)}`,
    x: curveN,
    y: curveN.map((n) => chinchillaLoss(params, n, d)),
  }));
  const markers: LawMarker[] = cs.map((c) => ({
    indices: indicesOf(c),
    label: `${D} = ${fmt(c.mean[D])}`,
    x: c.mean[N],
    observed: c.mean[y],
    predicted: predict(c),
    heldOut: key(c) >= cut,
  }));
  const iv = (k: keyof typeof boot.intervals) => [boot.intervals[k].lo, boot.intervals[k].hi];
  return {
    value,
    pass: value <= (law.tolerance ?? 0.1),
    points: sel.used.length,
    excluded: sel.excluded,
    problem: null,
    notes: sel.notes,
    detail: {
      params,
      objective: boot.fit.objective,
      heldOutBy: by,
      heldOut,
      intervals: { E: iv('E'), A: iv('A'), B: iv('B'), alpha: iv('alpha'), beta: iv('beta') },
      computeOptimalExponents: {
        a: params.beta / (params.alpha + params.beta),
        b: params.alpha / (params.alpha + params.beta),
        aInterval: iv('a'),
        bInterval: iv('b'),
      },
      computeOptimal,
    },
    overlay: { x: N, y, logX: true, logY: true, curves, points: markers, lines: [] },
  };
}

// ---------------------------------------------------------------------------------------------------------
// lrTransfer (THEORY.md entry 17)

/** The optimum of y over log lr: a least-squares parabola on the `window` grid points around the minimum. */
export function parabolaOptimum(
  lrs: number[],
  ys: number[],
  window = 3,
): {
  lrStar: number;
  yStar: number;
  method: 'parabola' | 'gridMin';
  atEdge: boolean;
  clamped: boolean;
  coefficients: number[] | null;
  from: number;
  to: number;
} {
  const n = lrs.length;
  if (n < 3) throw new Error(`a parabola needs at least 3 learning rates, got ${n}`);
  const w = Math.min(window, n % 2 === 1 ? n : n - 1);
  let best = 0;
  for (let i = 1; i < n; i++) if (ys[i] < ys[best]) best = i;
  const start = Math.max(0, Math.min(n - w, best - (w - 1) / 2));
  const u = lrs.slice(start, start + w).map(Math.log);
  const v = ys.slice(start, start + w);
  const coefficients = quadraticFit(u, v);
  const atEdge = best === 0 || best === n - 1;
  const from = lrs[start];
  const to = lrs[start + w - 1];
  if (!coefficients || !(coefficients[0] > 0)) {
    return {
      lrStar: lrs[best],
      yStar: ys[best],
      method: 'gridMin',
      atEdge,
      clamped: false,
      coefficients,
      from,
      to,
    };
  }
  const [a, b, c] = coefficients;
  let uStar = -b / (2 * a);
  const clamped = uStar < u[0] || uStar > u[w - 1];
  uStar = Math.min(u[w - 1], Math.max(u[0], uStar));
  return {
    lrStar: Math.exp(uStar),
    yStar: a * uStar * uStar + b * uStar + c,
    method: 'parabola',
    atEdge,
    clamped,
    coefficients,
    from,
    to,
  };
}

/** Least squares y = a u^2 + b u + c: [a, b, c], or null when singular. */
function quadraticFit(u: number[], y: number[]): [number, number, number] | null {
  // Centre u for conditioning, then shift back.
  const m = meanOf(u);
  const t = u.map((v) => v - m);
  const s = (p: number) => t.reduce((acc, v) => acc + v ** p, 0);
  const sy = (p: number) => t.reduce((acc, v, i) => acc + v ** p * y[i], 0);
  const A = [
    [s(4), s(3), s(2)],
    [s(3), s(2), s(1)],
    [s(2), s(1), t.length],
  ];
  const sol = solve3(A, [sy(2), sy(1), sy(0)]);
  if (!sol) return null;
  const [a, b1, c1] = sol;
  // y = a (u - m)^2 + b1 (u - m) + c1
  return [a, b1 - 2 * a * m, a * m * m - b1 * m + c1];
}

function solve3(A: number[][], b: number[]): number[] | null {
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    if (!(Math.abs(M[pivot][col]) > 1e-300)) return null;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = M[r][col] / M[col][col];
      for (let k = col; k < 4; k++) M[r][k] -= f * M[col][k];
    }
  }
  const x = M.map((row, i) => row[3] / row[i]);
  return x.every(Number.isFinite) ? x : null;
}

function lrTransfer(law: LrTransferLaw, points: LawPoint[], context: LawContext): Evaluated {
  const { lr, width, y, band } = law;
  const window = law.window ?? 3;
  const sel = select(law, points, [lr, width, y], { varying: [lr, width] });
  const cs = cells(sel.used, [lr, width, y]);
  const widths = [...new Set(cs.map((c) => c.mean[width]))].sort((a, b) => a - b);
  if (widths.length < 2) throw new Error(`needs at least 2 values of '${width}', got ${widths.length}`);
  const perWidth = widths.map((w) =>
    cs.filter((c) => c.mean[width] === w).sort((a, b) => a.mean[lr] - b.mean[lr]),
  );
  const optimum = (list: Cell[], ys: number[]) =>
    parabolaOptimum(
      list.map((c) => c.mean[lr]),
      ys,
      window,
    );
  const optima = perWidth.map((list, k) => {
    try {
      return optimum(
        list,
        list.map((c) => c.mean[y]),
      );
    } catch (error) {
      throw new Error(`${width} = ${fmt(widths[k])}: ${(error as Error).message}`);
    }
  });
  const fit = muPWidthSlope(
    widths,
    optima.map((o) => o.lrStar),
  );
  if (!Number.isFinite(fit.slope)) throw new Error('the slope of log lr* against log width is undefined');
  const t = tQuantile975(fit.points - 2);
  const tInterval = Number.isFinite(fit.slopeStdError)
    ? [fit.slope - t * fit.slopeStdError, fit.slope + t * fit.slopeStdError]
    : null;

  // Bootstrap over seeds: resample each cell's seeds, redo every optimum and the slope.
  const resamples = law.resamples ?? 200;
  const bySeeds = cs.every((c) => c.values[y].length >= 2);
  let bootstrap: number[] | null = null;
  if (bySeeds && resamples >= 10) {
    const random = seedrandom(`lm-law-lrTransfer:${context.seed ?? 0}`);
    const slopes: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const draw = seedDraw(cs, y, random);
      const stars = perWidth.map((list) => optimum(list, list.map(draw)).lrStar);
      const s = muPWidthSlope(widths, stars).slope;
      if (Number.isFinite(s)) slopes.push(s);
    }
    if (slopes.length >= 10) bootstrap = percentiles(slopes, 0.025, 0.975);
  }
  const notes = [...sel.notes];
  optima.forEach((o, k) => {
    if (o.atEdge)
      notes.push(`${width} = ${fmt(widths[k])}: the best ${lr} is at the edge of the grid; extend the grid`);
    else if (o.method === 'gridMin')
      notes.push(`${width} = ${fmt(widths[k])}: the parabola is not convex; lr* is the grid minimum`);
  });
  const curves: LawCurve[] = optima.map((o, k) => {
    const xs = logGrid(o.from, o.to, 30);
    const [a, b, c] = o.coefficients ?? [0, 0, o.yStar];
    return {
      label: `${width} = ${fmt(widths[k])}: parabola`,
      x: xs,
      y:
        o.method === 'parabola'
          ? xs.map((v) => a * Math.log(v) ** 2 + b * Math.log(v) + c)
          : xs.map(() => o.yStar),
    };
  });
  const markers: LawMarker[] = optima.map((o, k) => ({
    indices: [],
    label: `${lr}* at ${width} = ${fmt(widths[k])}`,
    x: o.lrStar,
    observed: null,
    predicted: o.yStar,
  }));
  const geoMean = Math.exp(meanOf(optima.map((o) => Math.log(o.lrStar))));
  return {
    value: fit.slope,
    pass: fit.slope >= band[0] && fit.slope <= band[1],
    points: sel.used.length,
    excluded: sel.excluded,
    problem: null,
    notes,
    detail: {
      slope: fit.slope,
      slopeStdError: fit.slopeStdError,
      interval: bootstrap ?? tInterval,
      intervalFrom: bootstrap
        ? 'bootstrap over seeds (95%)'
        : tInterval
          ? `t interval, ${fit.points - 2} d.o.f. (95%)`
          : null,
      tInterval,
      optima: optima.map((o, k) => ({
        width: widths[k],
        lrStar: o.lrStar,
        yStar: o.yStar,
        method: o.method,
        atEdge: o.atEdge,
        clamped: o.clamped,
      })),
      spreadOctaves: Math.log2(
        Math.max(...optima.map((o) => o.lrStar)) / Math.min(...optima.map((o) => o.lrStar)),
      ),
    },
    overlay: {
      x: lr,
      y,
      logX: true,
      logY: false,
      curves,
      points: markers,
      lines: [{ axis: 'x', at: geoMean, label: `${lr}* (geometric mean over widths)` }],
    },
  };
}

/** Two-sided 95% quantile of Student's t with `dof` degrees of freedom (a table; 1.96 beyond 30). */
export function tQuantile975(dof: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
    2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
  ];
  if (dof < 1) return NaN;
  return dof <= 30 ? table[dof - 1] : 1.96;
}

// ---------------------------------------------------------------------------------------------------------
// catapultPhases (THEORY.md entry 5)

const PHASES: CatapultPhase[] = ['lazy', 'catapult', 'divergent'];

function catapultPhases(law: CatapultPhasesLaw, points: LawPoint[], context: LawContext): Evaluated {
  const { lr, lambda0 } = law;
  const fields = [lr, lambda0, ...(law.phase ? [law.phase] : [])];
  const sel = select(law, points, fields, {
    varying: [...new Set(points.flatMap((p) => Object.keys(p.overrides)))],
    states: ['completed', 'diverged'],
  });
  const notes = [...sel.notes];
  const rows: {
    index: number;
    lr: number;
    lambda0: number;
    predicted: CatapultPhase;
    observed: CatapultPhase;
  }[] = [];
  let excluded = sel.excluded;
  for (const p of sel.used) {
    const l = fieldValue(p, lr);
    const l0 = fieldValue(p, lambda0);
    if (l === null || l0 === null) {
      notes.push(`#${p.index}: no ${l === null ? lr : lambda0} recorded (diverged before it was summarised)`);
      excluded++;
      continue;
    }
    let observed: CatapultPhase;
    if (p.state === 'diverged') observed = 'divergent';
    else if (law.phase) {
      const code = fieldValue(p, law.phase) as number;
      const phase = PHASES[Math.round(code) - 1];
      if (!phase || Math.abs(code - Math.round(code)) > 1e-6) {
        notes.push(
          `#${p.index}: ${law.phase} = ${code} is not a phase code (1 lazy, 2 catapult, 3 divergent)`,
        );
        excluded++;
        continue;
      }
      observed = phase;
    } else {
      const losses = readCurve(context, p, law.loss as string).value;
      observed = catapultObservedPhase(Array.from(losses));
    }
    rows.push({
      index: p.index,
      lr: l,
      lambda0: l0,
      predicted: catapultPhase(l, l0, { upperEdge: law.upperEdge }),
      observed,
    });
  }
  if (rows.length === 0) throw new Error('no point has both a learning rate and a lambda0');
  const right = rows.filter((r) => r.predicted === r.observed).length;
  const accuracy = right / rows.length;
  const confusion = Object.fromEntries(
    PHASES.map((pred) => [
      pred,
      Object.fromEntries(
        PHASES.map((obs) => [obs, rows.filter((r) => r.predicted === pred && r.observed === obs).length]),
      ),
    ]),
  );
  const l0 = median(rows.map((r) => r.lambda0));
  const upper = law.upperEdge ?? 4;
  const code = (phase: CatapultPhase) => PHASES.indexOf(phase) + 1;
  return {
    value: accuracy,
    pass: accuracy >= (law.tolerance ?? 1),
    points: rows.length,
    excluded,
    problem: null,
    notes,
    detail: {
      lambda0Median: l0,
      edges: { catapult: 2 / l0, divergent: upper / l0 },
      confusion,
      points: rows,
    },
    overlay: {
      x: lr,
      y: law.phase ?? 'phase (1 lazy, 2 catapult, 3 divergent)',
      logX: false,
      logY: false,
      curves: [],
      points: rows.map((r) => ({
        indices: [r.index],
        x: r.lr,
        observed: code(r.observed),
        predicted: code(r.predicted),
        pass: r.observed === r.predicted,
      })),
      lines: [
        { axis: 'x', at: 2 / l0, label: `2/lambda0 (lambda0 = ${fmt(l0)})` },
        { axis: 'x', at: upper / l0, label: `${upper}/lambda0` },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// edgeOfStability (THEORY.md entry 19)

function edgeOfStability(law: EdgeOfStabilityLaw, points: LawPoint[]): Evaluated {
  const { lr, sharpness } = law;
  const optimizer = law.optimizer ?? 'gd';
  const beta = law.beta ?? 0.9;
  const sel = select(law, points, [lr, sharpness], { varying: [lr] });
  const cs = cells(sel.used, [lr, sharpness]).sort((a, b) => a.mean[lr] - b.mean[lr]);
  if (cs.length === 0) throw new Error('no point to score');
  const rows = cs.map((c) => {
    const threshold = edgeOfStabilityThreshold(optimizer, c.mean[lr], beta);
    return {
      lr: c.mean[lr],
      sharpness: c.mean[sharpness],
      threshold,
      ratio: c.mean[sharpness] / threshold,
      seeds: c.points.length,
    };
  });
  const value = Math.max(...rows.map((r) => Math.abs(r.ratio - 1)));
  const lrs = rows.map((r) => r.lr);
  const curveX = logGrid(Math.min(...lrs), Math.max(...lrs), 40);
  return {
    value,
    pass: value <= (law.tolerance ?? 0.05),
    points: sel.used.length,
    excluded: sel.excluded,
    problem: null,
    notes: sel.notes,
    detail: { optimizer, beta: optimizer === 'gd' ? null : beta, perLr: rows },
    overlay: {
      x: lr,
      y: sharpness,
      logX: true,
      logY: true,
      curves: [
        {
          label: `threshold (${optimizer})`,
          x: curveX,
          y: curveX.map((v) => edgeOfStabilityThreshold(optimizer, v, beta)),
        },
      ],
      points: cs.map((c, i) => ({
        indices: indicesOf(c),
        x: rows[i].lr,
        observed: rows[i].sharpness,
        predicted: rows[i].threshold,
      })),
      lines: [],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// criticalBatch (THEORY.md entry 18)

/** The first step at which the loss is <= target, or null when it never gets there. */
export function stepsToTarget(
  steps: ArrayLike<number>,
  losses: ArrayLike<number>,
  target: number,
): number | null {
  for (let i = 0; i < losses.length; i++) if (losses[i] <= target) return steps[i];
  return null;
}

function criticalBatch(law: CriticalBatchLaw, points: LawPoint[], context: LawContext): Evaluated {
  const { batch, noiseScale } = law;
  const fields = [batch, noiseScale, ...(law.steps ? [law.steps] : [])];
  const sel = select(law, points, fields, { varying: law.tuned ? [batch, law.tuned] : [batch] });
  const notes = [...sel.notes];
  let excluded = sel.excluded;
  let runs: { index: number; batch: number; steps: number; noiseScale: number; tuned: number | null }[] = [];
  for (const p of sel.used) {
    let steps: number | null;
    if (law.steps) steps = fieldValue(p, law.steps);
    else {
      const curve = readCurve(context, p, law.loss as string);
      steps = stepsToTarget(curve.step, curve.value, law.target as number);
      if (steps === null) notes.push(`#${p.index}: ${law.loss} never reached ${law.target}`);
    }
    if (steps === null || !(steps > 0)) {
      excluded++;
      continue;
    }
    runs.push({
      index: p.index,
      batch: fieldValue(p, batch) as number,
      steps,
      noiseScale: fieldValue(p, noiseScale) as number,
      tuned: law.tuned ? fieldValue(p, law.tuned) : null,
    });
  }
  const chosen: Record<string, number> = {};
  if (law.tuned) {
    // Per batch size, the runs at the value of the tuned parameter that reached the target in the fewest steps
    // (means over seeds), as the steps/examples trade-off assumes a tuned learning rate at every batch size.
    const all = runs;
    runs = [];
    for (const b of [...new Set(all.map((r) => r.batch))]) {
      const atB = all.filter((r) => r.batch === b);
      const values = [...new Set(atB.map((r) => r.tuned))];
      const meanSteps = (v: number | null) => meanOf(atB.filter((r) => r.tuned === v).map((r) => r.steps));
      const best = values.reduce((x, y) => (meanSteps(y) < meanSteps(x) ? y : x));
      chosen[String(b)] = best as number;
      runs.push(...atB.filter((r) => r.tuned === best));
    }
  }
  if (runs.length < 3)
    throw new Error(`the Pareto fit needs at least 3 runs that reached the target, got ${runs.length}`);
  const fit = fitCriticalBatch(runs);
  const scales = runs.map((r) => r.noiseScale).filter((v) => v > 0);
  if (scales.length === 0) throw new Error(`no positive ${noiseScale} to compare B_crit with`);
  const gns = Math.exp(meanOf(scales.map(Math.log)));
  const ratio = fit.bCrit / gns;
  const tolerance = law.tolerance ?? 3;
  const batches = [...new Set(runs.map((r) => r.batch))].sort((a, b) => a - b);
  const curveX = logGrid(batches[0], batches[batches.length - 1], 40);
  const model = (b: number) => fit.sMin + fit.eMin / b;
  return {
    value: ratio,
    pass: ratio >= 1 / tolerance && ratio <= tolerance,
    points: runs.length,
    excluded,
    problem: null,
    notes,
    detail: {
      sMin: fit.sMin,
      eMin: fit.eMin,
      bCrit: fit.bCrit,
      r2log: fit.r2log,
      noiseScale: gns,
      ...(law.tuned && { tuned: { parameter: law.tuned, best: chosen } }),
      perBatch: batches.map((b) => {
        const of = runs.filter((r) => r.batch === b);
        const steps = meanOf(of.map((r) => r.steps));
        return { batch: b, steps, examples: b * steps, fittedSteps: model(b) };
      }),
    },
    overlay: {
      x: batch,
      y: law.steps ?? `steps to ${law.loss} <= ${law.target}`,
      logX: true,
      logY: true,
      curves: [
        { label: `S_min (1 + B_crit/B), B_crit = ${fmt(fit.bCrit)}`, x: curveX, y: curveX.map(model) },
      ],
      points: runs.map((r) => ({
        indices: [r.index],
        x: r.batch,
        observed: r.steps,
        predicted: model(r.batch),
      })),
      lines: [
        { axis: 'x', at: fit.bCrit, label: 'B_crit (Pareto fit)' },
        { axis: 'x', at: gns, label: `${noiseScale} (measured)` },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// collapse (THEORY.md entry 16)

function collapse(law: CollapseLaw, points: LawPoint[], context: LawContext): Evaluated {
  const { y, size } = law;
  const lHat = law.irreducible ?? 0;
  const from = law.from ?? 0.2;
  const sel = select(law, points, [size], { varying: [size] });
  const notes = [...sel.notes];
  const grid = Array.from({ length: 41 }, (_, i) => from + ((1 - from) * i) / 40);
  interface Curve {
    size: number;
    index: number;
    logRaw: number[];
    norm: number[];
    fracs: number[];
    normFull: number[];
  }
  const curves: Curve[] = [];
  let excluded = sel.excluded;
  for (const p of sel.used) {
    const data = readCurve(context, p, y);
    const keep: number[] = [];
    for (let i = 0; i < data.value.length; i++)
      if (Number.isFinite(data.value[i]) && data.value[i] - lHat > 0) keep.push(i);
    const last = keep[keep.length - 1];
    if (keep.length < 2 || !(data.step[last] > 0)) {
      notes.push(`#${p.index}: fewer than 2 usable samples of ${y} above ${lHat}`);
      excluded++;
      continue;
    }
    const T = data.step[last];
    const final = data.value[last] - lHat;
    const fracs = keep.map((i) => data.step[i] / T);
    const excess = keep.map((i) => data.value[i] - lHat);
    curves.push({
      size: fieldValue(p, size) as number,
      index: p.index,
      logRaw: grid.map((g) => Math.log(interpolate(fracs, excess, g) + lHat)),
      norm: grid.map((g) => interpolate(fracs, excess, g) / final),
      fracs,
      normFull: excess.map((e) => e / final),
    });
  }
  const sizes = [...new Set(curves.map((c) => c.size))].sort((a, b) => a - b);
  if (sizes.length < 2)
    throw new Error(`a collapse needs curves of at least 2 values of '${size}', got ${sizes.length}`);
  const bySize = sizes.map((s) => curves.filter((c) => c.size === s));
  const meanCurve = (list: Curve[], pick: (c: Curve) => number[]) =>
    grid.map((_, i) => meanOf(list.map((c) => pick(c)[i])));
  const before = grid.map((_, i) => std(bySize.map((list) => meanCurve(list, (c) => c.logRaw)[i])));
  const afterLog = grid.map((_, i) =>
    std(bySize.map((list) => meanCurve(list, (c) => c.norm.map(Math.log))[i])),
  );
  const againstBefore = meanOf(afterLog) / meanOf(before);
  // THEORY.md entry 16's ratio: spread across sizes of the normalised curves over the seed-to-seed spread.
  const seeded = bySize.every((list) => list.length >= 2);
  let seedRatio: number | null = null;
  if (seeded) {
    const delta = grid.map((_, i) => std(bySize.map((list) => meanCurve(list, (c) => c.norm)[i])));
    const sigma = grid.map((_, i) => meanOf(bySize.map((list) => std(list.map((c) => c.norm[i])))));
    seedRatio = meanOf(delta) / meanOf(sigma);
  }
  if (law.against === 'seeds' && seedRatio === null)
    throw new Error(`against: 'seeds' needs at least 2 seeds of every '${size}'`);
  const value = law.against === 'seeds' ? (seedRatio as number) : againstBefore;
  const tolerance = law.tolerance ?? (law.against === 'seeds' ? 1 : 0.2);
  const fullGrid = Array.from({ length: 60 }, (_, i) => 0.02 + (0.98 * i) / 59);
  const overlayCurves: LawCurve[] = sizes.map((s, k) => ({
    label: `${size} = ${fmt(s)}`,
    x: fullGrid,
    y: fullGrid.map((g) => meanOf(bySize[k].map((c) => interpolate(c.fracs, c.normFull, g)))),
  }));
  return {
    value: Number.isFinite(value) ? value : null,
    pass: Number.isFinite(value) && value <= tolerance,
    points: curves.length,
    excluded,
    problem: Number.isFinite(value) ? null : 'the curves have no spread to compare with',
    notes,
    detail: {
      from,
      irreducible: lHat,
      against: law.against ?? 'before',
      spreadBefore: meanOf(before),
      spreadAfter: meanOf(afterLog),
      afterOverBefore: againstBefore,
      seedNoiseRatio: seedRatio,
      sizes,
    },
    overlay: {
      x: 'compute fraction t/T',
      y: `(${y} - ${lHat}) / (final - ${lHat})`,
      logX: false,
      logY: true,
      curves: overlayCurves,
      points: [],
      lines: [{ axis: 'x', at: from, label: 'scored from here' }],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function readCurve(context: LawContext, p: LawPoint, name: string) {
  if (!context.runsDir) throw new Error(`reading '${name}' curves needs the runs directory`);
  if (!p.runId) throw new Error(`point #${p.index} has no run`);
  return loadSeries(context.runsDir, p.runId, name);
}

/** Linear interpolation of (xs, ys) at x (xs ascending), held constant beyond the ends. */
function interpolate(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  if (x >= xs[xs.length - 1]) return ys[ys.length - 1];
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

function meanOf(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
function std(values: number[]): number {
  if (values.length < 2) return 0;
  const m = meanOf(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Linear-interpolated quantiles (numpy's default) of the values. */
function percentiles(values: number[], ...qs: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return qs.map((q) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  });
}

function logGrid(a: number, b: number, n: number): number[] {
  if (!(a > 0 && b > 0)) return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
  return Array.from({ length: n }, (_, i) =>
    Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * i) / (n - 1)),
  );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}

/** JSON-safe: non-finite numbers in the detail become null, curves keep only their finite samples. */
function sanitize(result: LawResult): LawResult {
  const detail = JSON.parse(
    JSON.stringify(result.detail, (_, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? null : v,
    ),
  ) as Record<string, unknown>;
  const finite = (v: number | null) => (v === null || Number.isFinite(v) ? v : null);
  const overlay: LawOverlay | null = result.overlay && {
    ...result.overlay,
    curves: result.overlay.curves.map((c) => {
      const keep = c.x
        .map((_, i) => i)
        .filter(
          (i) =>
            Number.isFinite(c.x[i]) &&
            Number.isFinite(c.y[i]) &&
            (!c.lo || (Number.isFinite(c.lo[i]) && Number.isFinite(c.hi![i]))),
        );
      return {
        label: c.label,
        x: keep.map((i) => c.x[i]),
        y: keep.map((i) => c.y[i]),
        ...(c.lo && { lo: keep.map((i) => c.lo![i]), hi: keep.map((i) => c.hi![i]) }),
      };
    }),
    points: result.overlay.points
      .filter((p) => Number.isFinite(p.x))
      .map((p) => ({ ...p, observed: finite(p.observed), predicted: finite(p.predicted) })),
    lines: result.overlay.lines.filter((l): l is LawLine => Number.isFinite(l.at)),
  };
  const value = result.value !== null && Number.isFinite(result.value) ? result.value : null;
  return { ...result, value, pass: value !== null && result.pass, detail, overlay };
}
