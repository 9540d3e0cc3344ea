import * as path from 'node:path';
import type { TwinWorkload } from './vsNumpy';

const root = path.join(__dirname, '..');
const workload = (name: string) => path.join(__dirname, 'workloads', `${name}.exp.ts`);

/** Targets 6 (d - i) / d, i < d: d distinct modes, the largest 6 as in the example (lr 0.002 stays stable). */
const targets = (d: number) => Array.from({ length: d }, (_, i) => (6 * (d - i)) / d);

/** (1) The deep linear example, d = 4..32 by depth 2..4: tiny matrices, bound by per-kernel overhead. */
export function deepLinearGrid(steps = 4000): Record<string, TwinWorkload> {
  const grid: Record<string, TwinWorkload> = {};
  for (const d of [4, 8, 16, 32]) {
    for (const depth of [2, 3, 4]) {
      const params = { targets: targets(d), depth };
      grid[`d${d}_depth${depth}`] = {
        file: path.join(root, 'templates', 'deepLinear.exp.ts'),
        steps,
        overrides: params,
        numpy: { name: 'deepLinear', params },
      };
    }
  }
  return grid;
}

/** (2) MLP 784-512-512-10, batch 128, SGD: bound by matrix products. */
export const mlp: TwinWorkload = {
  file: workload('mlp'),
  steps: 150,
  overrides: {},
  numpy: { name: 'mlp', params: { batch: 128, lr: 0.01 } },
};

/** (3) Full-batch GD with a sharpness estimate (20 rounds of finite-difference HVPs) every 50 steps. */
export const eos: TwinWorkload = {
  file: workload('eos'),
  steps: 500,
  overrides: {},
  numpy: { name: 'eos', params: { n: 500, dim: 30, width: 100, classes: 5, lr: 0.3, iterations: 20 } },
};

/** (4) The empirical NTK (J J^T from per-example gradients) of a width-1024 MLP on 256 points; one per step. */
export const ntk: TwinWorkload = {
  file: workload('ntk'),
  steps: 6,
  overrides: {},
  numpy: { name: 'ntk', params: { points: 256, dim: 64, width: 1024 } },
};
