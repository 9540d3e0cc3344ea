import type { RunData, RunSnapshot } from '../host/runData';
import type { Lab } from './lab';

/** The run an editor feature shows for an experiment: the one training now, else its most recent run. */
export function latestRun(
  lab: Lab,
  data: RunData,
  file: string,
  experiment: string,
): RunSnapshot | undefined {
  const running = lab.manager
    .active()
    .find((r) => r.state === 'running' && r.spec.file === file && r.manifest.experiment === experiment);
  if (running?.state === 'running') return data.get(running.manifest.id);
  const last = lab.runs().find((r) => r.manifest?.file === file && r.manifest.experiment === experiment);
  return last ? data.get(last.id) : undefined;
}
