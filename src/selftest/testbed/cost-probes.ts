/**
 * Known loads on testbed nodes for the cost-attribution check (I/O): a CPU burn in one node
 * process (its burn hook, a CPU amount the kernel charged) and large request bodies sent through
 * the kube front kapi0 (socket byte counts), each measured as the experiment measures costs:
 * collectCosts over the load's window, against a same-length idle window.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectCosts } from '../../costs/collect-costs.js';
import { nodePurposesFromKube } from '../../costs/kube-node-purposes.js';
import type { CostFigures, CostTable } from '../../measure/cost-table.js';
import { apiPath } from '../../kube/api-path.js';
import { isAlreadyExists } from '../../kube/kube-api-error.js';
import { RestClient } from '../../kube/rest-client.js';
import { createPrometheusClient } from '../../prometheus/prometheus-api.js';
import { ATTACHMENTS } from '../../testbed/comp/attachment.js';
import { nodeAddress } from '../../testbed/node-addresses.js';
import { BURN_SIGNAL, type BurnResult } from '../../testbed/node-process/burn-hook.js';
import type { Testbed } from '../../testbed/supervisor/testbed.js';
import type { ChargedLoad } from '../checks/cost-attribution.js';

const NS = 'selftest-costs';
const SETTLE_MS = 5000;

type Figure = (f: CostFigures) => number | null;

async function tables(
  testbed: Testbed,
  load: [number, number],
  idle: [number, number],
): Promise<[CostTable, CostTable]> {
  const prometheusUrl = testbed.prometheusUrl;
  if (prometheusUrl === undefined) throw new Error('the testbed runs without Prometheus');
  const client = createPrometheusClient({ url: prometheusUrl });
  const lastMs = Math.max(load[1], idle[1]) + 1000;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const t = await client.queryNumber(
      'max(timestamp(container_cpu_usage_seconds_total{job="cadvisor"}))',
      Date.now(),
    );
    if (t !== undefined && t * 1000 >= lastMs) break;
    if (Date.now() > deadline) throw new Error('Prometheus has no exporter sample after the windows');
    await sleep(250);
  }
  const nodePurposes = await nodePurposesFromKube(testbed.kubeconfigPath);
  const of = ([fromMs, toMs]: [number, number]): Promise<CostTable> =>
    collectCosts({ prometheusUrl, fromMs, toMs, nodePurposes, interfaceFilter: 'lo' });
  return Promise.all([of(load), of(idle)]);
}

/** Per node: (load - idle) x seconds of a per-second figure. */
function extraByNode(load: CostTable, idle: CostTable, pick: Figure): Record<string, number> {
  const seconds = (load.window.toMs - load.window.fromMs) / 1000;
  const out: Record<string, number> = {};
  for (const n of load.nodes) {
    const l = pick(n.figures);
    const i = idle.nodes.find((x) => x.node === n.node);
    const iv = i === undefined ? null : pick(i.figures);
    if (l !== null && iv !== null) out[n.node] = (l - iv) * seconds;
  }
  return out;
}

/** Has `node`'s process burn `cpuMs` of CPU (its burn hook) and returns what it burnt, when. */
export async function burnInNode(testbed: Testbed, node: string, cpuMs: number): Promise<BurnResult> {
  const proc = testbed.status().processes.find((p) => p.name === node);
  if (proc === undefined) throw new Error(`no process ${node} on the testbed`);
  const nodeDir = join(testbed.dir, 'nodes', node);
  const burnedFile = join(nodeDir, 'burned.json');
  await writeFile(join(nodeDir, 'burn.json'), JSON.stringify({ cpuMs }));
  process.kill(proc.pid, BURN_SIGNAL);
  const deadline = Date.now() + 90_000;
  while (!existsSync(burnedFile)) {
    if (Date.now() > deadline) throw new Error(`${node} wrote no burned.json`);
    await sleep(50);
  }
  return JSON.parse(await readFile(burnedFile, 'utf8')) as BurnResult;
}

/** Burns `cpuMs` of CPU in `node`'s process (not a hollow agent: their CPU is a share). */
export async function burnCpu(testbed: Testbed, node = 'nctrl0', cpuMs = 2000): Promise<ChargedLoad> {
  // A fresh testbed's nodes are still settling (first lists, first scrapes): not in the window.
  await sleep(SETTLE_MS);
  const burn = await burnInNode(testbed, node, cpuMs);
  // 2.5 s each side, so a late scrape cannot split the burn across an edge; idle right after.
  const from = burn.startMs - 2500;
  const to = burn.endMs + 2500;
  const [load, idle] = await tables(testbed, [from, to], [to, to + (to - from)]);
  const extra = extraByNode(load, idle, (f) => f.cpuCores);
  // burned.json counts all the process's CPU during the burn (its own work too), so the node's
  // idle rate is taken off only outside the burn.
  const burnWallS = (burn.endMs - burn.startMs) / 1000;
  const idleCores = idle.nodes.find((n) => n.node === node)?.figures.cpuCores ?? null;
  if (extra[node] !== undefined && idleCores !== null) extra[node] += idleCores * burnWallS;
  return { what: 'CPU burn', node, known: burn.cpuSeconds, unit: 'CPU-s', extraByNode: extra };
}

/**
 * POSTs `requests` padded bodies of `bodyBytes` one after another over one socket from base0 to
 * `url`; returns the bytes that socket wrote and each answer's status.
 */
export async function postPaddedBodies(
  url: URL,
  bodyBytes: number,
  requests: number,
): Promise<{ sentBytes: number; statuses: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<Socket>();
  const statuses: number[] = [];
  try {
    for (let i = 0; i < requests; i++) {
      const body = Buffer.from(`{"pad":"${'x'.repeat(bodyBytes - 9)}`);
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            url,
            {
              method: 'POST',
              agent,
              localAddress: nodeAddress('base', 0),
              headers: { 'content-type': 'application/json', 'content-length': body.length },
            },
            (res) => {
              res.resume();
              res.on('end', () => {
                resolve(res.statusCode ?? 0);
              });
            },
          );
          req.on('socket', (s) => sockets.add(s));
          req.on('error', reject);
          req.end(body);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return { sentBytes: [...sockets].reduce((n, s) => n + s.bytesWritten, 0), statuses };
}

/** The attachments URL of `namespace` on the testbed's kube front kapi0. */
export function frontAttachmentsUrl(testbed: Testbed, namespace: string): URL {
  return new URL(`${testbed.frontUrls[0] ?? ''}${apiPath({ ...ATTACHMENTS, namespace })}`);
}

/** Sends bodies through kapi0 that napi0 reads whole and refuses: kapi0's bytes in = what was sent. */
export async function sendBytes(
  testbed: Testbed,
  bodyBytes = 512 * 1024,
  requests = 8,
): Promise<ChargedLoad> {
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  const namespaces = { group: '', version: 'v1', resource: 'namespaces' };
  await front.create(namespaces, { metadata: { name: NS } }).catch((e: unknown) => {
    if (!isAlreadyExists(e)) throw e;
  });
  await front.close();
  const windowMs = 6000;
  const fromMs = Date.now();
  await sleep(1000);
  const { sentBytes } = await postPaddedBodies(frontAttachmentsUrl(testbed, NS), bodyBytes, requests);
  const toMs = fromMs + windowMs;
  if (Date.now() > toMs - 500) throw new Error('the sends did not fit in their window (machine too busy)');
  await sleep(toMs - Date.now());
  const [load, idle] = await tables(testbed, [fromMs, toMs], [fromMs - windowMs, fromMs]);
  const extra = extraByNode(load, idle, (f) => f.netInBytesPerSecond);
  // napi0 receives the same bodies from kapi0: charged too, rightly.
  return {
    what: 'bytes in',
    node: 'kapi0',
    known: sentBytes,
    unit: 'B',
    extraByNode: extra,
    alsoCharged: ['napi0'],
  };
}
