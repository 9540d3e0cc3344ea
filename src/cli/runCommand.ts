import { RunnerProcess, type RunnerOutcome } from '../host/runnerProcess';
import type { BackendChoice } from '../protocol/runner';
import { groupLastValues } from '../series/lastValues';
import { formatReport, runReport } from './report';
import { parseOverrides } from './overrides';
import { ProgressBar } from './progressBar';

export interface RunFlags {
  experiment?: string;
  set: string[];
  steps?: number;
  seed?: number;
  runsDir: string;
  backend: BackendChoice;
  json?: boolean;
}

/** Exit codes: 0 completed, 1 the experiment failed or diverged, 2 usage or input error, 130 stopped. */
export const EXIT = { completed: 0, failed: 1, diverged: 1, usage: 2, cancelled: 130 } as const;

/** `lm run`: trains one experiment in a runner process, shows progress, prints the agreement table. */
export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const last = new Map<string, number>();
  const bar = flags.json ? undefined : new ProgressBar(process.stderr, file);
  const runner = new RunnerProcess(
    {
      type: 'start',
      file,
      experiment: flags.experiment,
      overrides: parseOverrides(flags.set),
      steps: flags.steps,
      seed: flags.seed,
      backend: flags.backend,
      runsDir: flags.runsDir,
    },
    {
      samples: (batch) => batch.series.forEach((s, i) => last.set(s, batch.value[i])),
      progress: (p) => bar?.update(p.step, p.steps, p.stepsPerSecond),
      output: (stream, text) => (flags.json ? process.stderr : process[stream]).write(text),
    },
  );
  const onInterrupt = () => runner.stop();
  process.on('SIGINT', onInterrupt);
  const outcome = await runner.done;
  process.off('SIGINT', onInterrupt);
  bar?.clear();
  return report(outcome, last, flags.json ?? false);
}

function report(outcome: RunnerOutcome, last: Map<string, number>, json: boolean): number {
  if (outcome.kind === 'rejected') {
    const { kind, message, location } = outcome.rejection;
    if (json) console.log(JSON.stringify({ status: 'rejected', error: { kind, message, location } }));
    else console.error(`lm run: ${message}`);
    return kind === 'load' ? EXIT.failed : EXIT.usage;
  }
  const { manifest, runDir } = outcome;
  if (!manifest || !runDir) {
    const message = outcome.kind === 'crashed' ? outcome.message : 'the run left no manifest';
    if (json) console.log(JSON.stringify({ status: 'failed', error: { message } }));
    else console.error(`lm run: ${message}`);
    return EXIT.failed;
  }
  const result = runReport(manifest, runDir, groupLastValues(last));
  console.log(json ? JSON.stringify(result) : formatReport(result));
  return result.status === 'running' ? EXIT.failed : EXIT[result.status];
}
