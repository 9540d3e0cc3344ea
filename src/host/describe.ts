import { fork } from 'node:child_process';
import {
  PROTOCOL_VERSION,
  RunnerMessage,
  type DescribedExperiment,
  type Rejection,
} from '../protocol/runner';
import { defaultRunnerPath, onEnded, type RunnerOptions } from './runnerProcess';

/** Why a file could not be described: its rejection (compile error, load error) or the runner's failure. */
export class DescribeError extends Error {
  constructor(
    message: string,
    readonly rejection?: Rejection,
  ) {
    super(message);
  }
}

/**
 * What an experiment file declares, as the runner sees it after compiling and loading it (values computed in
 * the file, such as a sweep's `logspace(...)` grid, included): a runner child takes one `describe` and exits.
 * Rejects with a {@link DescribeError} when the file does not compile or load.
 */
export function describeFile(file: string, options: RunnerOptions = {}): Promise<DescribedExperiment[]> {
  const child = fork(options.runnerPath ?? defaultRunnerPath(), [], {
    execPath: options.nodePath ?? process.execPath,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let answered = false;
    const answer = (settle: () => void) => {
      answered = true;
      settle();
    };
    child.on('message', (raw) => {
      const parsed = RunnerMessage.safeParse(raw);
      const message = parsed.success ? parsed.data : undefined;
      if (message?.type === 'ready') {
        if (message.protocolVersion === PROTOCOL_VERSION) child.send({ type: 'describe', file });
        else {
          answer(() => reject(new DescribeError(`the runner speaks protocol ${message.protocolVersion}`)));
          child.kill();
        }
      } else if (message?.type === 'described') answer(() => resolve(message.experiments));
      else if (message?.type === 'rejected')
        answer(() => reject(new DescribeError(message.rejection.message, message.rejection)));
    });
    child.on('error', (error) =>
      answer(() => reject(new DescribeError(`cannot start the runner: ${error.message}`))),
    );
    onEnded(child, (code, signal) => {
      if (!answered)
        reject(
          new DescribeError(
            `the runner ended (${signal ?? `code ${code}`}) before describing ${file}: ${stderr.trim()}`,
          ),
        );
    });
  });
}
