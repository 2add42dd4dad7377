/**
 * `kos-test cluster ...`: prepare and inspect a real cluster (or the testbed's kube front) the
 * way the seed's ops scripts do: check it against a profile, label its nodes, show the labels,
 * write the Ansible inventory, run the playbooks.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { runPlaybook } from '../../cluster/ansible-run.js';
import { purposesOf } from '../../cluster/classify.js';
import { checkProfile, renderCheck } from '../../cluster/profile-check.js';
import { checkClusterName, inventoryGroup, renderInventory } from '../../cluster/inventory.js';
import { writeInventory } from '../../cluster/inventory-file.js';
import { connectNodeApi, type NodeApi } from '../../cluster/kube-nodes.js';
import { applyLabelPlan } from '../../cluster/label-apply.js';
import { planLabels, planSummary, renderPlanTable } from '../../cluster/label-plan.js';
import { nodeTable } from '../../cluster/node-table.js';
import { loadProfile } from '../../cluster/ops-files.js';
import { opsDir } from '../../util/ops-dir.js';
import { KosTestError } from '../../util/errors.js';
import { intOption } from '../options.js';

interface Api {
  kubeconfig?: string;
  requestTimeout: string;
}

interface Common extends Api {
  profile: string;
}

const DEFAULT_INVENTORY_DIR = '/etc/ansible/hosts';

function api(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--request-timeout <seconds>', 'longest wait for one API request; 0 = no limit', '30');
}

function common(cmd: Command): Command {
  return api(cmd).option(
    '--profile <name|file>',
    'cluster profile: its naming rules classify nodes',
    'r12s24',
  );
}

function nodeApi(o: Api): NodeApi {
  const seconds = intOption('--request-timeout', o.requestTimeout, 0, 3600);
  return connectNodeApi(o.kubeconfig, { requestTimeoutMs: seconds * 1000 });
}

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('Operate a real cluster: profiles, node labels, Ansible inventory and playbooks.');

  common(cluster.command('check'))
    .description(
      'Compare the cluster with a profile (nodes per purpose, CPU, memory); exit 1 on differences.',
    )
    .action(async (o: Common) => {
      const profile = await loadProfile(o.profile);
      const nodes = await nodeApi(o).listNodes();
      const result = checkProfile(nodes, profile);
      console.log(renderCheck(result));
      if (result.differences.length > 0) {
        throw new KosTestError({
          what: `the cluster differs from profile ${profile.name}`,
          value: `${result.differences.length} difference(s), listed above`,
        });
      }
    });

  common(cluster.command('label'))
    .description('Set kos-role/<purpose>=true labels and Prometheus scrape annotations on the nodes.')
    .option('--dry-run', 'print the plan as a table and change nothing')
    .action(async (o: Common & { dryRun?: boolean }) => {
      const profile = await loadProfile(o.profile);
      const nodes = nodeApi(o);
      const plan = planLabels(await nodes.listNodes(), profile.rules);
      if (o.dryRun === true) {
        console.log(renderPlanTable(plan));
        console.log(`dry run: ${planSummary(plan, false)}`);
        return;
      }
      await applyLabelPlan(nodes, plan);
      console.log(planSummary(plan, true));
    });

  api(cluster.command('show'))
    .description('The nodes with their kos-role labels, as kubectl get Node -L kos-role/... shows them.')
    .action(async (o: Api) => {
      console.log(nodeTable(await nodeApi(o).listNodes(), Date.now()));
    });

  common(cluster.command('inventory'))
    .argument('<clustername>', 'names the file <dir>/<clustername>_L1 and its group')
    .description(
      'Write the Ansible inventory of the L1 nodes (InternalIP, nodename, kos_role_<purpose>=yes).',
    )
    .option('--dir <dir>', 'inventory directory', DEFAULT_INVENTORY_DIR)
    .action(async (clusterName: string, o: Common & { dir: string }) => {
      checkClusterName(clusterName);
      const profile = await loadProfile(o.profile);
      const nodes = await nodeApi(o).listNodes();
      const text = renderInventory(clusterName, nodes, profile.rules);
      const path = await writeInventory(o.dir, clusterName, text);
      const unclassified = nodes
        .filter((n) => purposesOf(n.name, profile.rules).length === 0)
        .map((n) => n.name);
      const note =
        unclassified.length === 0
          ? ''
          : `; unclassified, so without kos_role variables: ${unclassified.join(', ')}`;
      console.log(`wrote ${path}: group [${inventoryGroup(clusterName)}], ${nodes.length} hosts${note}`);
    });

  cluster
    .command('diff-kctl')
    .argument('<clustername>', 'the inventory written by kos-test cluster inventory <clustername>')
    .argument('[ansible-args...]', 'passed to ansible-playbook after --, e.g. -- --check')
    .description(
      'Stop kube-scheduler and kube-controller-manager on kapi nodes, kube-apiserver on kctrl nodes.',
    )
    .option('--dir <dir>', 'inventory directory', DEFAULT_INVENTORY_DIR)
    .action(async (clusterName: string, ansibleArgs: string[], o: { dir: string }) => {
      checkClusterName(clusterName);
      const code = await runPlaybook({
        playbook: join(opsDir(), 'plays', 'diff-kctl.yaml'),
        inventory: join(o.dir, inventoryGroup(clusterName)),
        extraVars: { clustername: clusterName },
        extraArgs: ansibleArgs,
        env: process.env,
      });
      if (code !== 0) {
        throw new KosTestError({
          what: 'ansible-playbook failed',
          value: `exit code ${code}`,
          exitCode: code,
        });
      }
    });
}
