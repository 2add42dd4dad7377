/**
 * The testbed's per-node cost exporter, its stand-in for cAdvisor: on every GET /metrics it
 * reads each node process's ready file (`<testbedDir>/nodes/<process>/ready.json`), its CPU and
 * memory (cgroup or /proc, see cgroup-accounting.ts) and its traffic (our processes' node stats
 * server, etcd's own metrics for etcd members), and serves cAdvisor's series per testbed node
 * (cost-metrics.ts). A node it cannot read is skipped and counted in
 * `kos_testbed_exporter_errors_total`; a scrape never fails. It only reads: putting processes
 * into cgroups is for whoever spawns them (`accounting.place` right after the spawn).
 */
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { KosTestError, toError } from '../../util/errors.js';
import { nodeReadySchema, type NodeReady } from '../node-ready.js';
import type { ResourceAccounting } from './cgroup-accounting.js';
import {
  ERROR_REASONS,
  renderCostMetrics,
  TESTBED_INTERFACE,
  type ErrorReason,
  type MachineFacts,
} from './cost-metrics.js';
import { MonotonicCounters } from './monotonic-counters.js';
import { nodeAddressOf, nodeCosts, type NetworkReading, type NodeCost } from './node-costs.js';
import { NODE_STATS_ENDPOINT, parseSocketStats } from './node-stats-server.js';
import { PROM_CONTENT_TYPE, parseSamples, sumOf } from './prom-text.js';

/** cAdvisor's port on a real node. */
export const CADVISOR_PORT = 4194;

export interface CostExporterOptions {
  /** e.g. `obs0`; shown in errors. */
  name: string;
  host: string;
  /** @default 0 (any free port); a real node's cAdvisor uses CADVISOR_PORT */
  port?: number;
  /** The testbed's state directory (with `nodes/`). */
  testbedDir: string;
  accounting: ResourceAccounting;
  /** Per request to a node's stats server or an etcd member's metrics. @default 2000 */
  scrapeTimeoutMs?: number;
  /** The network series' `interface` label. @default 'lo' */
  interfaceName?: string;
  /**
   * The node name a node's series carry. @default the node's own. The selftest's tests pass a
   * wrong one, to show that a mislabelling exporter fails the cost-attribution check.
   */
  nodeLabel?: (node: string) => string;
  /** @default this machine's (os.cpus().length, os.totalmem()) */
  machine?: MachineFacts;
}

export interface CostExporter {
  /** e.g. `http://127.20.0.1:4194` */
  readonly url: string;
  readonly endpoints: { metrics: string };
  /** One scrape, as GET /metrics runs it (concurrent calls share one). */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

const ETCD_PURPOSES: ReadonlySet<string> = new Set(['netcd', 'ketcd']);
const ETCD_RECEIVED = [
  'etcd_network_client_grpc_received_bytes_total',
  'etcd_network_peer_received_bytes_total',
];
const ETCD_SENT = ['etcd_network_client_grpc_sent_bytes_total', 'etcd_network_peer_sent_bytes_total'];

interface Observed {
  costs: NodeCost[];
  errors: ErrorReason[];
}

export async function startCostExporter(opts: CostExporterOptions): Promise<CostExporter> {
  const timeoutMs = opts.scrapeTimeoutMs ?? 2000;
  const machine = opts.machine ?? { cpuCores: cpus().length, memoryBytes: totalmem() };
  const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: timeoutMs } });
  const counters = new MonotonicCounters();
  const errors = Object.fromEntries(ERROR_REASONS.map((r) => [r, 0])) as Record<ErrorReason, number>;
  let lastScrapeSeconds = 0;
  let scrapeCpuSeconds = 0;
  let inflight: Promise<string> | undefined;

  const fetchText = async (url: string): Promise<string> => {
    const res = await request(url, {
      dispatcher: agent,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`${url}: HTTP ${res.statusCode}`);
    }
    return res.body.text();
  };

  const readNetwork = async (ready: NodeReady): Promise<NetworkReading | undefined> => {
    const epoch = `pid:${ready.pid}`;
    if (ETCD_PURPOSES.has(ready.purpose)) {
      const url = ready.endpoints.metrics;
      if (url === undefined) return undefined;
      const wanted = new Set([...ETCD_RECEIVED, ...ETCD_SENT]);
      const samples = parseSamples(await fetchText(url), (n) => wanted.has(n));
      const sum = (names: string[]): number | undefined =>
        names.reduce<number | undefined>((t, n) => {
          const v = sumOf(samples, n);
          return v === undefined ? t : (t ?? 0) + v;
        }, undefined);
      const receivedBytes = sum(ETCD_RECEIVED);
      const sentBytes = sum(ETCD_SENT);
      if (receivedBytes === undefined || sentBytes === undefined) return undefined;
      const address = nodeAddressOf(ready.nodes[0] ?? '') ?? ready.name;
      return { epoch, byAddress: new Map([[address, { receivedBytes, sentBytes }]]) };
    }
    const url = ready.endpoints[NODE_STATS_ENDPOINT];
    if (url === undefined) return undefined;
    return { epoch, byAddress: parseSocketStats(await fetchText(url)) };
  };

  const observe = async (ready: NodeReady): Promise<Observed> => {
    const [resources, network] = await Promise.all([
      opts.accounting.read(ready.name, ready.pid).catch(() => undefined),
      readNetwork(ready).catch(() => undefined),
    ]);
    if (resources === undefined) return { costs: [], errors: ['process'] };
    const label = opts.nodeLabel;
    const costs = nodeCosts({ ready, resources, network }, counters).map((c) =>
      label === undefined ? c : { ...c, node: label(c.node) },
    );
    return { costs, errors: network === undefined ? ['network'] : [] };
  };

  const scrapeNow = async (): Promise<string> => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let costs: NodeCost[] = [];
    let processes = 0;
    try {
      const { ready, bad } = await readReadyFiles(opts.testbedDir);
      errors.ready_file += bad;
      const { unique, duplicates } = dropDuplicateNodes(ready);
      errors.duplicate_node += duplicates;
      processes = unique.length;
      const observed = await Promise.all(unique.map(observe));
      costs = observed.flatMap((o) => o.costs);
      for (const reason of observed.flatMap((o) => o.errors)) errors[reason]++;
    } catch {
      errors.scrape++;
    }
    const text = renderCostMetrics(
      costs,
      machine,
      { mode: opts.accounting.mode, errors, lastScrapeSeconds, scrapeCpuSeconds, processes },
      opts.interfaceName ?? TESTBED_INTERFACE,
    );
    lastScrapeSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    scrapeCpuSeconds += (cpu.user + cpu.system) / 1e6;
    return text;
  };

  const scrape = (): Promise<string> => (inflight ??= scrapeNow().finally(() => (inflight = undefined)));

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      scrape().then(
        (text) => res.writeHead(200, { 'content-type': PROM_CONTENT_TYPE }).end(text),
        (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${toError(e).message}\n`),
      );
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await listen(server, opts);
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    endpoints: { metrics: `${url}/metrics` },
    scrape,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeAllConnections();
        });
        await inflight?.catch(() => undefined);
        await agent.close();
      })()),
  };
}

function listen(server: ReturnType<typeof createServer>, opts: CostExporterOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new KosTestError({
          what: `cost exporter ${opts.name} cannot listen`,
          value: `${opts.host}:${opts.port ?? 0} (${e.code ?? e.message})`,
          fix: 'choose a free port on a local address',
        }),
      );
    });
    server.listen(opts.port ?? 0, opts.host, resolve);
  });
}

/** Every `nodes/<process>/ready.json`, by process name; a node dir without one is not ready yet. */
async function readReadyFiles(testbedDir: string): Promise<{ ready: NodeReady[]; bad: number }> {
  const nodesDir = join(testbedDir, 'nodes');
  const entries = await readdir(nodesDir, { withFileTypes: true }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toError(e);
  });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const results = await Promise.all(
    names.map(async (name): Promise<NodeReady | 'missing' | 'bad'> => {
      let text: string;
      try {
        text = await readFile(join(nodesDir, name, 'ready.json'), 'utf8');
      } catch (e: unknown) {
        return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'bad';
      }
      try {
        return nodeReadySchema.parse(JSON.parse(text));
      } catch {
        return 'bad';
      }
    }),
  );
  return {
    ready: results.filter((r): r is NodeReady => typeof r === 'object'),
    bad: results.filter((r) => r === 'bad').length,
  };
}

/** A node claimed by two ready files (a process replaced mid-scrape): the first one keeps it. */
function dropDuplicateNodes(ready: readonly NodeReady[]): { unique: NodeReady[]; duplicates: number } {
  const claimed = new Set<string>();
  const unique: NodeReady[] = [];
  let duplicates = 0;
  for (const r of ready) {
    if (r.nodes.some((n) => claimed.has(n))) {
      duplicates++;
      continue;
    }
    for (const n of r.nodes) claimed.add(n);
    unique.push(r);
  }
  return { unique, duplicates };
}
