import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { killGroup, trackGroup } from './processes';
import type { E2eTools } from './tools';

const LOG_TAIL = 4000;

/** User settings that keep the workbench quiet and offline, so screenshots show only what a test did. */
const QUIET_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.startupPrompt': 'never',
  'window.restoreWindows': 'none',
};

export interface CodeServerOptions {
  tools: E2eTools;
  /** A private temp folder: user data, extensions and code-server's own config go under it. */
  home: string;
  workspace: string;
  vsix: string;
  /** false leaves workspace trust on, so the folder opens in Restricted Mode. */
  trusted: boolean;
  /** code-server's output is appended here. */
  logFile: string;
  /** Loopback port; 0 (the default) lets the system pick a free one. */
  port?: number;
}

/** One code-server on loopback with a fresh user-data and extensions folder and our VSIX installed. */
export class CodeServer {
  /** Settles when code-server exits, with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly userDataDir: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const dirs = prepareDirs(options.home);
    await installExtension(options, dirs);
    const trust = options.trusted ? ['--disable-workspace-trust'] : [];
    const args = [
      ...common(dirs),
      ...['--auth', 'none', '--bind-addr', `127.0.0.1:${options.port ?? 0}`],
      ...['--disable-telemetry', '--disable-update-check'],
      ...trust,
      options.workspace,
    ];
    const child = spawn(options.tools.node, [options.tools.codeServer, ...args], {
      detached: true, // its own process group: stopping it ends the extension host and runners too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: environment(options.tools, options.home),
    });
    trackGroup(child);
    try {
      const url = await listeningUrl(child, options.logFile);
      return new CodeServer(child, url, dirs.userData);
    } catch (error) {
      await killGroup(child);
      throw error;
    }
  }

  /** The workbench URL with `folder` open. */
  folderUrl(folder: string): string {
    return `${this.url}?folder=${encodeURIComponent(folder)}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    await killGroup(this.child);
  }
}

interface Dirs {
  userData: string;
  extensions: string;
  config: string;
}

function prepareDirs(home: string): Dirs {
  const dirs = {
    userData: path.join(home, 'user-data'),
    extensions: path.join(home, 'extensions'),
    config: path.join(home, 'code-server.yaml'),
  };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.mkdirSync(dirs.extensions, { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(QUIET_USER_SETTINGS, null, 2),
  );
  return dirs;
}

function common(dirs: Dirs): string[] {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Node 24 first on PATH (code-server's scripts say `#!/usr/bin/env node`); XDG folders kept private. */
function environment(tools: E2eTools, home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${tools.nodeBin}${path.delimiter}${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: path.join(home, 'xdg-config'),
    XDG_DATA_HOME: path.join(home, 'xdg-data'),
  };
}

async function installExtension(options: CodeServerOptions, dirs: Dirs): Promise<void> {
  const args = [options.tools.codeServer, ...common(dirs), '--install-extension', options.vsix];
  try {
    const { stdout, stderr } = await promisify(execFile)(options.tools.node, args, {
      env: environment(options.tools, options.home),
      timeout: 120_000,
    });
    fs.appendFileSync(options.logFile, `$ code-server --install-extension\n${stdout}${stderr}\n`);
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `code-server --install-extension ${options.vsix} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    );
  }
}

/** Resolves with the URL code-server prints once it listens; rejects with its output if it exits first. */
function listeningUrl(child: ChildProcess, logFile: string, timeoutMs = 60_000): Promise<string> {
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  let tail = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`code-server did not listen within ${timeoutMs} ms`), timeoutMs);
    const fail = (message: string) => {
      clearTimeout(timer);
      reject(new Error(`${message}; its output ends with:\n${tail}`));
    };
    const onData = (data: Buffer) => {
      log.write(data);
      tail = (tail + data.toString()).slice(-LOG_TAIL);
      const match = /HTTP server listening on (http:\/\/[^\s]+)/.exec(tail);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].endsWith('/') ? match[1] : `${match[1]}/`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => fail(`code-server exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(`code-server did not start: ${error.message}`));
  });
}
