/**
 * Every command the extension contributes, in one table that a test checks against package.json.
 * `palette` is the `when` clause under which the command shows in the Command Palette ('false': never).
 */
export const CATEGORY = 'Learning Mechanics';

export const RUN_COMMANDS = {
  runExperiment: {
    id: 'learningMechanics.runExperiment',
    title: 'Run Experiment',
    palette: 'learningMechanics.isExperimentFile',
  },
  runWithParameters: {
    id: 'learningMechanics.runExperimentWithParameters',
    title: 'Run Experiment with Parameters...',
    palette: 'learningMechanics.isExperimentFile',
  },
  stopRun: { id: 'learningMechanics.stopRun', title: 'Stop Run', palette: 'learningMechanics.hasActiveRun' },
  openChart: { id: 'learningMechanics.openChart', title: 'Open Chart', palette: 'learningMechanics.hasRuns' },
  compareRuns: {
    id: 'learningMechanics.compareRuns',
    title: 'Compare Runs...',
    palette: 'learningMechanics.hasRuns',
  },
  exportRun: {
    id: 'learningMechanics.exportRun',
    title: 'Export Run...',
    palette: 'learningMechanics.hasRuns',
  },
  rerunRun: { id: 'learningMechanics.rerunRun', title: 'Rerun with the Same Parameters', palette: 'false' },
  revealRun: { id: 'learningMechanics.revealRun', title: 'Reveal Run Folder', palette: 'false' },
  deleteRun: { id: 'learningMechanics.deleteRun', title: 'Delete Run', palette: 'false' },
  newFromTemplate: {
    id: 'learningMechanics.newExperimentFromTemplate',
    title: 'New Experiment from Template...',
    palette: 'true',
  },
  showLog: { id: 'learningMechanics.showLog', title: 'Show Log', palette: 'true' },
  refreshRuns: { id: 'learningMechanics.refreshRuns', title: 'Refresh Runs', palette: 'false' },
} as const;

/** The sweep commands (src/editor/sweepCommands.ts registers them). */
export const SWEEP_COMMANDS = {
  runSweep: {
    id: 'learningMechanics.runSweep',
    title: 'Run Sweep...',
    palette: 'learningMechanics.isExperimentFile',
  },
  openSweep: {
    id: 'learningMechanics.openSweep',
    title: 'Open Sweep',
    palette: 'learningMechanics.hasSweeps',
  },
  stopSweep: {
    id: 'learningMechanics.stopSweep',
    title: 'Stop Sweep',
    palette: 'learningMechanics.hasActiveSweep',
  },
} as const;

export const COMMANDS = { ...RUN_COMMANDS, ...SWEEP_COMMANDS } as const;

/** The commands src/editor/runCommands.ts registers. */
export type CommandKey = keyof typeof RUN_COMMANDS;
export type SweepCommandKey = keyof typeof SWEEP_COMMANDS;
