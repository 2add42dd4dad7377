/** The `kos-test` command: subcommands are registered here; each lives in commands/. */
import { Command, CommanderError } from 'commander';
import { registerCleanupCommand } from './commands/cleanup.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerCostsCommand } from './commands/costs.js';
import { registerDriveCommand } from './commands/drive.js';
import { registerExperimentCommands } from './commands/experiment.js';
import { registerMergeCommand } from './commands/merge.js';
import { registerMetricsCommands } from './commands/metrics.js';
import { registerReportCommand } from './commands/report.js';
import { registerSelftestCommand } from './commands/selftest.js';
import { registerTestbedCommands } from './commands/testbed.js';
import { exitWithParent } from '../process/exit-with-parent.js';
import { reportFailure } from './exit.js';

export function buildProgram(): Command {
  const program = new Command('kos-test')
    .description('Scale-testing for KOS: embedded testbed, load driver, experiments and reports.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTestbedCommands(program);
  registerDriveCommand(program);
  registerMergeCommand(program);
  registerCleanupCommand(program);
  registerCostsCommand(program);
  registerExperimentCommands(program);
  registerReportCommand(program);
  registerClusterCommands(program);
  registerMetricsCommands(program);
  registerSelftestCommand(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  // Started by another kos-test process (a test, the runner's driver shards): go when it goes.
  exitWithParent(() => {
    console.error('kos-test: the process that started this command is gone: stopping');
    process.kill(process.pid, 'SIGTERM');
  });
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (e: unknown) {
    if (e instanceof CommanderError) return e.exitCode;
    return reportFailure(e);
  }
}
