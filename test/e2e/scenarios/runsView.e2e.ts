import { strict as assert } from 'node:assert';
import { eventually } from '../eventually';
import { useLab } from '../harness';

describe('the Runs view', () => {
  const lab = useLab({ name: 'runs view' });

  it('lists a finished run under its experiment with its agreement', async () => {
    const { workbench } = lab();
    await workbench.openFile('deepLinear.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    await lab().waitForRun('completed');
    await workbench.runCommand('Learning Mechanics: Focus on Runs View');
    const rows = workbench.page.locator('.pane-body .monaco-list-row');
    const texts = await eventually(
      'the Runs view shows no experiment with a passing run',
      async () => {
        const all = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
        return all.some((t) => t.includes('DeepLinear')) && all.some((t) => /2\/2 pass/.test(t))
          ? all
          : undefined;
      },
      async () => `rows: ${(await rows.allInnerTexts()).join(' | ')}`,
      { timeout: 20_000 },
    );
    assert.ok(
      texts.some((t) => t.includes('deepLinear.exp.ts · 1 run')),
      texts.join(' | '),
    );
    await workbench.screenshot('runs view');
  });
});
