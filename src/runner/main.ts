/**
 * The runner: a child process that trains one experiment. It says `ready` with its protocol version, takes one
 * `start`, streams the run, sends `finished` (or `rejected`), and exits. Or it takes one `describe` and answers
 * `described` (or `rejected`). Forked by src/host/runnerProcess.ts.
 */
import { HostMessage, PROTOCOL_VERSION, assertNever, type RunnerMessage } from '../protocol/runner';
import { runErrorFrom } from './errors';
import { describeRequest, runRequest } from './run';

process.setSourceMapsEnabled(true);

function send(message: RunnerMessage, done?: () => void): void {
  if (!process.send)
    throw new Error('the runner must be started by a host (child_process.fork with an IPC channel)');
  process.send(message, undefined, {}, done);
}

let started = false;
let stopRequested = false;

function exitAfter(message: RunnerMessage, code: number): void {
  send(message, () => {
    process.disconnect?.();
    setTimeout(() => process.exit(code), 1000).unref();
  });
}

async function onStart(raw: unknown): Promise<void> {
  const parsed = HostMessage.safeParse(raw);
  if (!parsed.success || parsed.data.type !== 'start') {
    const message = parsed.success ? 'expected start' : parsed.error.message;
    return exitAfter({ type: 'rejected', rejection: { kind: 'protocol', message } }, 2);
  }
  let finished: RunnerMessage | undefined;
  await runRequest(
    parsed.data,
    (m) => (m.type === 'finished' || m.type === 'rejected' ? (finished = m) : send(m)),
    () => stopRequested,
  );
  exitAfter(finished!, 0);
}

async function onDescribe(raw: unknown): Promise<void> {
  const parsed = HostMessage.safeParse(raw);
  if (!parsed.success || parsed.data.type !== 'describe') {
    const message = parsed.success ? 'expected describe' : parsed.error.message;
    return exitAfter({ type: 'rejected', rejection: { kind: 'protocol', message } }, 2);
  }
  let reply: RunnerMessage | undefined;
  await describeRequest(parsed.data, (m) => (reply = m));
  exitAfter(reply!, 0);
}

process.on('message', (raw: unknown) => {
  const message = raw as HostMessage;
  switch (message.type) {
    case 'describe':
      if (started) return;
      started = true;
      void onDescribe(raw);
      return;
    case 'start':
      if (started) return;
      started = true;
      void onStart(raw);
      return;
    case 'stop':
      stopRequested = true;
      if (!started) process.exit(0);
      return;
    default:
      assertNever(message);
  }
});

/** An error that escapes the experiment asynchronously (a timer, an unawaited promise) fails the run. */
function fatal(error: unknown): void {
  const runError = runErrorFrom(error);
  process.stderr.write(`${runError.stack ?? runError.message}\n`);
  process.exit(70);
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

send({ type: 'ready', protocolVersion: PROTOCOL_VERSION, pid: process.pid });
