/**
 * Measures what idle hollow agents cost: starts one group of N agents (each then holds only its
 * node watch) against running network-apiservers, lets it settle, and prints RSS, heap and CPU
 * per agent as JSON. Run it in its own process, apart from the apiservers:
 *
 *   node bin/kos-test.js testbed apiserver --nna 2 &      # prints the apiserver URLs
 *   node --expose-gc dist/src/testbed/comp/measure-footprint.js --agents 600 \
 *     --servers http://127.2.0.1:PORT,http://127.2.0.2:PORT [--server-pid PID]
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeAddress, nodeName } from '../node-addresses.js';
import { startAgentGroup } from './agent-group.js';

export interface FootprintSample {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  serverRssBytes: number | undefined;
}

export interface Footprint {
  agents: number;
  startMs: number;
  watches: number;
  rssPerAgentKiB: number;
  heapPerAgentKiB: number;
  externalPerAgentKiB: number;
  serverRssPerWatchKiB: number | undefined;
  idleCpuPercentOfCore: number;
}

/** Per-agent figures from samples taken before and after starting `agents` (pure). */
export function footprint(
  agents: number,
  before: FootprintSample,
  after: FootprintSample,
  extra: { startMs: number; watches: number; idleCpuMicros: number; idleWallMs: number },
): Footprint {
  const perAgent = (a: number, b: number): number => Math.round(((b - a) / 1024 / agents) * 10) / 10;
  return {
    agents,
    startMs: Math.round(extra.startMs),
    watches: extra.watches,
    rssPerAgentKiB: perAgent(before.rssBytes, after.rssBytes),
    heapPerAgentKiB: perAgent(before.heapUsedBytes, after.heapUsedBytes),
    externalPerAgentKiB: perAgent(before.externalBytes, after.externalBytes),
    serverRssPerWatchKiB:
      before.serverRssBytes === undefined || after.serverRssBytes === undefined || extra.watches === 0
        ? undefined
        : Math.round(((after.serverRssBytes - before.serverRssBytes) / 1024 / extra.watches) * 10) / 10,
    idleCpuPercentOfCore: Math.round((extra.idleCpuMicros / 1000 / extra.idleWallMs) * 1000) / 10,
  };
}

function processRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

async function sampleNow(serverPid: number | undefined): Promise<FootprintSample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(100);
  }
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    externalBytes: m.external + m.arrayBuffers,
    serverRssBytes: processRss(serverPid),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string', default: '600' },
      servers: { type: 'string' },
      'server-pid': { type: 'string' },
      'first-index': { type: 'string', default: '0' },
      'settle-ms': { type: 'string', default: '5000' },
      'idle-ms': { type: 'string', default: '10000' },
    },
  });
  const servers = (values.servers ?? '').split(',').filter((s) => s !== '');
  if (servers.length === 0) throw new Error('give --servers URL[,URL...]');
  const n = Number(values.agents);
  const first = Number(values['first-index']);
  const serverPid = values['server-pid'] === undefined ? undefined : Number(values['server-pid']);
  const before = await sampleNow(serverPid);
  const t0 = performance.now();
  const group = await startAgentGroup({
    name: 'comp-group-footprint',
    agents: Array.from({ length: n }, (_, k) => ({
      node: nodeName('comp', first + k),
      hostIP: nodeAddress('comp', first + k),
      apiServer: servers[k % servers.length] ?? '',
    })),
    fabricDelay: '3ms',
    metricsHost: '127.10.255.254',
  });
  const startMs = performance.now() - t0;
  try {
    await sleep(Number(values['settle-ms']));
    const after = await sampleNow(serverPid);
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await sleep(Number(values['idle-ms']));
    const cpu = process.cpuUsage(cpu0);
    const result = footprint(n, before, after, {
      startMs,
      watches: group.watchCount(),
      idleCpuMicros: cpu.user + cpu.system,
      idleWallMs: performance.now() - w0,
    });
    console.log(
      JSON.stringify({
        ...result,
        rssBeforeMiB: before.rssBytes / 2 ** 20,
        rssAfterMiB: after.rssBytes / 2 ** 20,
      }),
    );
  } finally {
    await group.stop();
  }
  const left = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  console.log(JSON.stringify({ socketsLeftAfterStop: left }));
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
