import type { ChildProcess } from 'node:child_process';

/** Process groups this test process started, killed when it exits however it exits. */
const groups = new Set<number>();

process.once('exit', () => {
  for (const pid of groups) signalGroup(pid, 'SIGKILL');
});

/** Tracks a child started with `detached: true` (its own process group, led by its pid). */
export function trackGroup(child: ChildProcess): void {
  if (child.pid !== undefined) groups.add(child.pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0);
}

/**
 * Ends a tracked process group: SIGTERM, then SIGKILL after `graceMs`. The group holds everything the
 * child started (code-server's server, extension host, and the runner the extension forks).
 */
export async function killGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
  groups.delete(pid);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
