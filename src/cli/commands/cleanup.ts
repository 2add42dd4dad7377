/** `kos-test cleanup`: deletes the namespaces of one driver run, or of all of them. */
import type { Command } from 'commander';
import { cleanupRuns } from '../../driver/cleanup.js';
import { checkReachable } from '../../driver/drive-setup.js';
import { checkRunId } from '../../driver/plan/run-id.js';
import { kubeconfigClient } from '../../kube/kubeconfig-client.js';
import { KosTestError } from '../../util/errors.js';
import { kubeconfigPath } from '../kubeconfig-path.js';

export function registerCleanupCommand(program: Command): void {
  program
    .command('cleanup')
    .description('Delete driver runs’ namespaces (label app=attachment-tput-driver), with all they hold.')
    .option('--runid <id>', 'the run to delete')
    .option('--all', 'delete every run')
    .option('--kubeconfig <path>', 'target (default: $KUBECONFIG, else the testbed’s, else ~/.kube/config)')
    .action(async (o: { runid?: string; all?: boolean; kubeconfig?: string }) => {
      if ((o.runid === undefined) === (o.all !== true)) {
        throw new KosTestError({ what: 'kos-test cleanup needs exactly one of --runid ID and --all' });
      }
      const which = o.runid !== undefined ? { runId: checkRunId(o.runid) } : { all: true as const };
      const { client, server } = await kubeconfigClient(kubeconfigPath(o.kubeconfig));
      try {
        await checkReachable(client, server);
        const names = await cleanupRuns(client, which);
        console.log(names.length === 0 ? 'no driver runs found' : `deleted namespaces: ${names.join(' ')}`);
      } finally {
        await client.close();
      }
    });
}
