import * as fs from 'node:fs';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { sleep } from './processes';

/** Flags that keep Debian's Chromium off the (closed) network and quiet as root in a container. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Headless Chromium through playwright-core, started as a server so that we hold its process id. */
export class BrowserSession {
  private constructor(
    private readonly server: BrowserServer,
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async start(executablePath: string, consoleLog: string): Promise<BrowserSession> {
    const server = await chromium.launchServer({ executablePath, args: CHROMIUM_ARGS, headless: true });
    try {
      const browser = await chromium.connect(server.wsEndpoint());
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      const log = fs.createWriteStream(consoleLog, { flags: 'a' });
      page.on('console', (m) => log.write(`[${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => log.write(`[pageerror] ${e.message}\n`));
      return new BrowserSession(server, browser, page);
    } catch (error) {
      await killServer(server);
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.server.process().pid;
  }

  async stop(): Promise<void> {
    await Promise.race([this.browser.close().catch(() => undefined), sleep(5000)]);
    await killServer(this.server);
  }
}

/** Closes Chromium, then makes sure its process group is gone (playwright starts it as a group leader). */
async function killServer(server: BrowserServer): Promise<void> {
  await Promise.race([server.close().catch(() => undefined), sleep(5000)]);
  await server.kill().catch(() => undefined);
}
