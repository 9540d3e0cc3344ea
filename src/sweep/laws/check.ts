import type { SweepLaw } from '../../sdk/definition';

/**
 * Checks a sweep's `laws` (src/sdk/definition.ts declares them as plain types, for users' IntelliSense): every
 * law known, its required fields present, each field naming a swept parameter or a summarised observable (or,
 * for the fields read as curves, an observable), and its numbers in range. Errors name the law by its position
 * and the field. No zod here: the law types are plain TypeScript, and this checker says which field is wrong
 * in the words a user reads in their file.
 */

/** What a law's fields may name. */
export interface LawNames {
  /** The swept parameters (grid and random). */
  swept: string[];
  /** The summarised observables (`loss`; a field may also name a component, `modes[0]`). */
  summarized: string[];
  /** Every observable of the experiment (for fields read as whole curves). */
  observables: string[];
  /** Every parameter of the experiment (for `where`). */
  params: string[];
}

type FieldKind = 'value' | 'curve';
interface LawShape {
  required: Record<string, FieldKind>;
  optional?: Record<string, FieldKind>;
  numbers?: Record<string, (v: number) => string | null>;
  /** Checks across fields (e.g. one of two must be given). */
  extra?: (law: Record<string, unknown>) => string | null;
}

const positive = (v: number) => (v > 0 && Number.isFinite(v) ? null : 'must be a finite number > 0');
const count = (v: number) => (Number.isInteger(v) && v >= 1 ? null : 'must be an integer >= 1');
const fraction = (v: number) => (v >= 0 && v <= 1 ? null : 'must be in [0, 1]');

const SHAPES: Record<SweepLaw['law'], LawShape> = {
  powerLaw: {
    required: { x: 'value', y: 'value' },
    numbers: { holdOut: count, tolerance: positive, resamples: count },
  },
  chinchilla: {
    required: { N: 'value', D: 'value', y: 'value' },
    numbers: { holdOut: count, tolerance: positive, resamples: count },
    extra: (law) =>
      law.by === undefined || ['N', 'D', 'C'].includes(law.by as string)
        ? null
        : "by must be 'N', 'D' or 'C'",
  },
  lrTransfer: {
    required: { lr: 'value', width: 'value', y: 'value' },
    numbers: {
      window: (v) => (Number.isInteger(v) && v >= 3 && v % 2 === 1 ? null : 'must be an odd integer >= 3'),
      resamples: count,
    },
    extra: (law) => {
      const band = law.band;
      if (!Array.isArray(band) || band.length !== 2 || !band.every((b) => typeof b === 'number'))
        return 'band must be [lo, hi], the slopes of log lr* against log width that pass';
      return band[0] <= band[1] ? null : 'band must be [lo, hi] with lo <= hi';
    },
  },
  catapultPhases: {
    required: { lr: 'value', lambda0: 'value' },
    optional: { phase: 'value', loss: 'curve' },
    numbers: { upperEdge: (v) => (v > 2 ? null : 'must be > 2'), tolerance: fraction },
    extra: (law) =>
      (law.phase === undefined) === (law.loss === undefined)
        ? "give exactly one of 'phase' (a series coded 1 lazy, 2 catapult, 3 divergent) and 'loss' (a loss curve)"
        : null,
  },
  edgeOfStability: {
    required: { lr: 'value', sharpness: 'value' },
    numbers: { beta: (v) => (v >= 0 && v < 1 ? null : 'must be in [0, 1)'), tolerance: positive },
    extra: (law) =>
      law.optimizer === undefined || ['gd', 'momentum', 'adam'].includes(law.optimizer as string)
        ? null
        : "optimizer must be 'gd', 'momentum' or 'adam'",
  },
  criticalBatch: {
    required: { batch: 'value', noiseScale: 'value' },
    optional: { steps: 'value', loss: 'curve', tuned: 'value' },
    numbers: {
      tolerance: (v) => (v >= 1 ? null : 'must be a factor >= 1'),
      target: (v) => (Number.isFinite(v) ? null : 'must be finite'),
    },
    extra: (law) => {
      if ((law.steps === undefined) === (law.loss === undefined))
        return "give exactly one of 'steps' (steps to the target, a field) and 'loss' with 'target'";
      if (law.loss !== undefined && law.target === undefined) return "'loss' needs a 'target' loss";
      return null;
    },
  },
  collapse: {
    required: { y: 'curve', size: 'value' },
    numbers: {
      irreducible: (v) => (Number.isFinite(v) ? null : 'must be finite'),
      from: fraction,
      tolerance: positive,
    },
    extra: (law) =>
      law.against === undefined || ['before', 'seeds'].includes(law.against as string)
        ? null
        : "against must be 'before' or 'seeds'",
  },
};

export const LAW_KINDS = Object.keys(SHAPES) as SweepLaw['law'][];

/** The checked laws; throws an Error whose message names the law (`laws[1] (powerLaw)`) and the field. */
export function checkSweepLaws(laws: unknown, names: LawNames): SweepLaw[] {
  if (laws === undefined) return [];
  if (!Array.isArray(laws)) throw new Error('laws must be a list of laws');
  const seen = new Set<string>();
  return laws.map((raw, i) => {
    const at = `laws[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new Error(`${at} must be an object like { law: 'powerLaw', x: ..., y: ... }`);
    const law = raw as Record<string, unknown>;
    const kind = law.law;
    if (typeof kind !== 'string' || !(kind in SHAPES)) {
      throw new Error(`${at}: unknown law ${JSON.stringify(kind)} (laws: ${LAW_KINDS.join(', ')})`);
    }
    const where = `${at} (${kind})`;
    const shape = SHAPES[kind as SweepLaw['law']];
    const fields = { ...shape.required, ...shape.optional };
    const known = new Set([
      'law',
      'name',
      'where',
      'band',
      'by',
      'optimizer',
      'against',
      ...Object.keys(fields),
      ...Object.keys(shape.numbers ?? {}),
    ]);
    for (const key of Object.keys(law)) {
      if (!known.has(key))
        throw new Error(`${where}: unknown field '${key}' (fields: ${[...known].join(', ')})`);
    }
    for (const [field, fieldKind] of Object.entries(fields)) {
      const value = law[field];
      if (value === undefined) {
        if (field in shape.required) throw new Error(`${where}: '${field}' is required`);
        continue;
      }
      if (typeof value !== 'string' || value === '') throw new Error(`${where}: '${field}' must be a name`);
      const problem = fieldKind === 'curve' ? curveProblem(value, names) : valueProblem(value, names);
      if (problem) throw new Error(`${where}: ${field}: ${problem}`);
    }
    for (const [field, rule] of Object.entries(shape.numbers ?? {})) {
      const value = law[field];
      if (value === undefined) continue;
      const problem = typeof value === 'number' ? rule(value) : 'must be a number';
      if (problem) throw new Error(`${where}: ${field} ${problem}, got ${JSON.stringify(value)}`);
    }
    const extra = shape.extra?.(law);
    if (extra) throw new Error(`${where}: ${extra}`);
    if (law.name !== undefined && (typeof law.name !== 'string' || law.name === ''))
      throw new Error(`${where}: name must be a non-empty string`);
    if (law.where !== undefined) {
      if (typeof law.where !== 'object' || law.where === null || Array.isArray(law.where))
        throw new Error(
          `${where}: where must be an object of parameter values, e.g. { parameterization: 'muP' }`,
        );
      for (const param of Object.keys(law.where)) {
        if (!names.params.includes(param))
          throw new Error(
            `${where}: where: '${param}' is not a parameter (parameters: ${names.params.join(', ')})`,
          );
      }
    }
    const name = lawName(law as unknown as SweepLaw);
    if (seen.has(name)) throw new Error(`${where}: two laws are named '${name}'; give one a name`);
    seen.add(name);
    return law as unknown as SweepLaw;
  });
}

function valueProblem(name: string, names: LawNames): string | null {
  if (names.swept.includes(name)) return null;
  const observable = name.replace(/\[\d+\]$/, '');
  if (names.summarized.includes(observable)) return null;
  if (names.observables.includes(observable))
    return `'${observable}' is an observable but the sweep does not summarize it: add it to summarize`;
  if (names.params.includes(name))
    return `'${name}' is a parameter the sweep does not vary: add it to the grid`;
  return `'${name}' is neither a swept parameter (${names.swept.join(', ') || 'none'}) nor a summarised observable (${names.summarized.join(', ') || 'none'})`;
}

function curveProblem(name: string, names: LawNames): string | null {
  if (names.observables.includes(name.replace(/\[\d+\]$/, ''))) return null;
  return `'${name}' is not an observable (observables: ${names.observables.join(', ') || 'none'})`;
}

/** The law's name in tables: its `name`, else the law and its main fields. */
export function lawName(law: SweepLaw): string {
  if (law.name) return law.name;
  const suffix = law.where
    ? ` [${Object.entries(law.where)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ')}]`
    : '';
  switch (law.law) {
    case 'powerLaw':
      return `powerLaw(${law.y} ~ ${law.x})${suffix}`;
    case 'chinchilla':
      return `chinchilla(${law.y} ~ ${law.N}, ${law.D})${suffix}`;
    case 'lrTransfer':
      return `lrTransfer(${law.y}: ${law.lr}* ~ ${law.width})${suffix}`;
    case 'catapultPhases':
      return `catapultPhases(${law.lr}, ${law.lambda0})${suffix}`;
    case 'edgeOfStability':
      return `edgeOfStability(${law.sharpness} ~ ${law.lr})${suffix}`;
    case 'criticalBatch':
      return `criticalBatch(${law.batch})${suffix}`;
    case 'collapse':
      return `collapse(${law.y} by ${law.size})${suffix}`;
  }
}
