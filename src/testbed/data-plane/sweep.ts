/**
 * Removes everything a testbed's data plane left on the host: the post-delete commands its agent
 * groups still owe (from their journals) and every network namespace named with its prefix (the
 * fabric namespace; deleting it deletes its bridges and veth pairs, with the ends that commands
 * moved elsewhere). `testbed up` runs it before starting (leftovers of a kill -9) and `down`
 * after the agents stopped.
 */
import { startCommand } from './run-command.js';
import { takeOwedCommands } from './cleanup-journal.js';
import { ip, listNetns } from './linux-fabric.js';

export interface SweepResult {
  namespaces: string[];
  commands: number;
  failed: string[];
}

export async function sweepDataPlane(opts: {
  prefix: string;
  /** Where its journals are; undefined when unknown (its owed commands are lost). */
  journalDir: string | undefined;
  timeoutMs: number;
}): Promise<SweepResult> {
  const failed: string[] = [];
  const namespaces = (await listNetns()).filter((n) => n.startsWith(`${opts.prefix}-`));
  for (const ns of namespaces) {
    await ip(['netns', 'delete', ns]).catch((e: unknown) => failed.push(String(e)));
  }
  const owed = opts.journalDir === undefined ? [] : await takeOwedCommands(opts.journalDir);
  for (const argv of owed) {
    const report = await startCommand(argv, argv, { timeoutMs: opts.timeoutMs }).done;
    if (report.exitStatus !== 0)
      failed.push(`${argv.join(' ')}: exit ${report.exitStatus} ${report.stdErr.trim()}`);
  }
  return { namespaces, commands: owed.length, failed };
}
