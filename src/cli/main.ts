/**
 * `lm`: the headless front end. The same runner and store as the VS Code extension.
 *   lm run <file> [--experiment Name] [--set name=value]... [--steps N] [--seed S] [--backend B] [--json]
 *   lm sweep <file> [--sweep name] [--grid name=values]... [--seeds N] [--workers N] [--json]
 *            [--backend slurm [--partition P] [--time T] [--cpus-per-task N] [--mem M] [--sbatch-line L]...
 *             [--points-per-task K] [--max-running N] [--poll-seconds S] [--detach]]
 *   lm ls | lm show <run> | lm export <run> --format csv|jsonl      (each takes --runs-dir DIR)
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BackendChoice } from '../protocol/runner';
import { EXIT, runCommand } from './runCommand';
import { exportCommand, lsCommand, showCommand } from './storeCommands';
import { sweepCommand } from './sweepCommand';
import { sweepWorkerCommand } from './sweepWorker';

const DEFAULT_RUNS_DIR = process.env.LM_RUNS_DIR ?? '.lab/runs';

function integer(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return value;
  };
}

function positive(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer`);
    return value;
  };
}

function seconds(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new InvalidArgumentError(`${name} must be a positive number`);
    return value;
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];
const runsDirOption = () => new Option('--runs-dir <dir>', 'where runs are kept').default(DEFAULT_RUNS_DIR);

function program(setExit: (code: number) => void): Command {
  const lm = new Command('lm').description(
    'Learning Mechanics Lab: run experiments and check theory predictions.',
  );
  lm.exitOverride().showHelpAfterError();
  lm.command('run <file>')
    .description('train an experiment file and score its predictions')
    .option('--experiment <name>', 'which experiment, when the file has several')
    .option(
      '--set <name=value>',
      'override a parameter (value read as JSON, else a string); repeatable',
      collect,
      [],
    )
    .option('--steps <n>', "number of training steps (default: the experiment's)", integer('--steps'))
    .option('--seed <s>', "random seed (default: the experiment's seed parameter, else 0)", integer('--seed'))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BackendChoice.options).default('auto'))
    .addOption(runsDirOption())
    .option('--json', 'print one JSON object instead of a table')
    .action(async (file: string, flags) => setExit(await runCommand(file, flags)));
  lm.command('sweep <file>')
    .description(
      "run (or resume) a sweep: the file's @sweep, or grids and seeds given here; one run per point",
    )
    .option('--experiment <name>', 'which experiment, when the file has several')
    .option('--sweep <name>', 'which @sweep, when the experiment declares several')
    .option(
      '--grid <name=values>',
      'sweep a parameter over values: a,b,c | lin:a:b:n | log:a:b:n; replaces the declared list; repeatable',
      collect,
      [],
    )
    .option('--seeds <n>', 'run every point with seeds 0..n-1', positive('--seeds'))
    .option('--steps <n>', 'training steps of every point', positive('--steps'))
    .option('--workers <n>', 'runs at a time (default: the number of cores)', positive('--workers'))
    .addOption(
      new Option('--backend <where>', 'where points run: this machine, or a SLURM job array')
        .choices(['local', 'slurm'])
        .default('local'),
    )
    .option('--partition <name>', 'slurm: partition of the array tasks')
    .option('--time <limit>', 'slurm: time limit of each array task (HH:MM:SS, D-HH:MM, minutes)')
    .option('--cpus-per-task <n>', 'slurm: CPUs of each array task', positive('--cpus-per-task'))
    .option('--mem <size>', 'slurm: memory of each array task (e.g. 4G)')
    .option(
      '--sbatch-line <option>',
      "slurm: an extra sbatch option for the batch script, e.g. '--account=abc'; repeatable",
      collect,
      [],
    )
    .option(
      '--points-per-task <k>',
      'slurm: points run one after the other by each array task (default: ceil(points / 100), or ' +
        'about 5 minutes of work per task once point durations are known)',
      positive('--points-per-task'),
    )
    .option(
      '--max-running <n>',
      'slurm: at most n array tasks at a time (the %n throttle)',
      positive('--max-running'),
    )
    .option('--poll-seconds <s>', 'slurm: seconds between two squeue polls', seconds('--poll-seconds'), 30)
    .option(
      '--detach',
      'slurm: submit and return; the same command later follows the job instead of resubmitting',
    )
    .addOption(
      new Option('--tfjs-backend <name>', 'tfjs backend of every run')
        .choices(BackendChoice.options)
        .default('auto'),
    )
    .option('--retry-failed', 'run failed points again (completed ones are always kept)')
    .option('--rerun-stale', 'run again the finished points that trained an earlier version of the file')
    .addOption(runsDirOption())
    .option('--json', 'print one JSON object instead of a table')
    .action(async (file: string, flags) => setExit(await sweepCommand(file, flags)));
  lm.command('sweep-worker <sweepDir>', { hidden: true })
    .description("run one array task's points of a SLURM sweep (started by the sweep's batch script)")
    .requiredOption('--task <a>', 'the array task ($SLURM_ARRAY_TASK_ID)', integer('--task'))
    .requiredOption(
      '--submission <n>',
      'the submission (folder slurm/<n>/ of the sweep)',
      positive('--submission'),
    )
    .action(async (sweepDir: string, flags) => setExit(await sweepWorkerCommand(sweepDir, flags)));
  lm.command('ls')
    .description('list runs, newest first')
    .addOption(runsDirOption())
    .option('--json', 'print JSON')
    .action((flags) => setExit(lsCommand(flags.runsDir, flags.json ?? false)));
  lm.command('show <run>')
    .description('show a run (an id, a unique prefix, or "latest")')
    .addOption(runsDirOption())
    .option('--json', 'print JSON')
    .action((ref: string, flags) => setExit(showCommand(flags.runsDir, ref, flags.json ?? false)));
  lm.command('export <run>')
    .description('print every sample of a run')
    .addOption(
      new Option('--format <format>', 'csv (step,series,value) or jsonl')
        .choices(['csv', 'jsonl'])
        .default('csv'),
    )
    .addOption(runsDirOption())
    .action((ref: string, flags) =>
      setExit(exportCommand(flags.runsDir, ref, flags.format, (t) => process.stdout.write(t))),
    );
  return lm;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
    console.error(`lm: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
