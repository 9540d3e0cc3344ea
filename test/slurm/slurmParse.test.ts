import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  batchScript,
  checkSlurmOptions,
  choosePointsPerTask,
  medianPointSeconds,
  monitorSubmission,
  packTasks,
  sbatchLine,
  SlurmOptionError,
  type SlurmTools,
  type Submission,
} from '../../src/sweep/slurm';
import {
  isHeldReason,
  parseSbatch,
  parseScontrolJobs,
  parseSqueue,
  parseTaskIds,
  parseTimeLimit,
  taskDetails,
  taskPhase,
} from '../../src/sweep/slurmParse';
import {
  pendingRecord,
  readPoint,
  writePoint,
  writeSweepManifest,
  type PointRecord,
  type SweepManifest,
} from '../../src/sweep/sweepStore';

/** Captured from Debian 12's Slurm 22.05.8 (scripts/slurm/start.sh) with `-o '%F|%K|%T|%r|%N'`. */
const SQUEUE_ALL = `5|1|CANCELLED|None|vm
1|2|COMPLETED|None|vm
5|3|PENDING|JobArrayTaskLimit|
5|5|PENDING|JobArrayTaskLimit|
5|4|PENDING|JobHeldAdmin|
5|2|RUNNING|None|vm
5|0|RUNNING|None|vm
9|N/A|RUNNING|None|vm
`;
/** Without -r, pending tasks of an array collapse into one line with a range. */
const SQUEUE_COLLAPSED = `5|1|CANCELLED|None|vm
5|3-5|PENDING|JobArrayTaskLimit,JobHeldAdmin|
5|2|RUNNING|None|vm
5|0|RUNNING|None|vm
`;
const SQUEUE_REQUEUED = `22|2|PENDING|BeginTime|
22|1|PENDING|job requeued in held state|
22|0|RUNNING|None|vm
`;
const SCONTROL_HELD = `JobId=24 ArrayJobId=22 ArrayTaskId=1 JobName=wrap
   UserId=root(0) GroupId=root(0) MCS_label=N/A
   Priority=0 Nice=0 Account=(null) QOS=(null)
   JobState=PENDING Reason=job_requeued_in_held_state Dependency=(null)
   Requeue=1 Restarts=1 BatchFlag=1 Reboot=0 ExitCode=0:0
   NodeList=(null)

`;
const SCONTROL_TWO = `JobId=9 JobName=wrap
   JobState=TIMEOUT Reason=TimeLimit Dependency=(null)
   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15
   NodeList=vm
   Comment=two words here

JobId=25 JobName=wrap
   JobState=FAILED Reason=NonZeroExitCode Dependency=(null)
   Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0
`;

describe('SLURM output parsing', () => {
  it('reads one job out of squeue, expanding ranges and skipping malformed lines', () => {
    const all = parseSqueue(SQUEUE_ALL, '5');
    assert.deepEqual([...all.tasks.keys()].sort(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(all.tasks.get(4), { task: 4, state: 'PENDING', reason: 'JobHeldAdmin', nodes: '' });
    assert.equal(all.tasks.get(2)?.nodes, 'vm');
    assert.equal(all.tasks.get(2)?.reason, '', 'None is no reason');
    const collapsed = parseSqueue(SQUEUE_COLLAPSED, '5');
    assert.deepEqual([...collapsed.tasks.keys()].sort(), [0, 1, 2, 3, 4, 5]);
    const odd = parseSqueue('garbage\n5|x|RUNNING|None|vm\n5|7|CANCELLED+|None|vm\n\n', '5');
    assert.deepEqual(odd.skipped, ['garbage', '5|x|RUNNING|None|vm']);
    assert.equal(odd.tasks.get(7)?.state, 'CANCELLED');
  });

  it('expands the task id forms squeue prints', () => {
    assert.deepEqual(parseTaskIds('4'), [4]);
    assert.deepEqual(parseTaskIds('[3-5%2]'), [3, 4, 5]);
    assert.deepEqual(parseTaskIds('1,4,7-8'), [1, 4, 7, 8]);
    assert.deepEqual(parseTaskIds('0-6:3'), [0, 3, 6]);
    assert.equal(parseTaskIds('N/A'), null);
    assert.equal(parseTaskIds('5-2'), null);
  });

  it('maps every state, odd ones included, onto what it means for the points', () => {
    const phase = (state: string, reason = '') => taskPhase({ state, reason });
    assert.equal(phase('COMPLETED'), 'done');
    for (const s of [
      'PENDING',
      'RUNNING',
      'COMPLETING',
      'CONFIGURING',
      'REQUEUED',
      'SUSPENDED',
      'WHATEVER_NEW',
    ])
      assert.equal(phase(s), 'active', s);
    for (const s of ['CANCELLED', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'FAILED'])
      assert.equal(phase(s), 'interrupted', s);
    for (const s of ['TIMEOUT', 'OUT_OF_MEMORY']) assert.equal(phase(s), 'failed', s);
    assert.equal(phase('PENDING', 'launch failed requeued held'), 'held');
    assert.equal(phase('PENDING', 'job requeued in held state'), 'held');
    assert.equal(phase('PENDING', 'JobHeldUser'), 'held');
    assert.equal(phase('REQUEUE_HOLD'), 'held');
    assert.equal(phase('SPECIAL_EXIT'), 'held');
    assert.equal(phase('PENDING', 'JobArrayTaskLimit'), 'active');
    assert.ok(isHeldReason('launch_failed_requeued_held'));
    const requeued = parseSqueue(SQUEUE_REQUEUED, '22');
    assert.equal(taskPhase(requeued.tasks.get(1)!), 'held');
    assert.equal(taskPhase(requeued.tasks.get(2)!), 'active');
  });

  it("reads scontrol's records, values with spaces included", () => {
    const [held] = parseScontrolJobs(SCONTROL_HELD);
    assert.deepEqual(taskDetails(held), {
      state: 'PENDING',
      reason: 'job_requeued_in_held_state',
      exitCode: '0:0',
      restarts: 1,
      nodes: '',
    });
    const two = parseScontrolJobs(SCONTROL_TWO);
    assert.equal(two.length, 2);
    assert.equal(two[0].Comment, 'two words here');
    assert.equal(taskDetails(two[0]).exitCode, '0:15');
    assert.equal(taskDetails(two[1]).state, 'FAILED');
  });

  it("reads sbatch's job id and refuses anything else", () => {
    assert.equal(parseSbatch('123\n'), '123');
    assert.equal(parseSbatch('123;cluster1\n'), '123');
    assert.throws(() => parseSbatch('Submitted batch job 12'), /no job id/);
  });

  it('reads SLURM time limits', () => {
    assert.equal(parseTimeLimit('90'), 5400);
    assert.equal(parseTimeLimit('1:30'), 90);
    assert.equal(parseTimeLimit('01:00:00'), 3600);
    assert.equal(parseTimeLimit('1-2'), 26 * 3600);
    assert.equal(parseTimeLimit('1-00:30'), 24 * 3600 + 1800);
    assert.equal(parseTimeLimit('UNLIMITED'), null);
    assert.throws(() => parseTimeLimit('1h'), /not a SLURM time limit/);
  });
});

describe('SLURM submission', () => {
  it('packs points into tasks: ceil(points / 100) by default, ~5 min per task when durations are known', () => {
    assert.deepEqual(packTasks([0, 1, 2, 3, 4], 2), [[0, 1], [2, 3], [4]]);
    assert.equal(choosePointsPerTask(6, {}, null), 1);
    assert.equal(choosePointsPerTask(1000, {}, null), 10);
    assert.equal(choosePointsPerTask(1000, { pointsPerTask: 3 }, null), 3);
    assert.equal(choosePointsPerTask(1000, {}, 10), 30);
    assert.equal(choosePointsPerTask(1000, { time: '00:02:00' }, 10), 6, 'within half the time limit');
    assert.equal(choosePointsPerTask(1000, { time: '00:00:10' }, 60), 1);
    assert.equal(choosePointsPerTask(4, {}, 1), 4, 'never more than the points');
    const point = (s: number): PointRecord => ({
      ...pendingRecord(0),
      state: 'completed',
      startedAt: new Date(0).toISOString(),
      endedAt: new Date(s * 1000).toISOString(),
    });
    assert.equal(medianPointSeconds([point(1), point(9), point(3)]), 3);
    assert.equal(medianPointSeconds([pendingRecord(0)]), null);
  });

  it('checks options and extra sbatch lines, naming the bad one', () => {
    const ok = { sbatchLines: [], pollSeconds: 30 };
    assert.doesNotThrow(() => checkSlurmOptions({ ...ok, time: '1-00:00', mem: '8G', partition: 'gpu,cpu' }));
    assert.throws(() => checkSlurmOptions({ ...ok, time: '2 hours' }), /--time: '2 hours'/);
    assert.throws(() => checkSlurmOptions({ ...ok, mem: 'lots' }), /--mem 'lots'/);
    assert.throws(() => checkSlurmOptions({ ...ok, partition: 'a b' }), /--partition 'a b'/);
    assert.throws(() => checkSlurmOptions({ ...ok, pollSeconds: 0 }), /--poll-seconds/);
    assert.equal(sbatchLine('--qos=short'), '#SBATCH --qos=short');
    assert.equal(sbatchLine('#SBATCH --account=abc'), '#SBATCH --account=abc');
    assert.throws(() => sbatchLine('rm -rf /'), SlurmOptionError);
    assert.throws(() => sbatchLine('--array=0-3'), /sets the array/);
    assert.throws(() => sbatchLine('--qos=a\nrm -rf /'), SlurmOptionError);
  });

  it('writes a batch script with the resources and the worker of this machine', () => {
    const script = batchScript({
      sweepDir: "/runs/sweeps/it's",
      submission: 2,
      nodePath: '/usr/bin/node',
      cliPath: '/opt/lm/dist/cli.js',
      slurm: {
        partition: 'p',
        time: '10',
        cpusPerTask: 2,
        mem: '1G',
        sbatchLines: ['--qos=q'],
        pollSeconds: 1,
      },
    });
    const lines = script.split('\n');
    assert.equal(lines[0], '#!/bin/bash');
    for (const l of ['--partition=p', '--time=10', '--cpus-per-task=2', '--mem=1G', '--qos=q'])
      assert.ok(lines.includes(`#SBATCH ${l}`), l);
    assert.ok(
      script.includes(
        `exec '/usr/bin/node' '/opt/lm/dist/cli.js' sweep-worker '/runs/sweeps/it'\\''s' --task "$SLURM_ARRAY_TASK_ID" --submission 2`,
      ),
      script,
    );
  });
});

describe('SLURM coordinator (scripted squeue)', () => {
  let dir: string;
  let manifest: SweepManifest;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-slurm-unit-'));
    manifest = {
      schemaVersion: 1,
      id: 'Decay-rates-0123456789',
      name: 'rates',
      experiment: 'Decay',
      file: '/nowhere/decay.exp.ts',
      spec: { grid: { rate: [1, 2, 3, 4, 5, 6] }, seeds: [0], summarize: {} },
      steps: 10,
      points: [1, 2, 3, 4, 5, 6].map((rate, index) => ({ index, overrides: { rate }, seed: 0 })),
      createdAt: new Date().toISOString(),
      backend: { kind: 'slurm', jobId: '7', pointsPerTask: 2 },
      coordinator: null,
    };
    writeSweepManifest(dir, manifest);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const elsewhere = (index: number, state: PointRecord['state'], startedAt: string): PointRecord => ({
    ...pendingRecord(index),
    state,
    attempts: 1,
    startedAt,
    endedAt: state === 'running' ? null : startedAt,
    executor: { pid: 1, hostname: 'node-17' },
  });

  it('settles the points of tasks the scheduler ended, from its state, and reports held tasks', async () => {
    const submittedAt = new Date(Date.now() - 60_000).toISOString();
    const startedAt = new Date().toISOString();
    const submission: Submission = {
      submission: 1,
      jobId: '7',
      tasks: [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
      submittedAt,
      tfjsBackend: 'cpu',
      retryFailed: false,
      sbatch: [],
    };
    writePoint(dir, elsewhere(0, 'completed', startedAt));
    writePoint(dir, elsewhere(1, 'completed', startedAt));
    writePoint(dir, elsewhere(2, 'running', startedAt)); // its node died
    writePoint(dir, elsewhere(4, 'completed', startedAt));
    writePoint(dir, elsewhere(5, 'running', startedAt)); // timed out
    const polls = [
      '7|0|COMPLETED|None|n1\n7|1|RUNNING|None|n2\n7|2|PENDING|launch failed requeued held|\n',
      '7|0|COMPLETED|None|n1\n7|1|NODE_FAIL|None|n2\n7|2|TIMEOUT|TimeLimit|n3\n',
      '7|0|COMPLETED|None|n1\n7|1|NODE_FAIL|None|n2\n7|2|TIMEOUT|TimeLimit|n3\n',
    ];
    const calls: string[] = [];
    const tools: SlurmTools = {
      run: (command, args) => {
        calls.push(`${command} ${args.join(' ')}`);
        if (command === 'squeue')
          return Promise.resolve({ code: 0, stdout: polls.shift() ?? '', stderr: '' });
        if (command === 'scontrol')
          return Promise.resolve({ code: 0, stdout: 'JobId=9 JobState=TIMEOUT ExitCode=0:15', stderr: '' });
        return Promise.resolve({ code: 1, stdout: '', stderr: `unexpected ${command}` });
      },
    };
    const lines: string[] = [];
    const result = await monitorSubmission(dir, manifest, submission, {
      pollSeconds: 0.01,
      tools,
      log: (l) => lines.push(l),
    });
    assert.equal(result.interrupted, false);
    const states = result.points.map((p) => p.state);
    assert.deepEqual(states, ['completed', 'completed', 'cancelled', 'cancelled', 'completed', 'failed']);
    assert.match(readPoint(dir, 2).error!, /SLURM task 7_1 ended NODE_FAIL while the point was running/);
    assert.match(readPoint(dir, 3).error!, /before the point started/);
    assert.match(readPoint(dir, 5).error!, /7_2 ended TIMEOUT \(TimeLimit\) while .*exit code 0:15/);
    assert.ok(
      lines.some((l) =>
        /7_2 .* is held \(launch failed requeued held\): release it with 'scontrol release 7_2'/.test(l),
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /7_1 .*ended NODE_FAIL.*run again/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /7_2 .*ended TIMEOUT.*raise --time/.test(l)),
      lines.join('\n'),
    );
    assert.equal(calls.filter((c) => c.startsWith('squeue')).length, 3, 'one squeue per poll for the array');
    assert.ok(calls.includes('scontrol show job 7_2'));
  });

  it('does not give up a task shown PREEMPTED for one poll before SLURM requeues it', async () => {
    const startedAt = new Date().toISOString();
    const submission: Submission = {
      submission: 1,
      jobId: '11',
      tasks: [[0]],
      submittedAt: new Date(Date.now() - 1000).toISOString(),
      tfjsBackend: 'cpu',
      retryFailed: false,
      sbatch: [],
    };
    writePoint(dir, elsewhere(0, 'running', startedAt));
    const polls = [
      '11|0|PREEMPTED|None|n1\n',
      '11|0|PENDING|BeginTime|\n',
      '11|0|RUNNING|None|n2\n',
      '11|0|COMPLETED|None|n2\n',
    ];
    const lines: string[] = [];
    const result = await monitorSubmission(dir, manifest, submission, {
      pollSeconds: 0.01,
      tools: {
        run: () => {
          const next = polls.shift();
          // the requeued task ran the point; its record shows a poll after the task ended (a shared filesystem)
          if (next === undefined) writePoint(dir, elsewhere(0, 'completed', startedAt));
          return Promise.resolve({ code: 0, stdout: next ?? '11|0|COMPLETED|None|n2\n', stderr: '' });
        },
      },
      log: (l) => lines.push(l),
    });
    assert.equal(result.points[0].state, 'completed', JSON.stringify(result.points[0]));
    assert.ok(
      lines.some((l) => /11_0 \(point 0\) ended PREEMPTED/.test(l)),
      lines.join('\n'),
    );
  });

  it('on interrupt, scancels the job and marks its running points cancelled', async () => {
    const startedAt = new Date().toISOString();
    writePoint(dir, elsewhere(0, 'running', startedAt));
    const submission: Submission = {
      submission: 1,
      jobId: '8',
      tasks: [[0], [1]],
      submittedAt: startedAt,
      tfjsBackend: 'cpu',
      retryFailed: false,
      sbatch: [],
    };
    const calls: string[] = [];
    const tools: SlurmTools = {
      run: (command, args) => {
        calls.push(`${command} ${args.join(' ')}`);
        if (command === 'squeue')
          return Promise.resolve({
            code: 0,
            stdout: '8|0|RUNNING|None|n\n8|1|PENDING|Priority|\n',
            stderr: '',
          });
        return Promise.resolve({ code: 0, stdout: '', stderr: '' });
      },
    };
    const lines: string[] = [];
    const result = await monitorSubmission(dir, manifest, submission, {
      pollSeconds: 30,
      tools,
      log: (l) => lines.push(l),
      interrupt: new Promise((resolve) => setTimeout(resolve, 50)),
    });
    assert.equal(result.interrupted, true);
    assert.ok(calls.includes('scancel 8'), calls.join('\n'));
    assert.equal(readPoint(dir, 0).state, 'cancelled');
    assert.equal(readPoint(dir, 1).state, 'cancelled');
    assert.ok(
      lines.some((l) => /1 running point marked cancelled/.test(l)),
      lines.join('\n'),
    );
  });

  it('keeps polling through squeue errors and treats a purged job as gone', async () => {
    const submission: Submission = {
      submission: 1,
      jobId: '9',
      tasks: [[0]],
      submittedAt: new Date().toISOString(),
      tfjsBackend: 'cpu',
      retryFailed: false,
      sbatch: [],
    };
    const answers = [
      { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Socket timed out on send/recv operation' },
      { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' },
      { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified' },
    ];
    const lines: string[] = [];
    const result = await monitorSubmission(dir, manifest, submission, {
      pollSeconds: 0.01,
      tools: {
        run: () =>
          Promise.resolve(
            answers.shift() ?? answers[0] ?? { code: 1, stdout: '', stderr: 'Invalid job id specified' },
          ),
      },
      log: (l) => lines.push(l),
    });
    assert.ok(lines[0].startsWith('squeue failed (will retry): slurm_load_jobs error: Socket timed out'));
    assert.equal(result.points[0].state, 'cancelled');
    assert.match(result.points[0].error!, /left the queue without a final state before the point started/);
  });
});
