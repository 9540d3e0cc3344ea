import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, runFixture, tempRunsDir } from './helpers';

/**
 * Every bundled template, as a user gets it: with its defaults every prediction passes its declared tolerance;
 * with a handful of steps it still completes and reports a score for each prediction. Runs on the backend the
 * product picks by itself (`auto`), as `lm run` does.
 */
const TEMPLATES = path.join(__dirname, '..', '..', 'templates');
const templates = fs.readdirSync(TEMPLATES).filter((f) => f.endsWith('.exp.ts'));

async function run(template: string, extra = {}) {
  const runsDir = tempRunsDir();
  try {
    const outcome = finished(
      await runFixture(path.join(TEMPLATES, template), runsDir, { backend: 'auto', ...extra }),
    );
    assert.equal(outcome.manifest.status, 'completed', JSON.stringify(outcome.manifest.error));
    return outcome.manifest;
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

describe('templates', function () {
  this.timeout(300_000);

  for (const template of templates) {
    it(`${template}: every prediction passes with the defaults`, async () => {
      const manifest = await run(template);
      assert.ok(manifest.agreement.length > 0, 'the template declares no prediction');
      const failing = manifest.agreement.filter((a) => !a.pass);
      assert.deepEqual(failing, [], `failing predictions: ${JSON.stringify(failing)}`);
    });

    it(`${template}: completes with 20 steps and scores every prediction`, async () => {
      const manifest = await run(template, { steps: 20 });
      assert.ok(manifest.predictions.length > 0, 'the template declares no prediction');
      assert.deepEqual(
        manifest.agreement.map((a) => a.name).sort(),
        manifest.predictions.map((p) => p.name).sort(),
      );
    });
  }
});
