/**
 * `lm`: the headless front end. The same runner and store as the VS Code extension.
 *   lm run <file> [--experiment Name] [--set name=value]... [--steps N] [--seed S] [--backend B] [--json]
 *   lm sweep <file> [--sweep name] [--grid name=values]... [--seeds N] [--workers N] [--json]
 *   lm ls | lm show <run> | lm export <run> --format csv|jsonl      (each takes --runs-dir DIR)
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BackendChoice } from '../protocol/runner';
import { EXIT, runCommand } from './runCommand';
import { exportCommand, lsCommand, showCommand } from './storeCommands';
import { sweepCommand } from './sweepCommand';

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
    .addOption(new Option('--backend <where>', 'where points run').choices(['local']).default('local'))
    .addOption(
      new Option('--tfjs-backend <name>', 'tfjs backend of every run')
        .choices(BackendChoice.options)
        .default('auto'),
    )
    .option('--retry-failed', 'run failed points again (completed ones are always kept)')
    .addOption(runsDirOption())
    .option('--json', 'print one JSON object instead of a table')
    .action(async (file: string, flags) => setExit(await sweepCommand(file, flags)));
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
