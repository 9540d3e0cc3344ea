/**
 * The SLURM backend's latency on a localhost cluster (scripts/slurm/start.sh): from the coordinator's sbatch to
 * the first sample a point's run records, split into submit → worker start (scheduling, Node start) and worker
 * start → first sample (runner fork, tfjs load, compile, first step). A 6-point sweep (decay.exp.ts 'rates', 2
 * points per task, squeue polled every second), repeated; medians are reported with the machine's load.
 *
 *   npm run build && npx tsx bench/sweepSlurm.ts [repeats]     (prints one JSON object)
 *
 * LM_SLURM_STATE=<dir of a cluster already started by scripts/slurm/start.sh> reuses that cluster.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DECAY = path.join(ROOT, 'test', 'fixtures', 'runner', 'decay.exp.ts');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Sample {
  submitToFirstSampleMs: number;
  submitToWorkerStartMs: number;
  workerStartToFirstSampleMs: number;
  sweepWallMs: number;
}

function firstSampleAt(runsDir: string): number | undefined {
  for (const name of fs.readdirSync(runsDir)) {
    if (name === 'sweeps') continue;
    try {
      if (fs.statSync(path.join(runsDir, name, 'series.bin')).size > 0) return Date.now();
    } catch {
      // no series yet
    }
  }
  return undefined;
}

/** Worker start: the earliest timestamp at the head of a task log (`[2026-...Z] task 0 of SLURM job 12`). */
function workerStartAt(submissionDir: string): number | undefined {
  const starts = fs
    .readdirSync(submissionDir)
    .filter((n) => /^task-\d+\.out$/.test(n))
    .map((n) => /^\[([^\]]+)\] task/.exec(fs.readFileSync(path.join(submissionDir, n), 'utf8'))?.[1])
    .filter((t): t is string => t !== undefined)
    .map((t) => Date.parse(t));
  return starts.length ? Math.min(...starts) : undefined;
}

async function once(env: NodeJS.ProcessEnv): Promise<Sample> {
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-slurm-'));
  try {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [CLI, 'sweep', DECAY, '--sweep', 'rates', '--backend', 'slurm', '--points-per-task', '2'].concat([
        '--poll-seconds',
        '1',
        '--tfjs-backend',
        'cpu',
        '--runs-dir',
        runsDir,
        '--json',
      ]),
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let firstSample: number | undefined;
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    while (code === undefined) {
      firstSample ??= firstSampleAt(runsDir);
      await new Promise((r) => setTimeout(r, 10));
    }
    const ended = Date.now();
    if (code !== 0 || firstSample === undefined)
      throw new Error(`the sweep failed (exit ${code}):\n${stderr}`);
    const sweeps = path.join(runsDir, 'sweeps');
    const submissionDir = path.join(sweeps, fs.readdirSync(sweeps)[0], 'slurm', '1');
    const submission = JSON.parse(fs.readFileSync(path.join(submissionDir, 'submission.json'), 'utf8')) as {
      submittedAt: string;
    };
    const submit = Date.parse(submission.submittedAt);
    const workerStart = workerStartAt(submissionDir) ?? NaN;
    return {
      submitToFirstSampleMs: firstSample - submit,
      submitToWorkerStartMs: workerStart - submit,
      workerStartToFirstSampleMs: firstSample - workerStart,
      sweepWallMs: ended - started,
    };
  } finally {
    fs.rmSync(runsDir, { recursive: true, force: true });
  }
}

export async function benchSweepSlurm(repeats = 3): Promise<Record<string, unknown>> {
  const given = process.env.LM_SLURM_STATE;
  const state = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lm-bench-slurm-state-'));
  try {
    if (!given) {
      const started = spawnSync('bash', [path.join(ROOT, 'scripts', 'slurm', 'start.sh'), state], {
        encoding: 'utf8',
        timeout: 240_000,
      });
      if (started.status !== 0) return { skipped: `SLURM could not be started: ${started.stderr.trim()}` };
    }
    const clusterEnv = JSON.parse(fs.readFileSync(path.join(state, 'env.json'), 'utf8')) as object;
    const env = { ...process.env, ...clusterEnv };
    const samples: Sample[] = [];
    for (let i = 0; i < repeats; i++) samples.push(await once(env));
    const pick = (key: keyof Sample) => ({
      median: Math.round(median(samples.map((s) => s[key]))),
      runs: samples.map((s) => Math.round(s[key])),
    });
    return {
      points: 6,
      pointsPerTask: 2,
      pollSeconds: 1,
      submitToFirstSampleMs: pick('submitToFirstSampleMs'),
      submitToWorkerStartMs: pick('submitToWorkerStartMs'),
      workerStartToFirstSampleMs: pick('workerStartToFirstSampleMs'),
      sweepWallMs: pick('sweepWallMs'),
      loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    };
  } finally {
    if (!given)
      spawnSync('bash', [path.join(ROOT, 'scripts', 'slurm', 'stop.sh'), state], { timeout: 60_000 });
  }
}

if (require.main === module) {
  const repeats = Number(process.argv[2] ?? 3);
  void benchSweepSlurm(Number.isInteger(repeats) && repeats > 0 ? repeats : 3).then((result) =>
    console.log(JSON.stringify({ sweepSlurm: result }, null, 2)),
  );
}
