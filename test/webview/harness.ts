import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../src/protocol/webview';

/**
 * A browser harness for the chart panel: builds the webview bundle (as esbuild.mjs does) into a private
 * temporary folder, serves it with media/chart.css and test/webview/harness.html from 127.0.0.1 under the
 * extension's CSP, and drives it in Chromium through playwright-core. A fake `acquireVsCodeApi`
 * (fakeVscode.js) records the posted messages and state.
 */
export const CHROMIUM = process.env.LM_CHROMIUM ?? '/usr/bin/chromium';

const ROOT = path.join(__dirname, '..', '..');
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export type Theme = 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast';

export class Harness {
  private constructor(
    readonly browser: Browser,
    private readonly server: http.Server,
    private readonly dir: string,
    readonly baseUrl: string,
  ) {}

  /** Starts everything, or returns null when Chromium is not installed at CHROMIUM. */
  static async start(): Promise<Harness | null> {
    if (!fs.existsSync(CHROMIUM)) return null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-webview-'));
    await buildWebview(path.join(dir, 'webview.js'));
    const server = http.createServer((req, res) => serve(dir, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    return new Harness(browser, server, dir, `http://127.0.0.1:${port}`);
  }

  /** A fresh panel page in `theme`, with `state` as what `vscode.getState()` returns. */
  async open(
    options: { theme?: Theme; state?: unknown; width?: number; height?: number } = {},
  ): Promise<PanelPage> {
    const page = await this.browser.newPage({
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      deviceScaleFactor: 1,
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.addInitScript((state) => {
      (window as unknown as { __lmInitialState: unknown }).__lmInitialState = state;
    }, options.state ?? null);
    await page.goto(`${this.baseUrl}/test/webview/harness.html`);
    if (options.theme) await setTheme(page, options.theme);
    await page.waitForFunction(() => (window as unknown as { __lmPanel?: unknown }).__lmPanel !== undefined);
    return new PanelPage(page, errors);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise((resolve) => this.server.close(resolve));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

interface PanelWindow {
  __lmPanel: { renders: number; lastRenderAt: number; charts(): Record<string, ChartSummary> };
  __vscodeMessages: WebviewToHost[];
  __vscodeState(): unknown;
  __cspViolations: string[];
}

export interface ChartSummary {
  xScale: string;
  yScale: string;
  xRange: { min: number; max: number } | null;
  datasets: Array<{ label: string; points: number; last: { x: number; y: number } | null; hidden: boolean }>;
}

/** One panel page and what it has done. */
export class PanelPage {
  constructor(
    readonly page: Page,
    readonly errors: string[],
  ) {}

  /** Posts a host message and waits for the frame that draws it. */
  async post(message: HostToWebview): Promise<void> {
    const before = await this.renders();
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
    await this.page.waitForFunction((n) => (window as unknown as PanelWindow).__lmPanel.renders > n, before);
  }

  renders(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as PanelWindow).__lmPanel.renders);
  }

  messages(): Promise<WebviewToHost[]> {
    return this.page.evaluate(() => (window as unknown as PanelWindow).__vscodeMessages);
  }

  /** Waits for a posted message of `type` after the first `skip` messages, and returns it. */
  async waitForMessage<T extends WebviewToHost['type']>(
    type: T,
    skip = 0,
  ): Promise<Extract<WebviewToHost, { type: T }>> {
    const handle = await this.page.waitForFunction(
      ([t, n]) => (window as unknown as PanelWindow).__vscodeMessages.slice(n).find((m) => m.type === t),
      [type, skip] as const,
    );
    return (await handle.jsonValue()) as Extract<WebviewToHost, { type: T }>;
  }

  state(): Promise<unknown> {
    return this.page.evaluate(() => (window as unknown as PanelWindow).__vscodeState());
  }

  charts(): Promise<Record<string, ChartSummary>> {
    return this.page.evaluate(() => (window as unknown as PanelWindow).__lmPanel.charts());
  }

  cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as PanelWindow).__cspViolations);
  }

  setTheme(theme: Theme): Promise<void> {
    return setTheme(this.page, theme);
  }

  async screenshot(file: string): Promise<void> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, fullPage: true });
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

async function setTheme(page: Page, theme: Theme): Promise<void> {
  await page.evaluate((t) => {
    document.body.className = t;
  }, theme);
}

/** The webview target of esbuild.mjs, alone (the other targets are not needed here). */
export async function buildWebview(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'webviews', 'app', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Serves /dist/webview.js from the build folder and /media, /test/webview from the repository. */
function serve(buildDir: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const file =
    url.pathname === '/dist/webview.js'
      ? path.join(buildDir, 'webview.js')
      : /^\/(media|test\/webview)\/[\w.-]+$/.test(url.pathname)
        ? path.join(ROOT, url.pathname)
        : null;
  if (!file || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}
