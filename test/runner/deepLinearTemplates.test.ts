import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, runFixture, tempRunsDir } from './helpers';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');

/** Runs a bundled template and returns each prediction's worst score and pass. */
async function agreement(example: string, overrides: Record<string, unknown> = {}, extra = {}) {
  const runsDir = tempRunsDir();
  try {
    const outcome = finished(
      await runFixture(path.join(TEMPLATES, example), runsDir, { overrides, ...extra }),
    );
    assert.equal(outcome.manifest.status, 'completed', JSON.stringify(outcome.manifest.error));
    return Object.fromEntries(outcome.manifest.agreement.map((a) => [a.name, a]));
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

describe('the solvable-setting templates agree with theory in other settings too', () => {
  it('deep linear, defaults: every mode R^2 >= 0.99 against the logistic from the effective initial strengths', async () => {
    const { saxe, modeLoss } = await agreement('deepLinear.exp.ts');
    assert.equal(saxe.series.length, 6);
    for (const s of saxe.series) assert.ok(s.value! >= 0.99, `${s.series}: R^2 ${s.value}`);
    assert.ok(modeLoss.pass, JSON.stringify(modeLoss));
  });

  it('deep linear, depth 3 with balanced init: every mode follows the integrated mode ODE', async () => {
    const { saxe } = await agreement('deepLinear.exp.ts', { depth: 3, balanced: true, init: 0.1 });
    assert.ok(saxe.pass && saxe.value! >= 0.99, JSON.stringify(saxe));
  });

  it('deep linear, another spectrum, init scale and seed', async () => {
    const { saxe } = await agreement('deepLinear.exp.ts', { targets: [5, 3, 1.5], init: 0.001 }, { seed: 3 });
    assert.ok(saxe.pass, JSON.stringify(saxe));
  });

  it('linear regression: the loss curve agrees to float32 precision', async () => {
    const { exact, eigenmodes } = await agreement('linearRegression.exp.ts');
    assert.ok(exact.value! < 1e-5, `max relative error ${exact.value}`);
    assert.ok(eigenmodes.pass, JSON.stringify(eigenmodes));
  });
});
