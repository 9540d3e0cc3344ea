import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { z } from 'zod';
import { linspace, logspace } from '../sdk/decorators';
import type { SweepLaw } from '../sdk/definition';
import { checkSweepLaws } from './laws/check';
import { ParamValue } from '../store/manifest';

/**
 * A sweep's specification, checked: what `@sweep(name, options)` declares (src/sdk/decorators.ts), possibly
 * changed from the command line, validated against the experiment's parameters and observables, and expanded
 * into points. Expansion is deterministic (grid in declaration order, random draws from a seeded generator),
 * so a sweep's id and its point indices are stable across re-runs: that is what makes re-running idempotent.
 */

const Summary = z.union([
  z.enum(['final', 'min', 'max']),
  z.object({ meanLast: z.number().int().positive() }).strict(),
]);
export type Summary = z.infer<typeof Summary>;

const Range = z
  .object({
    min: z.number().finite(),
    max: z.number().finite(),
    log: z.boolean().optional(),
    integer: z.boolean().optional(),
  })
  .strict()
  .refine((r) => r.max >= r.min, 'max must be >= min')
  .refine((r) => !r.log || r.min > 0, 'a log range needs min > 0');

export const SweepSpec = z
  .object({
    grid: z
      .record(z.string(), z.array(ParamValue).min(1, 'a grid list needs at least one value'))
      .default({}),
    random: z
      .object({
        count: z.number().int().positive(),
        params: z.record(z.string(), Range),
        seed: z.number().int().default(0),
      })
      .strict()
      .optional(),
    seeds: z
      .union([z.number().int().positive(), z.array(z.number().int()).min(1)])
      .default(1)
      .transform((s) => (typeof s === 'number' ? Array.from({ length: s }, (_, i) => i) : s)),
    summarize: z.record(z.string(), Summary).default({}),
    steps: z.number().int().positive().optional(),
    /** Sweep-level predictions, checked by `checkSweepLaws` (src/sweep/laws/check.ts). */
    laws: z
      .array(
        z.custom<SweepLaw>(
          (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
          'a law must be an object',
        ),
      )
      .optional(),
  })
  .strict();
export type SweepSpec = z.output<typeof SweepSpec>;

/** A problem with a sweep's options, naming the sweep and the field. */
export class SweepSpecError extends Error {}

/** What the spec is checked against: the experiment's parameters and observables. */
export interface SweepTarget {
  experiment: string;
  params: string[];
  observables: string[];
}

export function parseSweepSpec(sweep: string, options: unknown, target: SweepTarget): SweepSpec {
  const parsed = SweepSpec.safeParse(options ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new SweepSpecError(`sweep '${sweep}' of ${target.experiment}: ${issues.join('; ')}`);
  }
  const spec = parsed.data;
  const swept = [...Object.keys(spec.grid), ...Object.keys(spec.random?.params ?? {})];
  for (const name of swept) {
    if (!target.params.includes(name)) {
      throw new SweepSpecError(
        `sweep '${sweep}' of ${target.experiment}: '${name}' is not a parameter (parameters: ${target.params.join(', ') || 'none'})`,
      );
    }
  }
  for (const name of Object.keys(spec.summarize)) {
    if (!target.observables.includes(name)) {
      throw new SweepSpecError(
        `sweep '${sweep}' of ${target.experiment}: cannot summarize '${name}', which is not an observable (observables: ${target.observables.join(', ') || 'none'})`,
      );
    }
  }
  if (spec.laws !== undefined) {
    try {
      spec.laws = checkSweepLaws(spec.laws, {
        swept,
        summarized: Object.keys(spec.summarize),
        observables: target.observables,
        params: target.params,
      });
    } catch (error) {
      throw new SweepSpecError(`sweep '${sweep}' of ${target.experiment}: ${(error as Error).message}`);
    }
  }
  if (swept.length === 0 && spec.seeds.length === 1 && !spec.random) {
    throw new SweepSpecError(
      `sweep '${sweep}' of ${target.experiment} has a single point: give a grid, seeds or random`,
    );
  }
  return spec;
}

/** One point of a sweep: the parameter overrides and the seed of one run. */
export interface SweepPoint {
  index: number;
  overrides: Record<string, ParamValue>;
  seed: number;
}

/** The points: every grid combination (last parameter fastest) with every random draw, each for every seed. */
export function expandSweep(spec: SweepSpec): SweepPoint[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [name, values] of Object.entries(spec.grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  if (spec.random) {
    const draws = randomDraws(spec.random.count, spec.random.params, spec.random.seed);
    combos = combos.flatMap((c) => draws.map((d) => ({ ...c, ...d })));
  }
  const points: SweepPoint[] = [];
  for (const overrides of combos) {
    for (const seed of spec.seeds) points.push({ index: points.length, overrides, seed });
  }
  return points;
}

function randomDraws(count: number, ranges: Record<string, z.infer<typeof Range>>, seed: number) {
  const rng = seedrandom(`lm-sweep-${seed}`);
  return Array.from({ length: count }, () =>
    Object.fromEntries(
      Object.entries(ranges).map(([name, r]) => {
        const u = rng();
        let value = r.log
          ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min)))
          : r.min + u * (r.max - r.min);
        if (r.integer) value = Math.round(value);
        return [name, value];
      }),
    ),
  );
}

/**
 * A grid given on the command line, `name=values`: a comma list read as JSON values (`lr=0.1,0.3`,
 * `act=relu,tanh` as strings), or a spacing: `lin:a:b:n` or `log:a:b:n` (`lr=log:1e-3:1e-1:5`).
 */
export function parseGridOption(text: string): [string, ParamValue[]] {
  const at = text.indexOf('=');
  if (at <= 0) throw new SweepSpecError(`--grid expects name=values, got '${text}'`);
  const name = text.slice(0, at);
  const values = text.slice(at + 1);
  const spaced = /^(lin|log):([^:]+):([^:]+):(\d+)$/.exec(values);
  if (spaced) {
    const [a, b, n] = [Number(spaced[2]), Number(spaced[3]), Number(spaced[4])];
    if (!Number.isFinite(a) || !Number.isFinite(b) || n < 1)
      throw new SweepSpecError(`--grid ${name}: bad spacing '${values}'`);
    if (spaced[1] === 'log' && !(a > 0 && b > 0))
      throw new SweepSpecError(`--grid ${name}: log spacing needs positive ends`);
    return [name, spaced[1] === 'log' ? logspace(a, b, n) : linspace(a, b, n)];
  }
  const list = values.split(',').filter((v) => v !== '');
  if (list.length === 0) throw new SweepSpecError(`--grid ${name}: no values`);
  return [name, list.map(readValue)];
}

function readValue(text: string): ParamValue {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'number' || typeof value === 'boolean') return value;
  } catch {
    // not JSON: a string
  }
  return text;
}

/**
 * A stable id: the experiment and sweep names and a hash of the file's path and the spec as declared (its key
 * order included, since that order is the order of the points). The laws are left out: they are evaluated from
 * the points afterwards, so adding or changing one keeps the points already run.
 */
export function sweepId(file: string, experiment: string, sweep: string, spec: SweepSpec): string {
  const points = { ...spec, laws: undefined };
  const hash = createHash('sha256')
    .update(JSON.stringify([file, experiment, sweep, points]))
    .digest('hex')
    .slice(0, 10);
  return `${experiment}-${sweep}-${hash}`;
}
