import { strict as assert } from 'node:assert';
import { eventually } from '../eventually';
import { useLab } from '../harness';
import { EXTENSION_ID } from '../workbench';
import { positionOf } from '../workspace';

describe('smoke: the workbench with Learning Mechanics Lab installed', () => {
  const lab = useLab({ name: 'smoke' });

  it('loads the workbench with the extension installed, enabled and activated on an experiment file', async () => {
    const { workbench } = lab();
    await workbench.screenshot('workbench loaded');
    await workbench.runCommand('Extensions: Show Installed Extensions');
    const row = workbench.page.locator(
      `.extensions-viewlet .monaco-list-row[data-extension-id="${EXTENSION_ID}"]`,
    );
    await row.waitFor({ timeout: 30_000 });
    assert.equal(
      await row.locator('.extension-list-item.disabled').count(),
      0,
      `${EXTENSION_ID} is disabled`,
    );
    await workbench.openFile('deepLinear.exp.ts');
    const activation = row.locator('.activation-status .activationTime');
    const time = await eventually(
      `${EXTENSION_ID} did not activate on opening an experiment file`,
      async () => ((await activation.count()) > 0 ? activation.innerText() : undefined),
    );
    await workbench.screenshot(`extension activated in ${time}`);
    const errors = await workbench.notifications(true);
    assert.deepEqual(errors, [], 'error notifications after the extension activated');
  });

  it('"Learning Mechanics: Show Log" shows the Learning Mechanics output channel', async () => {
    const { workbench } = lab();
    await workbench.runCommand('Learning Mechanics: Show Log');
    const channel = await eventually('the Output panel shows no Learning Mechanics channel', async () => {
      const name = await workbench.outputChannel();
      return /Learning Mechanics/.test(name) && name;
    });
    await workbench.screenshot(`output channel ${channel}`);
  });

  it('experiment files get IntelliSense with nothing installed: the provided modules resolve and carry types', async () => {
    const { workbench } = lab();
    await workbench.openFile('deepLinear.exp.ts');
    const call = positionOf(lab().readFile('deepLinear.exp.ts'), /\b(saxeMode)\(lr/, 1);
    let text = '';
    await eventually(
      'hovering saxeMode shows no signature from learning-mechanics/theory',
      async () => {
        text = await (await workbench.hover(call)).innerText();
        return /saxeMode\(tau: number, lambda: number/.test(text);
      },
      async () => `hover text: ${text}`,
      { timeout: 90_000, interval: 2000 },
    );
    await workbench.screenshot('hover over saxeMode with its types');
    const problems = await workbench.problems();
    const typeErrors = problems.filter((p) => p.severity === 'Error' || /^ts\b/.test(p.source ?? ''));
    assert.deepEqual(typeErrors, [], 'TypeScript reports problems on the template');
  });
});
