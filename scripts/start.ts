// `npm start`: build and package the extension, then serve a real VS Code (code-server, on loopback) with it
// installed and the templates open, until Ctrl-C. `npm start -- <folder>` opens another folder; LM_PORT fixes the
// port (default: a free one). Uses the tools of scripts/e2eTools.sh, installed on first use.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeServer } from '../test/e2e/codeServer';
import { loadTools, vsixPath } from '../test/e2e/tools';
import { REPO_ROOT } from '../test/e2e/workspace';

function step(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
}

async function main(): Promise<void> {
  step('bash', ['scripts/e2eTools.sh']);
  step(process.execPath, ['scripts/package.mjs', '--no-check']);
  const folder = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, 'templates'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-start-'));
  const server = await CodeServer.start({
    tools: loadTools(),
    home,
    workspace: folder,
    vsix: vsixPath(REPO_ROOT),
    trusted: true,
    logFile: path.join(home, 'code-server.log'),
    port: Number(process.env.LM_PORT ?? 0),
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    if (code === 0) fs.rmSync(home, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  console.log(`\nLearning Mechanics Lab in VS Code (code-server ${loadTools().codeServerVersion}):\n`);
  console.log(`  ${server.folderUrl(folder)}\n`);
  console.log(`Log: ${path.join(home, 'code-server.log')}. Ctrl-C stops it.`);
  const code = await server.exited;
  if (stopping) return; // we stopped it (Ctrl-C)
  console.error(`code-server exited (code ${code}); see ${path.join(home, 'code-server.log')}`);
  await stop(1);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
