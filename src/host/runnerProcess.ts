import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  PROTOCOL_VERSION,
  RunnerMessage,
  assertNever,
  type HostMessage,
  type Rejection,
  type RunnerMessageOf,
  type StartRequest,
} from '../protocol/runner';
import type { Manifest } from '../store/manifest';
import { readManifest, writeManifest } from '../store/manifestFile';

export interface RunnerOptions {
  /** The Node.js executable that runs the runner (an explicit runtime; default: this process's). */
  nodePath?: string;
  /** The built runner script (default: dist/runner.js next to this bundle). */
  runnerPath?: string;
  /** Extra arguments for the runtime, e.g. `--max-old-space-size=4096`. */
  execArgv?: string[];
  /** Time between `stop` and a hard kill, in ms. */
  graceMs?: number;
  /** Time allowed for the runner to say `ready`, in ms. */
  handshakeMs?: number;
}

export interface RunnerListener {
  started?(manifest: Manifest, runDir: string): void;
  samples?(batch: RunnerMessageOf<'samples'>): void;
  progress?(progress: RunnerMessageOf<'progress'>): void;
  output?(stream: 'stdout' | 'stderr', text: string): void;
}

/** How a runner ended: a run that finished, a run that could not begin, or a runner that died. */
export type RunnerOutcome =
  | { kind: 'finished'; result: RunnerMessageOf<'finished'>; manifest: Manifest; runDir: string }
  | { kind: 'rejected'; rejection: Rejection }
  | { kind: 'crashed'; message: string; manifest?: Manifest; runDir?: string };

const STDERR_TAIL = 4000;
/** How long after the runner exited its channel may take to deliver what it sent before closing. */
const CHANNEL_DRAIN_MS = 2000;

/**
 * Calls `ended` once the runner has exited and every message it sent has been handled. 'exit' alone can come
 * before the channel's last messages are read (the runner sends `finished`, then exits at once): 7 of 560 fake
 * runners under a busy host ended "crashed" though their last message had been sent, and a sweep point in
 * CI's e2e run failed so. So this waits for the channel to close too, or for CHANNEL_DRAIN_MS after the exit
 * when some other process holds the channel open (a grandchild that inherited it).
 */
export function onEnded(
  child: ChildProcess,
  ended: (code: number | null, signal: NodeJS.Signals | null) => void,
): void {
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let drain: NodeJS.Timeout | undefined;
  let done = false;
  const settle = (force: boolean) => {
    if (done || !exited || (child.connected && !force)) return;
    done = true;
    clearTimeout(drain);
    ended(exited.code, exited.signal);
  };
  child.on('disconnect', () => settle(false));
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    drain = setTimeout(() => settle(true), CHANNEL_DRAIN_MS);
    settle(false);
  });
}

/** dist/runner.js, found from this module whether it runs bundled (dist/) or from source (src/host/). */
export function defaultRunnerPath(): string {
  for (const dir of [__dirname, path.join(__dirname, '..', '..', 'dist')]) {
    const candidate = path.join(dir, 'runner.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot find the runner (runner.js) near ${__dirname}; run 'npm run build' first`);
}

/**
 * One runner child process running one experiment. `done` always resolves (never rejects) with the outcome;
 * a runner that exits without finishing has its run marked failed (or cancelled when a stop was asked) in
 * the store, with the tail of its stderr, so no run stays "running" after its process is gone.
 */
export class RunnerProcess {
  readonly done: Promise<RunnerOutcome>;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private started?: { manifest: Manifest; runDir: string };
  private stopping = false;
  private killTimer?: NodeJS.Timeout;

  constructor(request: StartRequest, listener: RunnerListener = {}, options: RunnerOptions = {}) {
    this.child = fork(options.runnerPath ?? defaultRunnerPath(), [], {
      execPath: options.nodePath ?? process.execPath,
      execArgv: options.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child.stdout!.on('data', (d: Buffer) => listener.output?.('stdout', d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-STDERR_TAIL);
      listener.output?.('stderr', d.toString());
    });
    this.done = new Promise((resolve) => this.wire(request, listener, options, resolve));
  }

  /** Asks the runner to stop after its current step; kills it if it has not exited after the grace period. */
  stop(graceMs = 5000): void {
    if (this.stopping || this.child.exitCode !== null) return;
    this.stopping = true;
    this.send({ type: 'stop' });
    this.killTimer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
  }

  private send(message: HostMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  private wire(
    request: StartRequest,
    listener: RunnerListener,
    options: RunnerOptions,
    resolve: (o: RunnerOutcome) => void,
  ): void {
    let outcome: RunnerOutcome | undefined;
    const handshake = setTimeout(() => {
      outcome = {
        kind: 'crashed',
        message: `the runner did not start within ${options.handshakeMs ?? 30000} ms`,
      };
      this.child.kill('SIGKILL');
    }, options.handshakeMs ?? 30000);
    this.child.on('message', (raw: unknown) => {
      const parsed = RunnerMessage.safeParse(raw);
      if (!parsed.success) {
        outcome = { kind: 'crashed', message: `the runner sent an invalid message: ${parsed.error.message}` };
        this.child.kill('SIGKILL');
        return;
      }
      const message = parsed.data;
      switch (message.type) {
        case 'ready':
          clearTimeout(handshake);
          if (message.protocolVersion !== PROTOCOL_VERSION) {
            outcome = {
              kind: 'crashed',
              message: `the runner speaks protocol ${message.protocolVersion}, this host ${PROTOCOL_VERSION}`,
            };
            this.child.kill('SIGKILL');
          } else this.send(request);
          return;
        case 'rejected':
          outcome = { kind: 'rejected', rejection: message.rejection };
          return;
        case 'started':
          this.started = { manifest: message.manifest, runDir: message.runDir };
          listener.started?.(message.manifest, message.runDir);
          return;
        case 'samples':
          listener.samples?.(message);
          return;
        case 'progress':
          listener.progress?.(message);
          return;
        case 'finished':
          outcome = { kind: 'finished', result: message, ...this.started! };
          this.refreshManifest(outcome);
          return;
        case 'described': // only in answer to `describe` (src/host/describe.ts), never to `start`
          outcome = { kind: 'crashed', message: 'the runner described instead of running' };
          return;
        default:
          assertNever(message);
      }
    });
    this.child.on('error', (error) => {
      outcome ??= { kind: 'crashed', message: `cannot start the runner: ${error.message}` };
    });
    onEnded(this.child, (code, signal) => {
      clearTimeout(handshake);
      clearTimeout(this.killTimer);
      resolve(outcome ?? this.crashed(code, signal));
    });
  }

  /** The manifest as the runner last wrote it (its final status, scores and throughput). */
  private refreshManifest(outcome: Extract<RunnerOutcome, { kind: 'finished' }>): void {
    const read = readManifest(outcome.runDir);
    if (read.manifest) outcome.manifest = read.manifest;
  }

  private crashed(code: number | null, signal: NodeJS.Signals | null): RunnerOutcome {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = this.stderrTail.trim();
    const message = `the runner ${how}${this.stopping && signal ? ' after a stop request' : ''}${tail ? `:\n${tail}` : ''}`;
    if (!this.started) return { kind: 'crashed', message };
    const { runDir } = this.started;
    const read = readManifest(runDir);
    if (!read.manifest) return { kind: 'crashed', message, runDir };
    const manifest = writeManifest(runDir, {
      ...read.manifest,
      status: this.stopping ? 'cancelled' : 'failed',
      error: this.stopping ? null : { message },
      endedAt: new Date().toISOString(),
    });
    return { kind: 'crashed', message, manifest, runDir };
  }
}
