/**
 * muP vs standard parameterization (SP): the abc tables and the width exponents of one-step feature updates
 * (THEORY.md entry 11; Yang & Hu, "Tensor Programs IV", arXiv:2011.14522; Yang et al., "Tensor Programs V
 * (muTransfer)", arXiv:2203.03466; Yang, Simon & Bernstein, "A spectral condition for feature learning",
 * arXiv:2310.17813; reference implementation microsoft/mup: `optim.py` MuSGD/MuAdam, `layer.py` MuReadout).
 *
 * Network: a 3-layer MLP without biases, input x in R^d (d fixed) -> z1 = a1 W1 x (width n) -> h1 = relu(z1) ->
 * z2 = a2 W2 h1 (width n) -> h2 = relu(z2) -> logits f = a3 W3 h2 (C fixed outputs). Each layer has an init
 * variance, a forward multiplier a_l and a learning-rate multiplier, written as in the `mup` package relative
 * to the SP baseline and the width multiplier m = n / n0 (n0 = base width):
 *
 *     Var(W_l) = m^initVar / fan_in,     a_l = m^mult,     lr_l = lr * m^lr[optimizer].
 *
 * SP is all zeros. muP (as `mup` implements it, THEORY.md entry 11): the readout has Var = m / n = 1 / n0
 * (MuReadout rescales the init by sqrt(m)) and multiplier 1/m; learning rates SGD: input x m, hidden x 1,
 * readout x m; Adam: input x 1, hidden x 1/m, readout x 1.
 */

/** The layer types of the 3-layer MLP: input (fan_in = d fixed), hidden (n x n) and output/readout (C x n). */
export type MuPLayerKind = 'input' | 'hidden' | 'output';
export type MuPOptimizer = 'sgd' | 'adam';
export type MuPParameterization = 'muP' | 'SP';

/** Exponents of the width multiplier m on top of the SP baseline (see the module comment). */
export interface MuPLayerRule {
  /** Var(W) = m^initVar / fan_in. */
  initVar: number;
  /** Forward multiplier m^mult. */
  mult: number;
  /** Learning rate lr * m^lr[optimizer]. */
  lr: Record<MuPOptimizer, number>;
}
export type MuPTable = Record<MuPLayerKind, MuPLayerRule>;

/**
 * The abc tables of THEORY.md entry 11 as data (exponents of m = n / n0). Biases are not listed: muP treats
 * them like input weights (lr x m for SGD, x 1 for Adam); the MLP here has none.
 */
export const muPAbcTables: Record<MuPParameterization, MuPTable> = {
  SP: {
    input: { initVar: 0, mult: 0, lr: { sgd: 0, adam: 0 } },
    hidden: { initVar: 0, mult: 0, lr: { sgd: 0, adam: 0 } },
    output: { initVar: 0, mult: 0, lr: { sgd: 0, adam: 0 } },
  },
  muP: {
    input: { initVar: 0, mult: 0, lr: { sgd: 1, adam: 0 } },
    hidden: { initVar: 0, mult: 0, lr: { sgd: 0, adam: -1 } },
    output: { initVar: 1, mult: -1, lr: { sgd: 1, adam: 0 } },
  },
};

/** The concrete init standard deviation, forward multiplier and learning rate of one layer. */
export interface MuPLayerScales {
  initStd: number;
  multiplier: number;
  lr: number;
}

/**
 * The numbers to build a layer with: initStd = sqrt(m^initVar / fanIn), multiplier = m^mult and
 * lr = baseLr * m^lr[optimizer], with m = width / baseWidth.
 *
 * @example
 * muPLayerScales('muP', 'output', { fanIn: 512, width: 512, baseWidth: 128, baseLr: 0.1, optimizer: 'sgd' });
 * // => { initStd: 0.0884 (= 1/sqrt(128)), multiplier: 0.25, lr: 0.4 }
 */
export function muPLayerScales(
  parameterization: MuPParameterization | MuPTable,
  kind: MuPLayerKind,
  opts: { fanIn: number; width: number; baseWidth: number; baseLr: number; optimizer: MuPOptimizer },
): MuPLayerScales {
  const { fanIn, width, baseWidth, baseLr, optimizer } = opts;
  for (const [name, v] of Object.entries({ fanIn, width, baseWidth, baseLr }))
    if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`${name} must be finite and > 0, got ${v}`);
  const rule = tableOf(parameterization)[kind];
  const m = width / baseWidth;
  return {
    initStd: Math.sqrt(m ** rule.initVar / fanIn),
    multiplier: m ** rule.mult,
    lr: baseLr * m ** rule.lr[optimizer],
  };
}

/** Predicted exponents p (coordinate size ∝ width^p) of the one-step feature updates and of the logits at init. */
export interface MuPCoordExponents {
  /** Delta z1, the input layer's pre-activation update. */
  input: number;
  /** Delta z2, the hidden layer's pre-activation update. */
  hidden: number;
  /** Delta f, the logits' update. */
  logits: number;
  /** The logits at initialization, f0 (muP: -1/2 unless the readout is zero-initialized). */
  logitsAtInit: number;
}

/**
 * Width exponents of the coordinate sizes (mean |.|, as `mup.coord_check`) after ONE step of SGD or Adam from
 * initialization, for any table of the form above: l1(Delta z) ∝ n^p as n -> infinity at fixed d, C, batch and
 * base learning rate. Derived by power counting (Yang & Hu 2021 heuristics; derivation mine, THEORY.md entry 11
 * gives the table it must reproduce). Write every quantity as its power of n: multipliers a_l = mult_l, init
 * stds s_l = (initVar_l - 1) / 2 for the hidden and output layers (fan_in = n) and initVar_l / 2 for the input
 * layer, learning rates lr_l. Forward z1 ~ a1 s1, z2 ~ a2 s2 sqrt(n) z1, f0 ~ a3 s3 sqrt(n) z2 (random sums), the output error
 * delta_f ~ max(1, f0) (MSE, targets of order 1), backward delta_z2 ~ a3 s3 delta_f, delta_z1 ~ a2 s2 sqrt(n)
 * delta_z2. One update of a rank-one form Delta W = -lr delta h^T (SGD) or -lr sign(delta h^T) (Adam's first
 * step) acts on h coherently (a sum of n aligned terms), and the backward signal makes Delta h_{l} aligned with
 * W_{l+1}, so
 *
 *     Delta z1 ~ a1 . [SGD: lr1 a1 delta_z1 | Adam: lr1]
 *     Delta z2 ~ a2 . max([SGD: lr2 a2 delta_z2 n z1^2 | Adam: lr2 n z1],  s2 sqrt(n) Delta z1)
 *     Delta f  ~ a3 . max([SGD: lr3 a3 delta_f  n z2^2 | Adam: lr3 n z2],  s3 n Delta z2)
 *
 * where every symbol stands for its power of n. Results (THEORY.md entry 11's table): muP (SGD or Adam) 0, 0, 0;
 * SP + SGD -1/2, +1/2, +1; SP + Adam 0, +1, +3/2. The last is the asymptotic value: at n <= 2048 the n and
 * n^(3/2) terms compete and the measured slope lies between 1 and 1.5 (THEORY.md: 1.36 at 128-2048).
 * After more steps muP stays at 0 for every feature (Tensor Programs IV); SP's later steps are unstable at large
 * width (the logits grow ∝ n lr), so only the one-step exponents are predicted.
 *
 * @example
 * muPOneStepExponents('SP', 'sgd'); // => { input: -0.5, hidden: 0.5, logits: 1, logitsAtInit: 0 }
 */
export function muPOneStepExponents(
  parameterization: MuPParameterization | MuPTable,
  optimizer: MuPOptimizer,
): MuPCoordExponents {
  const table = tableOf(parameterization);
  // Powers of n of: multipliers a, init stds s (Var = m^initVar / fan_in; fan_in = n except the input layer),
  // learning rates.
  const a = (k: MuPLayerKind) => table[k].mult;
  const s = (k: MuPLayerKind) => (table[k].initVar - (k === 'input' ? 0 : 1)) / 2;
  const lr = (k: MuPLayerKind) => table[k].lr[optimizer];
  const z1 = a('input') + s('input');
  const z2 = a('hidden') + s('hidden') + 0.5 + z1;
  const f0 = a('output') + s('output') + 0.5 + z2;
  const deltaF = Math.max(0, f0);
  const deltaZ2 = a('output') + s('output') + deltaF;
  const deltaZ1 = a('hidden') + s('hidden') + 0.5 + deltaZ2;
  const sgd = optimizer === 'sgd';
  const input = a('input') + (sgd ? lr('input') + a('input') + deltaZ1 : lr('input'));
  const hiddenDirect = sgd ? lr('hidden') + a('hidden') + deltaZ2 + 1 + 2 * z1 : lr('hidden') + 1 + z1;
  const hidden = a('hidden') + Math.max(hiddenDirect, s('hidden') + 0.5 + input);
  const logitsDirect = sgd ? lr('output') + a('output') + deltaF + 1 + 2 * z2 : lr('output') + 1 + z2;
  const logits = a('output') + Math.max(logitsDirect, s('output') + 1 + hidden);
  return { input, hidden, logits, logitsAtInit: f0 };
}

/** A least-squares slope with its standard error, from `muPWidthSlope`. */
export interface MuPSlopeFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope, sqrt(SS_res / (k - 2) / sum (x - mean x)^2); NaN with two points. */
  slopeStdError: number;
  /** Number of points used (positive, finite sizes). */
  points: number;
}

/**
 * The width exponent of a coordinate size: ordinary least squares of log(size) on log(width),
 * slope = sum (x - x_mean)(y - y_mean) / sum (x - x_mean)^2, with its classical standard error
 * sqrt(SS_res / (k - 2) / Sxx). The plain two-parameter closed form (no library: it is three sums). Natural
 * logs on both axes, so the slope does not depend on the base. Points with a size <= 0 or non-finite are
 * left out; fewer than two left, or a single distinct width, gives NaN.
 *
 * @example
 * muPWidthSlope([128, 256, 512], [1, 2, 4]); // => { slope: 1, intercept: -4.852 (ln(1/128)), slopeStdError: 0, points: 3 }
 */
export function muPWidthSlope(widths: readonly number[], sizes: readonly number[]): MuPSlopeFit {
  if (widths.length !== sizes.length)
    throw new RangeError(`${widths.length} widths but ${sizes.length} sizes`);
  const keep = widths
    .map((w, i) => [w, sizes[i]] as const)
    .filter(([w, v]) => w > 0 && v > 0 && Number.isFinite(w) && Number.isFinite(v));
  const k = keep.length;
  const x = keep.map(([w]) => Math.log(w));
  const y = keep.map(([, v]) => Math.log(v));
  const mean = (v: number[]) => v.reduce((sum, e) => sum + e, 0) / v.length;
  const xm = mean(x);
  const ym = mean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < k; i++) {
    sxx += (x[i] - xm) ** 2;
    sxy += (x[i] - xm) * (y[i] - ym);
  }
  if (k < 2 || sxx === 0) return { slope: NaN, intercept: NaN, slopeStdError: NaN, points: k };
  const slope = sxy / sxx;
  const intercept = ym - slope * xm;
  const ssRes = x.reduce((sum, xi, i) => sum + (y[i] - intercept - slope * xi) ** 2, 0);
  const slopeStdError = k > 2 ? Math.sqrt(ssRes / (k - 2) / sxx) : NaN;
  return { slope, intercept, slopeStdError, points: k };
}

/**
 * The coordinate size mup's coord check records: l1 = mean |v| over all entries (THEORY.md entry 11,
 * `mup/coord_check.py`). For a plain array; inside tfjs use `tensor.abs().mean()`.
 */
export function muPCoordSize(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('muPCoordSize of an empty array');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]);
  return sum / values.length;
}

function tableOf(parameterization: MuPParameterization | MuPTable): MuPTable {
  if (typeof parameterization !== 'string') return parameterization;
  const table = muPAbcTables[parameterization];
  if (!table) throw new RangeError(`unknown parameterization '${String(parameterization)}' (muP or SP)`);
  return table;
}
