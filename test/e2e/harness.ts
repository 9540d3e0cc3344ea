// The end-to-end harness: a real VS Code (code-server on loopback, Node 24) with the packaged VSIX installed,
// driven by Debian's Chromium through playwright-core. A scenario is one file in scenarios/ named *.e2e.ts:
//
//   const lab = useLab({ name: 'my scenario', files: { 'x.exp.ts': '...' }, trusted: true });
//   it('does the thing', async () => { await lab().workbench.runCommand('Learning Mechanics: ...'); ... });
//
// Tools come from scripts/e2eTools.sh (tools.json in the cache), the VSIX from `npm run package`; both are done
// by `npm run test:e2e`. Pictures and logs: test-results/e2e/<scenario>/. LM_E2E_KEEP=1 keeps the temp folders.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually } from './eventually';
import { performance } from 'node:perf_hooks';
import { listRuns, type RunSummary } from '../../src/store/runsDir';
import { BrowserSession } from './browser';
import { CodeServer } from './codeServer';
import { loadTools, vsixPath } from './tools';
import { Workbench, slug } from './workbench';
import { REPO_ROOT, makeWorkspace, type WorkspaceOptions } from './workspace';

/** Screenshots and logs of every scenario go under here (CI keeps the folder). */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

/** Where the extension keeps runs in the test workspace (set explicitly in its settings). */
export const RUNS_DIRECTORY = '.lab/runs';

export interface LabOptions extends WorkspaceOptions {
  /** Names the scenario's results folder. */
  name: string;
  /** false opens the workspace in Restricted Mode (workspace trust left on). Default true. */
  trusted?: boolean;
}

/**
 * One scenario's world: a workspace (a copy of templates/), a code-server with the VSIX installed, and a
 * Chromium showing the workbench on that folder. `stop()` ends every process it started and keeps the logs.
 */
export class Lab {
  private codeServer?: CodeServer;
  private browser?: BrowserSession;
  private workbenchPage?: Workbench;
  readonly workspace: string;
  readonly resultsDir: string;

  private constructor(
    readonly options: LabOptions,
    private readonly home: string,
  ) {
    this.resultsDir = path.join(RESULTS_DIR, slug(options.name));
    this.workspace = path.join(home, 'workspace');
  }

  static async start(options: LabOptions): Promise<Lab> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-e2e-'));
    const lab = new Lab(options, home);
    try {
      await lab.launch();
      return lab;
    } catch (error) {
      await lab.stop();
      throw error;
    }
  }

  get workbench(): Workbench {
    if (!this.workbenchPage) throw new Error('the lab has no workbench (it failed to start)');
    return this.workbenchPage;
  }

  /** The runs the extension recorded in the workspace, newest first (read from the store, not the UI). */
  runs(): RunSummary[] {
    return listRuns(path.join(this.workspace, RUNS_DIRECTORY));
  }

  /** Waits until a run in the store has `status` (the first such run, newest first), naming what it saw. */
  async waitForRun(status: string, timeout = 120_000): Promise<RunSummary> {
    return eventually(
      `no run became ${status}`,
      async () => this.runs().find((r) => r.manifest?.status === status),
      async () => `runs: ${JSON.stringify(this.runs().map((r) => [r.id, r.manifest?.status, r.problem]))}`,
      { timeout, interval: 500 },
    );
  }

  /** A file of the workspace, read now. */
  readFile(relativePath: string): string {
    return fs.readFileSync(path.join(this.workspace, relativePath), 'utf8');
  }

  private async launch(): Promise<void> {
    const tools = loadTools();
    fs.rmSync(this.resultsDir, { recursive: true, force: true });
    fs.mkdirSync(this.resultsDir, { recursive: true });
    const settings = { 'learningMechanics.runsDirectory': RUNS_DIRECTORY, ...this.options.settings };
    makeWorkspace(this.workspace, { ...this.options, settings });
    this.codeServer = await CodeServer.start({
      tools,
      home: this.home,
      workspace: this.workspace,
      vsix: vsixPath(REPO_ROOT),
      trusted: this.options.trusted ?? true,
      logFile: path.join(this.resultsDir, 'code-server.log'),
    });
    this.browser = await BrowserSession.start(
      tools.chromium,
      path.join(this.resultsDir, 'browser-console.log'),
    );
    this.workbenchPage = new Workbench(this.browser.page, this.resultsDir);
    await this.browser.page.goto(this.codeServer.folderUrl(this.workspace));
    await this.workbenchPage.ready();
  }

  /** Screenshot of the last state, then Chromium and code-server stopped by pid; logs copied to results. */
  async stop(): Promise<void> {
    await this.workbenchPage?.screenshot('final').catch(() => undefined);
    await this.browser?.stop();
    await this.codeServer?.stop();
    copyLogs(path.join(this.home, 'user-data', 'logs'), path.join(this.resultsDir, 'vscode-logs'));
    if (!process.env.LM_E2E_KEEP) fs.rmSync(this.home, { recursive: true, force: true });
    else console.log(`kept ${this.home}`);
  }
}

function copyLogs(from: string, to: string): void {
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true });
}

/**
 * Mocha hooks for a scenario file: a lab started before its tests, a screenshot after each failed test, and
 * the lab stopped after all. Returns an accessor for the running lab.
 */
export function useLab(options: LabOptions): () => Lab {
  let lab: Lab | undefined;
  let started = 0;
  before(async function () {
    this.timeout(180_000);
    started = performance.now();
    lab = await Lab.start(options);
    console.log(`      [e2e] ${options.name}: workbench up in ${seconds(started)}`);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && lab) {
      await lab.workbench.screenshot(`failed ${this.currentTest.title}`).catch(() => undefined);
    }
  });
  after(async function () {
    this.timeout(60_000);
    await lab?.stop();
    console.log(
      `      [e2e] ${options.name}: ${seconds(started)} in all; pictures in ${lab?.resultsDir ?? RESULTS_DIR}`,
    );
  });
  return () => {
    if (!lab) throw new Error(`the lab for "${options.name}" did not start (see the "before all" hook)`);
    return lab;
  };
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
