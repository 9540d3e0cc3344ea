import { strict as assert } from 'node:assert';
import { eventually } from '../eventually';
import { useLab } from '../harness';
import { sleep } from '../processes';

describe('Restricted Mode (an untrusted workspace)', () => {
  const lab = useLab({ name: 'restricted mode', trusted: false });

  it('opens the workspace in Restricted Mode', async () => {
    const { workbench } = lab();
    await eventually(
      'the status bar does not say Restricted Mode',
      async () => (await workbench.statusBarTexts()).some((t) => /Restricted Mode/i.test(t)),
      async () => `status bar: ${(await workbench.statusBarTexts()).join(' | ')}`,
    );
    await workbench.screenshot('restricted mode');
  });

  it('refuses to run an experiment and says why', async () => {
    const { workbench } = lab();
    await workbench.openFile('deepLinear.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    const message = await eventually(
      'Run Experiment showed no message about workspace trust',
      async () => (await workbench.notifications()).find((n) => /trust|restricted/i.test(n)),
      async () => `notifications: ${(await workbench.notifications()).join(' | ') || 'none'}`,
      { timeout: 15_000 },
    );
    await workbench.screenshot('run refused');
    await sleep(2000);
    assert.equal(await workbench.runProgress(), undefined, 'a run started in Restricted Mode');
    assert.deepEqual(lab().runs(), [], `runs were recorded in Restricted Mode (message: ${message})`);
  });
});
