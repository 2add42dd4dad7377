/** The `kos-test` command: subcommands are registered here; each lives in commands/. */
import { Command, CommanderError } from 'commander';
import { registerTestbedCommands } from './commands/testbed.js';
import { registerDriveCommand } from './commands/drive.js';
import { registerCleanupCommand } from './commands/cleanup.js';
import { registerMergeCommand } from './commands/merge.js';
import { reportFailure } from './exit.js';

export function buildProgram(): Command {
  const program = new Command('kos-test')
    .description('Scale-testing for KOS: embedded testbed, load driver, experiments and reports.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTestbedCommands(program);
  registerDriveCommand(program);
  registerCleanupCommand(program);
  registerMergeCommand(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (e: unknown) {
    if (e instanceof CommanderError) return e.exitCode;
    return reportFailure(e);
  }
}
