/**
 * `kos-test costs --from --to`: per-node and per-purpose costs over a window, from Prometheus.
 * Without --prometheus it uses the running testbed's (its testbed.json) and that testbed's
 * kubeconfig for the nodes' purposes. A partial table is printed and exits 3.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { collectCosts } from '../../costs/collect-costs.js';
import { nodePurposesFromKube } from '../../costs/kube-node-purposes.js';
import { readTestbedState } from '../../testbed/supervisor/testbed-state.js';
import { KosTestError, toError } from '../../util/errors.js';
import { formatCostTable } from '../cost-table-text.js';
import { intOption } from '../options.js';
import { parseTimeOption } from '../time-option.js';

const DEFAULT_DIR = '.kos-test/testbed';
/** The seed clusters' node interfaces; the testbed's traffic is all on `lo`. */
const CLUSTER_INTERFACES = 'eth[0-3]';
const TESTBED_INTERFACES = 'lo';
export const PARTIAL_EXIT_CODE = 3;

interface CostsOptions {
  from: string;
  to: string;
  prometheus?: string;
  kubeconfig?: string;
  dir: string;
  ops?: string;
  interface?: string;
  json?: boolean;
  nodes?: boolean;
}

export function registerCostsCommand(program: Command): void {
  program
    .command('costs')
    .description('Per-node and per-purpose CPU, memory and network costs over a window, from Prometheus.')
    .requiredOption('--from <time>', 'window start: RFC 3339, epoch ms, now or now-5m')
    .option('--to <time>', 'window end (same forms)', 'now')
    .option('--prometheus <url>', "Prometheus's base URL (default: the running testbed's)")
    .option('--kubeconfig <path>', "for the Nodes' kos-role labels (default: the running testbed's)")
    .option('--dir <dir>', 'testbed state directory, for the defaults', DEFAULT_DIR)
    .option('--ops <n>', 'ops done in the window: adds per-op figures')
    .option(
      '--interface <regex>',
      `network interfaces counted (default: ${TESTBED_INTERFACES} on the testbed, ${CLUSTER_INTERFACES} elsewhere)`,
    )
    .option('--nodes', 'always print the per-node rows')
    .option('--json', 'print the cost table as JSON')
    .action(async (o: CostsOptions) => {
      await costs(o);
    });
}

async function costs(o: CostsOptions): Promise<void> {
  const now = Date.now();
  const fromMs = parseTimeOption('--from', o.from, now);
  const toMs = parseTimeOption('--to', o.to, now);
  if (toMs <= fromMs) {
    throw new KosTestError({
      what: 'bad window',
      value: `--to ${o.to} is not after --from ${o.from}`,
      fix: 'give an end after the start',
    });
  }
  const ops = o.ops === undefined ? undefined : intOption('--ops', o.ops, 0, Number.MAX_SAFE_INTEGER);
  const state =
    o.prometheus === undefined || o.kubeconfig === undefined
      ? await readTestbedState(resolve(o.dir))
      : undefined;
  const fromTestbed = o.prometheus === undefined;
  const prometheusUrl = o.prometheus ?? state?.prometheus?.url;
  if (prometheusUrl === undefined) {
    throw new KosTestError({
      what: 'no Prometheus to ask',
      value: state === undefined ? `no testbed is up in ${o.dir}` : 'the testbed runs without Prometheus',
      fix: 'give --prometheus URL, or start a testbed with Prometheus (kos-test testbed up)',
    });
  }
  const warnings: string[] = [];
  let nodePurposes: Record<string, string> | undefined;
  const kubeconfig = o.kubeconfig ?? (fromTestbed ? state?.kubeconfig : undefined);
  if (kubeconfig !== undefined) {
    try {
      nodePurposes = await nodePurposesFromKube(kubeconfig);
    } catch (e: unknown) {
      if (o.kubeconfig !== undefined) throw e;
      warnings.push(`node purposes from series labels: ${toError(e).message}`);
    }
  }
  const table = await collectCosts({
    prometheusUrl,
    fromMs,
    toMs,
    ops,
    nodePurposes,
    interfaceFilter: o.interface ?? (fromTestbed ? TESTBED_INTERFACES : CLUSTER_INTERFACES),
  });
  table.warnings.unshift(...warnings);
  // Nothing at all: one line says so, rather than a table of dashes.
  if (table.nodes.length === table.noData.length) {
    const failed = table.failedQueries ?? [];
    if (failed.length > 0) {
      throw new KosTestError({
        what: 'no cost data: a query failed',
        value: failed.length > 1 ? `${failed[0] ?? ''} (and ${failed.length - 1} more)` : (failed[0] ?? ''),
      });
    }
    throw new KosTestError({
      what: 'no cost samples in the window',
      value: `${new Date(fromMs).toISOString()} .. ${new Date(toMs).toISOString()} at ${table.prometheus}`,
      fix: 'choose a window when the nodes and Prometheus ran (the testbed Prometheus starts with testbed up)',
    });
  }
  console.log(
    o.json === true ? JSON.stringify(table, null, 2) : formatCostTable(table, { nodeRows: o.nodes }),
  );
  if (table.partial) {
    throw new KosTestError({
      what: 'the cost table is partial',
      value: `${table.warnings.length} warning(s) above`,
      exitCode: PARTIAL_EXIT_CODE,
    });
  }
}
