import { strict as assert } from 'node:assert';
import { ChartPanel } from '../chartPanel';
import { eventually } from '../eventually';
import { useLab } from '../harness';

describe('the chart panel survives a window reload', () => {
  const lab = useLab({ name: 'reload restores panel' });

  it('restores the panel with its charts and badges after Developer: Reload Window', async () => {
    const { workbench } = lab();
    await workbench.openFile('deepLinear.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    await lab().waitForRun('completed');
    await (await ChartPanel.find(workbench)).waitForBadge('modes', 'saxe', 'PASS');
    await workbench.screenshot('before reload');
    await workbench.reloadWindow();
    const panel = await ChartPanel.find(workbench, 60_000);
    const badge = await panel.waitForBadge('modes', 'saxe', 'PASS');
    await workbench.screenshot(`restored ${badge}`);
  });

  it('"Learning Mechanics: Open Chart" brings a closed panel back with the data', async () => {
    const { workbench } = lab();
    await workbench.runCommand('View: Close All Editors');
    await eventually(
      'the chart panel did not close',
      async () =>
        await workbench.webview(undefined, 1000).then(
          () => false,
          () => true,
        ),
    );
    await workbench.runCommand('Learning Mechanics: Open Chart');
    await workbench.acceptQuickPickIfShown(); // a picker of runs, if the command asks which
    const panel = await ChartPanel.find(workbench);
    const badge = await panel.waitForBadge('modes', 'saxe', 'PASS');
    assert.ok(badge.includes('PASS'));
    await workbench.screenshot('reopened');
  });
});
