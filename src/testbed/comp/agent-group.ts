/**
 * Many hollow connection agents in one OS process, as kubemark packs hollow nodes: a group
 * shares one fabric (one delay timer), one metrics registry and one /metrics endpoint, while
 * every agent keeps its own address, client, watches and state. Agents start a few at a time,
 * so a group of hundreds does not stampede its apiservers with lists.
 */
import { join } from 'node:path';
import { KosTestError } from '../../util/errors.js';
import { CleanupJournal, JOURNAL_SUFFIX } from '../data-plane/cleanup-journal.js';
import { LinuxFabric } from '../data-plane/linux-fabric.js';
import type { DataPlaneContext } from './agent-exec.js';
import type { DataPlaneSpec } from './comp-group-spec.js';
import { AgentMetrics } from './agent-metrics.js';
import { HollowFabric } from './fabric.js';
import { HollowAgent } from './hollow-agent.js';
import { SharedEventDecoder } from '../../kube/shared-event-decoder.js';
import { startMetricsServer } from '../../net/metrics-server.js';

export interface AgentSpec {
  /** e.g. `comp3` */
  node: string;
  /** e.g. `127.10.0.4` */
  hostIP: string;
  /** e.g. `http://127.2.0.1:40123` */
  apiServer: string;
}

export interface AgentGroupOptions {
  /** e.g. `comp-group0`; the `group` label of its metrics. */
  name: string;
  agents: AgentSpec[];
  /** Every network-apiserver replica; each agent starts on its own apiServer. @default none */
  apiServers?: readonly string[];
  /** See delay-spec.ts, e.g. `exp:3ms`. */
  fabricDelay: string;
  /** Seed for the fabric's delay draws. @default unseeded */
  fabricSeed?: number;
  metricsHost: string;
  /** @default 0 (any free port) */
  metricsPort?: number;
  /** Agents starting (listing and opening their node watch) at once. @default 16 */
  startConcurrency?: number;
  /** Give up when the agents are not all started by then. @default 120000 */
  startTimeoutMs?: number;
  /** Work-queue workers per agent. @default 2 */
  workers?: number;
  /** Real interfaces and commands for attachments with spec.postCreateExec; absent: all hollow. */
  dataPlane?: DataPlaneSpec;
  log?: (message: string) => void;
}

export interface AgentGroup {
  endpoints: { metrics: string };
  nodes: string[];
  /** For tests and tools: the agents, in the order given. */
  agents: readonly HollowAgent[];
  fabric: HollowFabric;
  metrics: AgentMetrics;
  stop(): Promise<void>;
  /** Watches the group's agents hold: one per node plus one per relevant VN of each. */
  watchCount(): number;
}

export async function startAgentGroup(opts: AgentGroupOptions): Promise<AgentGroup> {
  const fabric = new HollowFabric({
    delay: opts.fabricDelay,
    ...(opts.fabricSeed === undefined ? {} : { seed: opts.fabricSeed }),
  });
  // No process metrics: the cost exporter measures the group's process, and rendering them was
  // 40% of a scrape's CPU, which the testbed pays every second per group (ADR 0033).
  const metrics = new AgentMetrics(opts.name, { processMetrics: false });
  const dataPlane = opts.dataPlane === undefined ? undefined : dataPlaneContext(opts.name, opts.dataPlane);
  // One parse per distinct event for all the group's watches (the napi sends each the same line).
  const events = new SharedEventDecoder();
  const agents = opts.agents.map(
    (a) =>
      new HollowAgent({
        ...a,
        ...(opts.apiServers === undefined ? {} : { alternates: opts.apiServers }),
        fabric,
        metrics,
        decodeWatchEvent: events.decode,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        ...(dataPlane === undefined ? {} : { dataPlane }),
        ...(opts.log === undefined ? {} : { log: opts.log }),
      }),
  );
  let started = false;
  const server = await startMetricsServer({
    host: opts.metricsHost,
    ...(opts.metricsPort === undefined ? {} : { port: opts.metricsPort }),
    registry: { metrics: () => metrics.metrics(), contentType: metrics.registry.contentType },
    healthy: () => started,
    name: `agent group ${opts.name}`,
  });
  let stopping: Promise<void> | undefined;
  const group: AgentGroup = {
    endpoints: { metrics: `${server.url}/metrics` },
    nodes: agents.map((a) => a.node),
    agents,
    fabric,
    metrics,
    watchCount: () => agents.reduce((n, a) => n + a.watchCount, 0),
    stop: () => {
      stopping ??= (async () => {
        fabric.stop();
        await Promise.all(agents.map((a) => a.stop()));
        await dataPlane?.fabric.stop();
        dataPlane?.journal.close();
        await server.close();
      })();
      return stopping;
    },
  };
  try {
    await withTimeout(
      startBounded(agents, opts.startConcurrency ?? 16),
      opts.startTimeoutMs ?? 120_000,
      () =>
        new KosTestError({
          what: `agent group ${opts.name} did not start in time`,
          value: `${agents.filter((a) => a.started).length} of ${agents.length} agents started`,
          fix: 'check that its apiservers are up and reachable from 127.10.0.0/16',
        }),
    );
  } catch (e: unknown) {
    await group.stop();
    throw e;
  }
  started = true;
  opts.log?.(`${opts.name}: ${agents.length} agents started`);
  return group;
}

function dataPlaneContext(group: string, spec: DataPlaneSpec): DataPlaneContext {
  return {
    fabric: new LinuxFabric(spec.netns, spec.prefix),
    journal: new CleanupJournal(join(spec.journalDir, `${group}${JOURNAL_SUFFIX}`)),
    allowedDirs: spec.allowedDirs,
    installedDirs: spec.installedDirs,
    execTimeoutMs: spec.execTimeoutMs,
  };
}

/** Starts the agents, at most `concurrency` at a time, in order. */
async function startBounded(agents: readonly HollowAgent[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let a = agents[next++]; a !== undefined; a = agents[next++]) await a.start();
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, agents.length)) }, lane));
}

async function withTimeout<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(timedOut());
    }, ms);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
