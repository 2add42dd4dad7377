/** `kos-test testbed ...`: the embedded testbed's commands. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { installExitHandlers } from '../exit.js';
import { startApiserverStack } from '../../testbed/apiserver-stack.js';
import { TESTBED_LIMITS as L } from '../../testbed/testbed-limits.js';
import { etcdMembersOption, intOption } from '../options.js';
import { registerTestbedCalibrate } from './testbed-calibrate.js';
import { registerTestbedLifecycle } from './testbed-lifecycle.js';
import { runApiserverSmokeCheck } from '../../testbed/apiserver-smoke-check.js';

export function registerTestbedCommands(program: Command): void {
  const testbed = program
    .command('testbed')
    .description('The embedded KOS testbed on this machine (loopback only).');
  registerTestbedLifecycle(testbed);
  registerTestbedCalibrate(testbed);
  testbed
    .command('apiserver')
    .description('Start real etcd and network-apiservers for manual use; stop with ^C.')
    .option('--netcd <n>', 'etcd members for KOS objects: 1 or 3', '1')
    .option('--nna <n>', 'number of network-apiservers', '1')
    .option('--dir <dir>', 'state directory (etcd data, logs, kubeconfig)', '.kos-test/apiserver')
    .option('--check', 'run a self-check through the Kubernetes client, print its result, and stop')
    .action(async (o: { netcd: string; nna: string; dir: string; check?: boolean }) => {
      const netcd = etcdMembersOption('--netcd', o.netcd);
      const nna = intOption('--nna', o.nna, L.nna.min, L.nna.max);
      installExitHandlers();
      const dir = resolve(o.dir);
      const stack = await startApiserverStack({ dir, netcdMembers: netcd, napiCount: nna });
      try {
        console.log(`etcd (netcd): ${stack.etcd.clientUrls.join(', ')}`);
        for (const n of stack.napis) console.log(`network-apiserver ${n.name}: ${n.url}`);
        console.log(`kubeconfig: ${stack.kubeconfigPath}`);
        if (o.check === true) {
          const report = await runApiserverSmokeCheck(stack.kubeconfigPath, dir);
          console.log(report.summary);
          console.log(`check report: ${report.path}`);
          return;
        }
        console.log(
          `\nTry: KUBECONFIG=${stack.kubeconfigPath} kubectl get subnets,networkattachments,iplocks -A`,
        );
        console.log('Press ^C to stop.');
        // ^C and SIGTERM go through the exit handlers, which run the stack's stop hook and exit.
        await new Promise<never>(() => undefined);
      } finally {
        await stack.stop();
      }
    });
}
