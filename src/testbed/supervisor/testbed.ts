/**
 * The embedded testbed's supervisor: brings every node up as its own process on its own
 * loopback address (real etcd for netcd and ketcd; our network-apiservers, kube fronts,
 * controllers and hollow agents), registers the Node objects, writes the kubeconfig, changes
 * NCA / NNA / NKA on a running testbed, and takes it all down again, also on ^C or failure.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { addStopHook } from '../../process/child-registry.js';
import { recordOwnedPids, stopOwnedLeftovers } from '../../process/owned-pids.js';
import { RestClient } from '../../kube/rest-client.js';
import { realTimers } from '../../kube/work-queue.js';
import { isAlreadyExists, isNotFound } from '../../kube/kube-api-error.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { KosTestError } from '../../util/errors.js';
import { parseChecked } from '../../util/zod-error.js';
import { parseDelaySpec } from '../comp/delay-spec.js';
import { startEtcdCluster, type EtcdCluster, type EtcdMember } from '../etcd/etcd-cluster.js';
import {
  createCgroupAccounting,
  type AccountingMode,
  type ResourceAccounting,
} from '../exporter/cgroup-accounting.js';
import { startCostExporter, type CostExporter } from '../exporter/cost-exporter.js';
import { renderKubeconfig } from '../kubeconfig.js';
import { nodeAddressOf } from '../exporter/node-costs.js';
import { nodeAddress, nodeName } from '../node-addresses.js';
import type { NodeSpec } from '../node-process/node-spec.js';
import type { NodeReady } from '../node-ready.js';
import { startNodeProcess, type NodeProcess } from '../node-process/start-node-process.js';
import { DRIVER_METRICS_PORT } from '../prometheus/testbed-config.js';
import { startTestbedPrometheus, type TestbedPrometheus } from '../prometheus/testbed-prometheus.js';
import { testbedTargets } from '../prometheus/testbed-targets.js';
import { nodeObject } from './node-objects.js';
import { TestbedDataPlane, type DataPlaneStatus } from '../data-plane/testbed-data-plane.js';
import {
  testbedConfigSchema,
  type TestbedConfig,
  type TestbedConfigInput,
  type TestbedScale,
} from './testbed-config.js';
import { firstComps, planCompGroups, sameSpec, testbedNodes, type TestbedNode } from './testbed-layout.js';
import { CONTROLLER_MANAGER, type PodTruth, type Workload } from './pod-objects.js';
import { WorkloadController, type WorkloadHost } from './workload-controller.js';
import { AGENT_DAEMONSET, NAPI_DEPLOYMENT } from './workload-objects.js';
import { planCompNodes, readCompLabels, writeCompLabels } from './comp-nodes.js';
import { processState, Restarter, type ProcessState } from './restarter.js';
import type { ProcessCrash } from '../../measure/process-crash.js';
import { pinnedPorts } from './pinned-ports.js';
import { pidAlive } from '../../process/pid-alive.js';
import { probeNetem } from '../relay/netem-probe.js';
import type { NetFaultGate } from './fault-actions.js';
import { NetFaultRelays } from './net-fault-relays.js';

export interface TestbedOptions {
  /** State directory: etcd data, node dirs with specs, ready files and logs, the kubeconfig. */
  dir: string;
  config?: TestbedConfigInput;
  log?: (message: string) => void;
  /** The cost exporter's node labels (see cost-exporter.ts); tests only. @default each node's own */
  exporterNodeLabel?: (node: string) => string;
}

export interface TestbedProcessStatus {
  name: string;
  purpose: string;
  pid: number;
  running: boolean;
  /** Restarts after crashes (the kubelet's restartCount). */
  restarts: number;
  state: ProcessState;
  nodes: number;
  endpoints: Record<string, string>;
}

export interface TestbedStatus {
  config: TestbedConfig;
  kubeconfig: string;
  /** The per-node cost exporter (cAdvisor's metric names), and how it accounts. */
  exporter: { metrics: string; accounting: AccountingMode } | undefined;
  /** The real Prometheus on data0, when it runs. */
  prometheus?: { url: string; pid: number; scrapeIntervalMs: number; dataDir: string } | undefined;
  processes: TestbedProcessStatus[];
  /** Processes that exited unstopped, oldest first: what runs are judged by (ADR 0035). */
  crashes: ProcessCrash[];
  /** The real data plane of tested attachments: its fabric namespace, or why there is none. */
  dataPlane: DataPlaneStatus;
  /** How network faults are injected (ADR 0034), or undefined when the testbed cannot. */
  netFaults?: string | undefined;
}

/**
 * One node process's life: when it started, the restart loop's count when it did (its pods'
 * restartCount: the count `testbed status` shows, once the restart is running), how it ended.
 */
interface Lifetime {
  startedAtMs: number;
  restarts: number;
  exit?: PodTruth['exit'];
}

const NODES: { group: string; version: string; resource: string } = {
  group: '',
  version: 'v1',
  resource: 'nodes',
};

export class Testbed {
  readonly dir: string;
  readonly kubeconfigPath: string;
  private config: TestbedConfig;
  private readonly log: (message: string) => void;
  private netcd: EtcdCluster | undefined;
  private ketcd: EtcdCluster | undefined;
  private napis: NodeProcess[] = [];
  private kapis: NodeProcess[] = [];
  private nctrl: NodeProcess | undefined;
  private kctrl: NodeProcess | undefined;
  private compGroups: NodeProcess[] = [];
  /** Comp node indices that run an agent (comp0..NCA-1 unless the DaemonSet's labels chose others). */
  private agentNodes: number[] = [];
  /** scale() and the workload controller's passes take turns on this chain. */
  private turn: Promise<unknown> = Promise.resolve();
  private workloads: WorkloadController | undefined;
  private front: RestClient | undefined;
  private accounting: ResourceAccounting | undefined;
  private exporter: CostExporter | undefined;
  private prometheus: TestbedPrometheus | undefined;
  /** Where drivers serve /metrics (by default base0's address, port 9376, as on a cluster). */
  private driverMetrics: readonly string[] = [
    `http://${nodeAddress('base', 0)}:${DRIVER_METRICS_PORT}/metrics`,
  ];
  private stopping: Promise<void> | undefined;
  /** Processes stopped on purpose, whose exit is no news. */
  private readonly retired = new WeakSet<NodeProcess>();
  private readonly started = new Set<NodeProcess>();
  /** When each process started, and how it ended: what its pod reports. */
  private readonly lifetimes = new WeakMap<NodeProcess, Lifetime>();
  /** How each pod's last process ended (its container's lastState). */
  private readonly lastExits = new Map<string, NonNullable<PodTruth['exit']>>();
  private readonly removeStopHook: () => void;
  private readonly exporterNodeLabel: ((node: string) => string) | undefined;
  private readonly dataPlane: TestbedDataPlane;
  /** Restarts crashed processes with back-off, as a kubelet would (ADR 0028). */
  private readonly restarter: Restarter;
  /** Relays in front of the listening targets, for network faults (config.netFaults; ADR 0034). */
  private readonly relays: NetFaultRelays | undefined;
  private netFaultsNote: string | undefined;

  private constructor(opts: TestbedOptions) {
    this.dir = opts.dir;
    this.config = checkedConfig(opts.config ?? {});
    this.log = opts.log ?? (() => undefined);
    this.exporterNodeLabel = opts.exporterNodeLabel;
    this.kubeconfigPath = join(opts.dir, 'kubeconfig');
    this.dataPlane = new TestbedDataPlane({
      dir: opts.dir,
      enabled: this.config.dataPlane,
      execTimeoutMs: this.config.execTimeoutMs,
      log: this.log,
    });
    this.restarter = new Restarter({
      now: Date.now,
      timers: realTimers,
      log: this.log,
    });
    this.relays = this.config.netFaults ? new NetFaultRelays() : undefined;
    // ^C and SIGTERM (via the child registry) take the testbed down in order, as down() does.
    this.removeStopHook = addStopHook(() => this.down());
  }

  /** Brings a testbed up; on any failure, stops what it started and rethrows. */
  static async up(opts: TestbedOptions): Promise<Testbed> {
    const testbed = new Testbed(opts);
    try {
      await testbed.start();
      return testbed;
    } catch (e: unknown) {
      await testbed.down();
      throw e;
    }
  }

  get shape(): TestbedConfig {
    return { ...this.config };
  }

  get napiUrls(): string[] {
    return this.napis.map((n) => this.apiUrl(n));
  }

  get frontUrls(): string[] {
    return this.kapis.map((n) => this.apiUrl(n));
  }

  /** Where clients reach a node's API: through its relay when it has one. */
  private apiUrl(p: NodeProcess): string {
    const direct = endpoint(p, 'api');
    return this.relays?.url(p.name, direct) ?? direct;
  }

  /** Where clients reach an etcd cluster: through each member's relay when it has one. */
  private etcdUrls(cluster: EtcdCluster | undefined): string[] {
    return (cluster?.members ?? []).map((m) => this.relays?.url(m.name, m.clientUrl) ?? m.clientUrl);
  }

  /** The relay a network fault of this process acts on; undefined without --net-faults. */
  netFaultGate(processName: string): NetFaultGate | undefined {
    return this.relays?.relay(processName);
  }

  get netcdEndpoints(): string[] {
    return this.netcd?.clientUrls ?? [];
  }

  /** The testbed's Prometheus (on data0), or undefined when it was turned off. */
  get prometheusUrl(): string | undefined {
    return this.prometheus?.url;
  }

  /** Points the `driver` scrape job at these drivers' /metrics URLs (a run's shards; [] : none). */
  async setDriverTargets(metricsUrls: readonly string[]): Promise<void> {
    this.driverMetrics = [...metricsUrls];
    await this.updateScrapeTargets();
  }

  /** etcd and Prometheus PIDs, for the next start here to stop should this supervisor be SIGKILLed. */
  static leftoversFile(dir: string): string {
    return join(dir, 'owned-pids.json');
  }

  private async start(): Promise<void> {
    const c = this.config;
    await mkdir(join(this.dir, 'nodes'), { recursive: true });
    const stopped = await stopOwnedLeftovers(Testbed.leftoversFile(this.dir));
    if (stopped.length > 0) this.log(`stopped ${stopped.length} process(es) left by an earlier runner`);
    // Each node process gets its own cgroup where the kernel allows, else /proc accounting.
    this.accounting = await createCgroupAccounting(`tb-${process.pid}-${Date.now().toString(36)}`);
    this.log(
      `cost accounting: ${this.accounting.mode}${this.accounting.fallbackReason === undefined ? '' : ` (${this.accounting.fallbackReason})`}`,
    );
    // The exporter and Prometheus first: Prometheus's first scrape comes ~5 s after it starts,
    // which the rest of start-up hides. The exporter finds nodes by their ready files as they come.
    this.exporter = await startCostExporter({
      name: 'cost-exporter',
      host: nodeAddress('data', 0),
      testbedDir: this.dir,
      accounting: this.accounting,
      ...(this.exporterNodeLabel === undefined ? {} : { nodeLabel: this.exporterNodeLabel }),
    });
    this.log(`cost exporter: ${this.exporter.endpoints.metrics}`);
    if (c.prometheus) {
      this.prometheus = await startTestbedPrometheus({
        dir: join(this.dir, 'prometheus'),
        host: nodeAddress('data', 0),
        targets: this.scrapeTargets(),
      });
      this.log(`prometheus: ${this.prometheus.url}`);
    }
    if (this.relays !== undefined) {
      const netem = await probeNetem(this.dir);
      this.netFaultsNote = `relays in front of napi, kube fronts and etcd client ports (stand-in; ${netem.detail})`;
      this.log(`network faults: ${this.netFaultsNote}`);
    }
    this.log(`etcd: netcd ${c.netcd}, ketcd ${c.ketcd} member(s)`);
    [this.netcd, this.ketcd] = await Promise.all([
      this.startEtcd('netcd', c.netcd),
      this.startEtcd('ketcd', c.ketcd),
    ]);
    await this.recordOwnedPids();
    this.log(`network-apiservers: ${c.nna}`);
    this.napis = await Promise.all(Array.from({ length: c.nna }, (_, i) => this.startNode(this.napiSpec(i))));
    this.log(`kube fronts: ${c.nka}, and nctrl0`);
    const [nctrl, ...kapis] = await Promise.all([
      this.startNode(this.nctrlSpec()),
      ...Array.from({ length: c.nka }, (_, i) => this.startNode(this.kapiSpec(i))),
    ]);
    this.nctrl = nctrl;
    this.kapis = kapis;
    await this.writeKubeconfig();
    this.front = new RestClient({ server: this.frontUrls[0] ?? '', localAddress: nodeAddress('base', 0) });
    await this.dataPlane.start();
    this.log('kctrl0');
    this.kctrl = await this.startNode(this.kctrlSpec());
    await this.registerNodes(testbedNodes(c).filter((n) => n.purpose !== 'comp'));
    await this.placeAgents(firstComps(c.nca));
    this.workloads = new WorkloadController({ client: this.front, host: this.workloadHost(), log: this.log });
    await this.workloads.start(this.frontUrls);
    if (this.prometheus !== undefined) {
      const allUp = Date.now();
      await this.updateScrapeTargets();
      await this.prometheus.waitForExporterSample(allUp);
      this.log('prometheus: first cost sample of every node is in');
    }
  }

  private async recordOwnedPids(): Promise<void> {
    const etcd = [this.netcd, this.ketcd].flatMap((cluster, k) =>
      (cluster?.members ?? []).map((m) => ({
        pid: m.pid,
        marker: join(this.dir, k === 0 ? 'netcd' : 'ketcd'),
      })),
    );
    const prometheus =
      this.prometheus === undefined ? [] : [{ pid: this.prometheus.pid, marker: this.prometheus.dataDir }];
    await recordOwnedPids(Testbed.leftoversFile(this.dir), [...etcd, ...prometheus]);
  }

  private scrapeTargets(): ReturnType<typeof testbedTargets> {
    return testbedTargets({
      processes: this.status().processes,
      exporterMetrics: this.exporter?.endpoints.metrics,
      driverMetrics: this.driverMetrics,
    });
  }

  private async updateScrapeTargets(): Promise<void> {
    await this.prometheus?.setTargets(this.scrapeTargets());
  }

  /**
   * Changes NCA, NNA or NKA of the running testbed; what did not change keeps running. NCA here
   * means agents on comp0..NCA-1 (labelled so); the Deployment and Endpoints are updated to match.
   */
  scale(change: TestbedScale): Promise<void> {
    return this.exclusive(async () => {
      const next = checkedConfig({ ...this.config, ...change });
      const prev = this.config;
      this.config = next;
      await this.resizeNapis(prev, next);
      if (next.nka !== prev.nka) {
        this.log(`kube fronts: ${prev.nka} -> ${next.nka}`);
        this.kapis = await this.resize(this.kapis, next.nka, (i) => this.kapiSpec(i));
        await this.writeKubeconfig();
        await this.workloads?.setApiservers(this.frontUrls);
      }
      await this.syncRoleNodes(prev, next);
      await this.placeAgents(firstComps(next.nca));
      await this.workloads?.setReplicas(next.nna);
      await this.updateScrapeTargets();
    });
  }

  /** Runs `fn` when no scale() or workload pass is running. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async resizeNapis(prev: TestbedConfig, next: TestbedConfig): Promise<void> {
    if (next.nna === prev.nna) return;
    this.log(`network-apiservers: ${prev.nna} -> ${next.nna}`);
    this.napis = await this.resize(this.napis, next.nna, (i) => this.napiSpec(i));
    await Promise.all(
      [...this.kapis, ...(this.kctrl === undefined ? [] : [this.kctrl])].map((p) => this.respec(p)),
    );
    if (this.nctrl !== undefined) this.nctrl = await this.restart(this.nctrl, this.nctrlSpec());
  }

  /** Node objects of every purpose but comp (whose Nodes placeAgents or the user owns). */
  private async syncRoleNodes(prev: TestbedConfig, next: TestbedConfig): Promise<void> {
    const nodesBefore = new Set(testbedNodes(prev).map((n) => n.name));
    const nodesAfter = testbedNodes(next);
    await this.registerNodes(nodesAfter.filter((n) => n.purpose !== 'comp' && !nodesBefore.has(n.name)));
    const names = new Set(nodesAfter.map((n) => n.name));
    await this.unregisterNodes([...nodesBefore].filter((n) => !names.has(n) && !n.startsWith('comp')));
  }

  /**
   * Agents on exactly the comp nodes `agents`, their Nodes labelled kos-role/comp=true (first, as
   * a kubelet registers before its pods run), the other candidates false, surplus Nodes deleted.
   */
  private async placeAgents(agents: number[]): Promise<void> {
    const front = this.front;
    const plan = planCompNodes(
      front === undefined ? new Map() : await readCompLabels(front),
      agents,
      this.config.compNodes,
    );
    await this.registerNodes(plan.create);
    if (front !== undefined) await writeCompLabels(front, plan.labelTrue, 'true');
    this.agentNodes = [...new Set(agents)].sort((a, b) => a - b);
    await this.setAgents(planCompGroups(this.config, this.napiUrls, this.agentNodes, this.dataPlane.spec));
    if (front !== undefined) await writeCompLabels(front, plan.labelFalse, 'false');
    await this.unregisterNodes(plan.remove);
  }

  /** Plays the workload controllers' part (inside exclusive()): NNA and agents as the objects say. */
  private async follow(want: { nna: number; agentNodes: number[] }): Promise<void> {
    const prev = this.config;
    const next = checkedConfig({ ...prev, nna: want.nna, nca: want.agentNodes.length });
    this.config = next;
    await this.resizeNapis(prev, next);
    await this.syncRoleNodes(prev, next);
    if (!sameSpec(want.agentNodes, this.agentNodes))
      this.log(`agents on: ${want.agentNodes.map((i) => `comp${i}`).join(' ')}`);
    this.agentNodes = [...want.agentNodes];
    await this.setAgents(planCompGroups(next, this.napiUrls, this.agentNodes, this.dataPlane.spec));
    await this.updateScrapeTargets();
  }

  private workloadHost(): WorkloadHost {
    return {
      exclusive: (fn) => this.exclusive(fn),
      follow: (want) => this.follow(want),
      truth: () => ({
        nna: this.config.nna,
        plannedAgents: this.agentNodes,
        napiReady: this.napis.filter((p) => p.child.isRunning()).length,
        agentNodes: this.compGroups
          .filter((p) => p.child.isRunning())
          .flatMap((p) => p.ready.nodes)
          .map((n) => Number(n.slice('comp'.length)))
          .sort((a, b) => a - b),
        pods: this.podTruths(),
      }),
    };
  }

  /** Each workload process as its pods see it (a group of agents: one pod per comp node). */
  private podTruths(): PodTruth[] {
    const workloads: [Workload, readonly NodeProcess[]][] = [
      [NAPI_DEPLOYMENT, this.napis],
      [AGENT_DAEMONSET, this.compGroups],
      [CONTROLLER_MANAGER, this.nctrl === undefined ? [] : [this.nctrl]],
    ];
    return workloads.flatMap(([workload, processes]) =>
      processes.flatMap((p) =>
        p.ready.nodes.map((node) => {
          const life = this.lifetimes.get(p);
          return {
            workload,
            node,
            address: nodeAddressOf(node) ?? '',
            pid: p.child.pid,
            running: p.child.isRunning(),
            restarts: life?.restarts ?? 0,
            startedAtMs: life?.startedAtMs ?? 0,
            exit: life?.exit,
            lastExit: this.lastExits.get(node),
            state: processState(this.restarter.state(p.name), p.child.isRunning()),
          };
        }),
      ),
    );
  }

  status(): TestbedStatus {
    const processes: TestbedProcessStatus[] = [];
    for (const cluster of [this.netcd, this.ketcd]) {
      for (const m of cluster?.members ?? []) {
        processes.push({
          name: m.name,
          purpose: cluster?.name ?? '',
          pid: m.pid,
          running: pidAlive(m.pid),
          ...this.restartView(m.name, pidAlive(m.pid)),
          nodes: 1,
          endpoints: this.withRelay(m.name, m.clientUrl, { client: m.clientUrl, metrics: m.metricsUrl }),
        });
      }
    }
    for (const p of this.nodeProcesses()) {
      processes.push({
        name: p.name,
        purpose: p.ready.purpose,
        pid: p.child.pid,
        running: p.child.isRunning(),
        ...this.restartView(p.name, p.child.isRunning()),
        nodes: p.ready.nodes.length,
        endpoints: this.withRelay(p.name, p.ready.endpoints.api, p.ready.endpoints),
      });
    }
    const exporter =
      this.exporter === undefined || this.accounting === undefined
        ? undefined
        : { metrics: this.exporter.endpoints.metrics, accounting: this.accounting.mode };
    const p = this.prometheus;
    const prometheus =
      p === undefined
        ? undefined
        : { url: p.url, pid: p.pid, scrapeIntervalMs: p.scrapeIntervalMs, dataDir: p.dataDir };
    return {
      config: this.shape,
      kubeconfig: this.kubeconfigPath,
      exporter,
      prometheus,
      processes,
      crashes: this.crashes(),
      dataPlane: this.dataPlane.status,
      netFaults: this.netFaultsNote,
    };
  }

  /** Processes that exited unstopped, oldest first (the restart loop's record). */
  crashes(): ProcessCrash[] {
    return this.restarter.crashes();
  }

  /** A process's endpoints, with `relay` (what clients use) when one stands in front of it. */
  private withRelay(
    name: string,
    direct: string | undefined,
    endpoints: Record<string, string>,
  ): Record<string, string> {
    const relayed = direct === undefined ? undefined : this.relays?.url(name, direct);
    return relayed === undefined || relayed === direct ? endpoints : { ...endpoints, relay: relayed };
  }

  private restartView(name: string, running: boolean): Pick<TestbedProcessStatus, 'restarts' | 'state'> {
    const r = this.restarter.state(name);
    return { restarts: r.restarts, state: processState(r, running) };
  }

  /** The nodes whose process runs now, with the process's purpose (a comp group: each agent's node). */
  runningNodes(): { node: string; purpose: string }[] {
    const etcd = [this.netcd, this.ketcd].flatMap((c) =>
      (c?.members ?? [])
        .filter((m) => pidAlive(m.pid))
        .map((m) => ({ node: m.name, purpose: c?.name ?? '' })),
    );
    const ours = this.nodeProcesses()
      .filter((p) => p.child.isRunning())
      .flatMap((p) => p.ready.nodes.map((node) => ({ node, purpose: p.ready.purpose })));
    return [...etcd, ...ours];
  }

  /** Stops agents, controllers, fronts, apiservers, then etcd. Idempotent. */
  down(): Promise<void> {
    this.stopping ??= (async () => {
      this.removeStopHook();
      this.restarter.stop();
      await this.workloads?.stop();
      const stopAll = (ps: (NodeProcess | undefined)[]) =>
        Promise.allSettled(ps.map((p) => p?.child.stop() ?? Promise.resolve()));
      await stopAll(this.compGroups);
      await this.dataPlane.stop().catch((e: unknown) => {
        this.log(`data plane: cleanup failed: ${String(e)}`);
      });
      await stopAll([this.nctrl, this.kctrl]);
      await stopAll(this.kapis);
      await stopAll(this.napis);
      await stopAll([...this.started]);
      await this.relays?.closeAll();
      await this.prometheus?.stop();
      await this.exporter?.stop();
      await this.front?.close();
      await Promise.allSettled([this.netcd?.stop(), this.ketcd?.stop()]);
      await rm(Testbed.leftoversFile(this.dir), { force: true });
      const left = (await this.accounting?.remove()) ?? [];
      if (left.length > 0) this.log(`could not remove cgroups: ${left.join(', ')}`);
      this.log('testbed down');
    })();
    return this.stopping;
  }

  private nodeProcesses(): NodeProcess[] {
    return [
      ...this.napis,
      ...this.kapis,
      ...[this.nctrl, this.kctrl].filter((p) => p !== undefined),
      ...this.compGroups,
    ];
  }

  private napiSpec(i: number): NodeSpec {
    return {
      component: 'napi',
      name: nodeName('napi', i),
      host: nodeAddress('napi', i),
      port: 0,
      etcdEndpoints: this.etcdUrls(this.netcd),
      namespaceEtcdEndpoints: this.etcdUrls(this.ketcd),
      ...(this.config.napiClockOffsetMs === 0 ? {} : { clockOffsetMs: this.config.napiClockOffsetMs }),
    };
  }

  private kapiSpec(i: number): NodeSpec {
    return {
      component: 'kapi',
      name: nodeName('kapi', i),
      host: nodeAddress('kapi', i),
      port: 0,
      etcdEndpoints: this.etcdUrls(this.ketcd),
      napiServers: this.napiUrls,
      ...(this.exporter === undefined ? {} : { costExporter: this.exporter.endpoints.metrics }),
    };
  }

  private nctrlSpec(): NodeSpec {
    return { component: 'nctrl', name: 'nctrl0', host: nodeAddress('nctrl', 0), apiServers: this.napiUrls };
  }

  private kctrlSpec(): NodeSpec {
    return {
      component: 'kctrl',
      name: 'kctrl0',
      host: nodeAddress('kctrl', 0),
      kubeFront: this.frontUrls[0] ?? '',
      napiServers: this.napiUrls,
    };
  }

  private async startEtcd(name: 'netcd' | 'ketcd', members: 1 | 3): Promise<EtcdCluster> {
    const cluster = await startEtcdCluster({
      name,
      members,
      hosts: Array.from({ length: members }, (_, i) => nodeAddress(name, i)),
      dataDir: join(this.dir, name),
    });
    await Promise.all(
      cluster.members.map(async (m) => {
        await this.placeEtcdMember(name, m);
        await this.relays?.front(m.name, m.clientUrl);
      }),
    );
    cluster.members.forEach((_, i) => {
      this.superviseEtcdMember(name, cluster, i);
    });
    return cluster;
  }

  /** Ready files like our own nodes', so the cost exporter finds etcd members the same way. */
  private async placeEtcdMember(purpose: 'netcd' | 'ketcd', m: EtcdMember): Promise<void> {
    // (etcd gives no hook before it starts work: its start-up is not in its cgroup.)
    await this.accounting?.place(m.name, m.pid);
    const ready: NodeReady = {
      name: m.name,
      purpose,
      pid: m.pid,
      nodes: [m.name],
      endpoints: { client: m.clientUrl, metrics: m.metricsUrl },
    };
    await writeFileAtomic(join(this.dir, 'nodes', m.name, 'ready.json'), `${JSON.stringify(ready)}\n`);
  }

  /** Restarts etcd member i with back-off when it dies, as the kubelet restarts a static pod. */
  private superviseEtcdMember(purpose: 'netcd' | 'ketcd', cluster: EtcdCluster, i: number): void {
    const m = cluster.members[i];
    if (m === undefined) return;
    const startedAtMs = Date.now();
    const pid = m.pid; // the member's pid changes when it is restarted
    void cluster.memberExited(i).then((exit) => {
      if (this.stopping !== undefined) return;
      const how = exit.signal ?? `code ${String(exit.code)}`;
      this.log(`${m.name} exited unexpectedly (${how}); restarting with back-off; see ${m.logFile}`);
      this.relays?.upstreamDown(m.name);
      this.restarter.crashed(
        m.name,
        Date.now() - startedAtMs,
        async () => {
          if (this.stopping !== undefined) return;
          await cluster.restartMember(i);
          this.log(`${m.name} restarted (pid ${m.pid})`);
          await this.placeEtcdMember(purpose, m);
          await this.relays?.front(m.name, m.clientUrl);
          await this.recordOwnedPids();
          this.superviseEtcdMember(purpose, cluster, i);
        },
        { pid, how },
      );
    });
  }

  /** Starts a node on `spec`; `planned` (default: spec) is what later plans compare it with. */
  private async startNode(spec: NodeSpec, planned: NodeSpec = spec): Promise<NodeProcess> {
    const p = {
      ...(await startNodeProcess({
        spec,
        dir: join(this.dir, 'nodes', spec.name),
        onSpawn: (pid) => this.accounting?.place(spec.name, pid) ?? Promise.resolve(),
      })),
      spec: planned,
    };
    // Also those a failed Promise.all never handed back: down() stops every one.
    this.started.add(p);
    if (spec.component === 'napi' || spec.component === 'kapi')
      await this.relays?.front(spec.name, endpoint(p, 'api'));
    // The restart loop counts a restart as it starts the process: this process's pods show it.
    const lifetime: Lifetime = { startedAtMs: Date.now(), restarts: this.restarter.state(p.name).restarts };
    this.lifetimes.set(p, lifetime);
    void p.child.exited.then((exit) => {
      lifetime.exit = { code: exit.code, signal: exit.signal, atMs: Date.now() };
      for (const node of p.ready.nodes) this.lastExits.set(node, lifetime.exit);
      if (this.stopping !== undefined || this.retired.has(p)) return;
      const how = exit.signal ?? `code ${String(exit.code)}`;
      this.log(`${p.name} exited unexpectedly (${how}); restarting with back-off; see ${p.logFile}`);
      this.relays?.upstreamDown(p.name);
      this.restarter.crashed(
        p.name,
        lifetime.exit.atMs - lifetime.startedAtMs,
        () => this.exclusive(() => this.restartCrashed(p)),
        { pid: p.child.pid, how },
      );
    });
    return p;
  }

  /** Starts a crashed node again where it listened, in its place (unless it was stopped meanwhile). */
  private async restartCrashed(dead: NodeProcess): Promise<void> {
    if (this.noLongerWanted(dead)) return;
    const fresh = await this.startNode(pinnedPorts(this.currentSpec(dead), dead.ready), dead.spec);
    if (this.noLongerWanted(dead)) {
      await this.stopNode(fresh);
      return;
    }
    this.retired.add(dead);
    const swap = (ps: NodeProcess[]): NodeProcess[] => ps.map((p) => (p === dead ? fresh : p));
    this.napis = swap(this.napis);
    this.kapis = swap(this.kapis);
    this.compGroups = swap(this.compGroups);
    if (this.nctrl === dead) this.nctrl = fresh;
    if (this.kctrl === dead) this.kctrl = fresh;
    this.log(`${fresh.name} restarted (pid ${fresh.child.pid})`);
    await this.updateScrapeTargets();
  }

  /** The testbed is going down, or `p` was stopped on purpose (scaled away, respecced). */
  private noLongerWanted(p: NodeProcess): boolean {
    return this.stopping !== undefined || this.retired.has(p);
  }

  /** What a node should run now: the planned spec, with today's napi and front lists. */
  private currentSpec(p: NodeProcess): NodeSpec {
    switch (p.spec.component) {
      case 'napi':
        return this.napiSpec(this.napis.indexOf(p));
      case 'kapi':
        return this.kapiSpec(this.kapis.indexOf(p));
      case 'nctrl':
        return this.nctrlSpec();
      case 'kctrl':
        return this.kctrlSpec();
      case 'comp':
        return p.spec;
    }
  }

  /** Starts or stops instances at the end of the list so that `count` run. */
  private async resize(
    current: NodeProcess[],
    count: number,
    specOf: (i: number) => NodeSpec,
  ): Promise<NodeProcess[]> {
    const keep = current.slice(0, count);
    await Promise.all(current.slice(count).map((p) => this.stopNode(p)));
    const added = await Promise.all(
      Array.from({ length: Math.max(0, count - current.length) }, (_, k) =>
        this.startNode(specOf(current.length + k)),
      ),
    );
    return [...keep, ...added];
  }

  private async stopNode(p: NodeProcess): Promise<void> {
    this.retired.add(p);
    await this.relays?.remove(p.name);
    await p.child.stop();
    await rm(join(p.dir, 'ready.json'), { force: true });
  }

  private async restart(p: NodeProcess, spec: NodeSpec): Promise<NodeProcess> {
    await this.stopNode(p);
    return this.startNode(spec);
  }

  /** Rewrites a running node's spec with the current napi list and tells it by SIGHUP. */
  private async respec(p: NodeProcess): Promise<void> {
    const spec = p.ready.purpose === 'kapi' ? this.kapiSpec(this.kapis.indexOf(p)) : this.kctrlSpec();
    await writeFileAtomic(join(p.dir, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
    p.child.kill('SIGHUP');
  }

  /** Runs exactly these agent groups: unchanged groups keep running, changed ones restart (Nodes: placeAgents). */
  private async setAgents(groups: NodeSpec[]): Promise<void> {
    const wanted = new Map(groups.map((g) => [g.name, g]));
    const keep: NodeProcess[] = [];
    const gone: NodeProcess[] = [];
    for (const p of this.compGroups) {
      const spec = wanted.get(p.name);
      if (spec !== undefined && sameSpec(spec, p.spec)) {
        keep.push(p);
        wanted.delete(p.name);
      } else gone.push(p);
    }
    await Promise.all(gone.map((p) => this.stopNode(p)));
    this.compGroups = keep;
    // A group at a time: each staggers its own agents' first lists.
    for (const spec of wanted.values()) {
      if (spec.component !== 'comp') continue;
      this.log(`agents: ${spec.name} (${spec.agents.length})`);
      this.compGroups.push(await this.startNode(spec));
    }
  }

  private async registerNodes(nodes: TestbedNode[]): Promise<void> {
    const front = this.front;
    if (front === undefined) return;
    await forEachLimited(nodes, 16, async (node) => {
      const obj = nodeObject(node, new Date(), this.dataPlane.spec !== undefined);
      try {
        await front.create(NODES, obj);
      } catch (e: unknown) {
        if (!isAlreadyExists(e)) throw e;
      }
    });
  }

  private async unregisterNodes(names: string[]): Promise<void> {
    const front = this.front;
    if (front === undefined) return;
    await forEachLimited(names, 16, async (name) => {
      try {
        await front.delete({ ...NODES, name });
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  private async writeKubeconfig(): Promise<void> {
    const fronts = this.kapis.map((p, i) => ({
      name: i === 0 ? 'kos-testbed' : `kos-testbed-${p.name}`,
      server: this.apiUrl(p),
    }));
    const napis = this.napis.map((p) => ({ name: `kos-testbed-${p.name}`, server: this.apiUrl(p) }));
    await writeFileAtomic(this.kubeconfigPath, renderKubeconfig([...fronts, ...napis]));
  }
}

/** Checks a shape before anything starts, so a bad value fails in one line, not in a child. */
function checkedConfig(input: TestbedConfigInput): TestbedConfig {
  const config = parseChecked(
    testbedConfigSchema,
    input,
    (f) =>
      new KosTestError({
        what: `bad testbed ${f.issue === undefined ? 'shape' : f.dotted}`,
        value: f.message,
        fix: 'see kos-test testbed up --help for the allowed values',
      }),
  );
  for (const delay of [config.fabricDelay, ...config.groupFabricDelays]) parseDelaySpec(delay);
  return config;
}

function endpoint(p: NodeProcess, name: string): string {
  const url = p.ready.endpoints[name];
  if (url === undefined) throw new Error(`${p.name} has no ${name} endpoint`);
  return url;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
