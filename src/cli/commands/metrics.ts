/**
 * `kos-test metrics ...`: the cluster's Prometheus config, its manifests and the shipped files.
 * The group is open: other metrics subcommands register on the Command `registerMetricsCommands`
 * returns.
 */
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { renderClusterConfig } from '../../metrics-config/cluster-config.js';
import {
  parseMetricsOptions,
  type MetricsOptions,
  type MetricsOptionsInput,
} from '../../metrics-config/cluster-config-options.js';
import { renderManifests } from '../../metrics-config/manifests.js';
import { shippedMetricsFiles } from '../../metrics-config/shipped-files.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { intOption } from '../options.js';

interface Flags {
  out?: string;
  scrapeInterval?: string;
  scrapeTimeout?: string;
  evaluationInterval?: string;
  etcdTlsDir?: string;
  etcdInsecureSkipVerify?: boolean;
  etcdPort?: string;
  cadvisorPort?: string;
  driverPort?: string;
  sampledNodes?: string;
  purposes?: string;
  namespace?: string;
  image?: string;
  retention?: string;
  nodePort?: string;
  dataNodeLabel?: string;
  hostDataDir?: string;
}

const DEFAULTS = parseMetricsOptions();

function withOptions(cmd: Command): Command {
  const d = DEFAULTS;
  return cmd
    .option('--out <file>', 'write here (atomically) instead of stdout')
    .option('--scrape-interval <duration>', `scrape interval (default ${d.scrapeInterval})`)
    .option('--scrape-timeout <duration>', `scrape timeout (default ${d.scrapeTimeout})`)
    .option('--evaluation-interval <duration>', `rule evaluation interval (default ${d.evaluationInterval})`)
    .option(
      '--etcd-tls-dir <dir>',
      `where the main-etcd-client-tls secret is mounted (default ${d.etcdTlsDir})`,
    )
    .option('--etcd-insecure-skip-verify', "don't verify etcd's serving certificate")
    .option('--etcd-port <port>', `kube etcd client port (default ${d.etcdPort})`)
    .option('--cadvisor-port <port>', `cAdvisor port on each node (default ${d.cadvisorPort})`)
    .option('--driver-port <port>', `driver metrics port on base nodes (default ${d.driverPort})`)
    .option(
      '--sampled-nodes <regex>',
      `node names whose prometheus.io/sample pods are scraped (default ${d.sampledNodes})`,
    )
    .option('--purposes <list>', `purposes joined into the purpose label (default ${d.purposes.join(',')})`)
    .option('--namespace <ns>', `namespace of the manifests (default ${d.namespace})`)
    .option('--image <image>', `Prometheus image (default ${d.image})`)
    .option('--retention <duration>', `TSDB retention (default ${d.retention})`)
    .option('--node-port <port>', `NodePort of the Service (default ${d.nodePort})`)
    .option(
      '--data-node-label <label>',
      `node label (=true) the Deployment is pinned to (default ${d.dataNodeLabel})`,
    )
    .option('--host-data-dir <dir>', `TSDB directory on the data node (default ${d.hostDataDir})`);
}

export function metricsOptionsFromFlags(f: Flags): MetricsOptions {
  const port = (name: string, text: string | undefined, min = 1, max = 65535): number | undefined =>
    text === undefined ? undefined : intOption(name, text, min, max);
  const input: MetricsOptionsInput = {
    scrapeInterval: f.scrapeInterval,
    scrapeTimeout: f.scrapeTimeout,
    evaluationInterval: f.evaluationInterval,
    etcdTlsDir: f.etcdTlsDir,
    etcdInsecureSkipVerify: f.etcdInsecureSkipVerify,
    etcdPort: port('--etcd-port', f.etcdPort),
    cadvisorPort: port('--cadvisor-port', f.cadvisorPort),
    driverPort: port('--driver-port', f.driverPort),
    sampledNodes: f.sampledNodes,
    purposes: f.purposes?.split(',').map((p) => p.trim()),
    namespace: f.namespace,
    image: f.image,
    retention: f.retention,
    nodePort: port('--node-port', f.nodePort, 30000, 32767),
    dataNodeLabel: f.dataNodeLabel,
    hostDataDir: f.hostDataDir,
  };
  return parseMetricsOptions(input);
}

async function emit(text: string, out: string | undefined): Promise<void> {
  if (out === undefined) process.stdout.write(text);
  else await writeFileAtomic(resolve(out), text);
}

export function registerMetricsCommands(program: Command): Command {
  const metrics = program
    .command('metrics')
    .description('Prometheus configuration, manifests and Grafana dashboards for KOS.');
  withOptions(
    metrics.command('prometheus-config').description("Print the cluster's Prometheus configuration."),
  ).action(async (f: Flags) => emit(renderClusterConfig(metricsOptionsFromFlags(f)), f.out));
  withOptions(
    metrics
      .command('manifests')
      .description('Print the Kubernetes manifests that run Prometheus with that configuration.'),
  ).action(async (f: Flags) => emit(renderManifests(metricsOptionsFromFlags(f)), f.out));
  metrics
    .command('generate')
    .description(
      'Write every shipped metrics file (Prometheus config, manifests, Grafana) with the defaults.',
    )
    .option('--dir <dir>', 'the metrics directory', 'metrics')
    .action(async (f: { dir: string }) => {
      for (const file of shippedMetricsFiles(DEFAULTS)) {
        const path = join(resolve(f.dir), file.path);
        await writeFileAtomic(path, file.content);
        console.log(path);
      }
    });
  return metrics;
}
