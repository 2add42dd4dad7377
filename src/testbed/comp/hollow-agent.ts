/**
 * One hollow connection agent: one testbed node (`compN` on its own 127.10.x.y) running the
 * real agent's control loop against a network-apiserver, with a hollow fabric underneath.
 *
 * On the wire it does what upstream's agent does: one reflector on the node's attachments that
 * have an address (cluster-wide, `spec.node=<node>,status.ipv4!=`), one per relevant VN (see
 * relevant-vns.ts), and for each local attachment the fabric call then a status PUT of
 * macAddress, ifcName and hostIP. Keys are processed through a work queue, so one attachment is
 * never worked on twice at once. Interfaces live in memory only; a restarted agent starts empty.
 *
 * An attachment that carries `spec.postCreateExec` gets a real interface and its command run
 * when the agent has a data plane (agent-exec.ts; the testbed gives one when it runs as root):
 * only the driver's tested attachments carry one, so the many others stay hollow and cheap.
 * Without a data plane, commands are not run and no exec report is written. Upstream also emits
 * a Kubernetes Event per local interface; the testbed has no core API, so it does not.
 */
import { nowMicros } from '../../api/micro-time.js';
import type { ResourceRef } from '../../kube/api-path.js';
import { objectKey, Reflector, type ReflectorHandler } from '../../kube/reflector.js';
import { RestClient } from '../../kube/rest-client.js';
import type { WatchEventDecoder } from '../../kube/watch-events.js';
import { toError } from '../../util/errors.js';
import { ATTACHMENTS, type Attachment } from './attachment.js';
import type { AgentGaugeSource, AgentMetrics } from './agent-metrics.js';
import { AgentExec, type DataPlaneContext } from './agent-exec.js';
import type { HollowFabric } from './fabric.js';
import { desiredIfc, InterfaceTable } from './interface-table.js';
import { RelevantVns, type VnState } from './relevant-vns.js';
import { writeImplStatus } from './status-writer.js';
import { runWorkers, WorkQueue, type QueueTimers } from '../../kube/work-queue.js';
import { attachmentClientWrite, remoteClientWrite, type ClientWrite } from './write-times.js';

export interface HollowAgentOptions {
  /** e.g. `comp3` */
  node: string;
  /** The node's address: source of its traffic and its attachments' `status.hostIP`. */
  hostIP: string;
  /** Its network-apiserver, e.g. `http://127.2.0.1:40123`. */
  apiServer: string;
  /** The other network-apiserver replicas, tried when apiServer refuses connections. */
  alternates?: readonly string[];
  fabric: HollowFabric;
  /** Real interfaces and commands for attachments with spec.postCreateExec; absent: all hollow. */
  dataPlane?: DataPlaneContext;
  /** Decodes watch lines; one per process lets its agents share each event's parse. @default JSON.parse */
  decodeWatchEvent?: WatchEventDecoder;
  /** Usually shared by a group; absent means no metrics. */
  metrics?: AgentMetrics;
  /** Keys processed concurrently. @default 2 (upstream) */
  workers?: number;
  /** Status PUTs per key on repeated 409 before the key is retried with backoff. @default 5 */
  conflictAttempts?: number;
  /** Wall-clock epoch microseconds, compared with server stamps. @default nowMicros */
  nowMicros?: () => number;
  /** The work queue's retry timers (src/kube/work-queue.ts). @default real timers */
  timers?: QueueTimers;
  log?: (message: string) => void;
}

const NA = ATTACHMENTS;

export class HollowAgent implements AgentGaugeSource {
  readonly node: string;
  readonly hostIP: string;
  private readonly client: RestClient;
  private readonly local: Reflector<Attachment>;
  private readonly vns: RelevantVns;
  private readonly queue: WorkQueue;
  private readonly workers: Promise<void>;
  private readonly ifcs: InterfaceTable;
  private readonly exec: AgentExec | undefined;
  /** Monotonic ms at which each queued key's first watch event since its last run came. */
  private readonly queuedAt = new Map<string, number>();
  private running = false;
  private listed = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: HollowAgentOptions) {
    this.node = opts.node;
    this.hostIP = opts.hostIP;
    this.ifcs = new InterfaceTable({
      fabric: opts.fabric,
      metrics: opts.metrics,
      nowMicros: opts.nowMicros ?? nowMicros,
    });
    this.client = new RestClient({
      server: opts.apiServer,
      ...(opts.alternates === undefined ? {} : { alternates: opts.alternates }),
      localAddress: opts.hostIP,
      connections: 1,
      userAgent: `kos-test-hollow-agent/${opts.node}`,
      leanWatches: true,
      leanRequests: true,
      ...(opts.decodeWatchEvent === undefined ? {} : { decodeWatchEvent: opts.decodeWatchEvent }),
    });
    const log = opts.log === undefined ? undefined : (m: string): void => opts.log?.(`${opts.node}: ${m}`);
    // Upstream's agent retries from 200 ms up to a minute.
    this.queue = new WorkQueue({
      baseDelayMs: 200,
      maxDelayMs: 60_000,
      ...(opts.timers === undefined ? {} : { timers: opts.timers }),
    });
    this.workers = runWorkers(
      this.queue,
      opts.workers ?? 2,
      (key) => this.process(key),
      (key, e, ms) => log?.(`${key}: ${toError(e).message}; retrying in ${ms} ms`),
    );
    const enqueue = (key: string): void => {
      if (!this.queuedAt.has(key)) this.queuedAt.set(key, performance.now());
      this.queue.add(key);
    };
    this.exec = opts.dataPlane === undefined ? undefined : new AgentExec(opts.dataPlane, opts.node, enqueue);
    this.vns = new RelevantVns({
      node: opts.node,
      enqueue,
      newReflector: (namespace, fieldSelector, handler) =>
        this.reflector({ ...NA, namespace }, fieldSelector, handler),
    });
    this.local = this.reflector(NA, `spec.node=${opts.node},status.ipv4!=`, {
      onAdd: (att) => {
        enqueue(objectKey(att));
      },
      onUpdate: (prev, att) => {
        // Upstream reprocesses a local attachment only when it was replaced or re-addressed.
        if (
          prev.metadata.uid !== att.metadata.uid ||
          prev.status?.ipv4 !== att.status?.ipv4 ||
          prev.status?.addressVNI !== att.status?.addressVNI
        ) {
          enqueue(objectKey(att));
        }
      },
      onDelete: (att) => {
        enqueue(objectKey(att));
      },
    });
  }

  /** Starts the node watch; resolves once its first list is in (work on it has begun). */
  async start(): Promise<void> {
    if (this.stopping !== undefined) return;
    this.running = true;
    this.opts.metrics?.addAgent(this);
    await this.local.start();
    this.listed = this.running;
  }

  /** True once start() has its node's attachments listed and is watching for more. */
  get started(): boolean {
    return this.listed && this.running;
  }

  /** Ends every watch, request and retry of this agent; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      this.opts.metrics?.removeAgent(this);
      this.queue.shutdown();
      await Promise.all([this.local.stop(), this.vns.stop(), this.exec?.stop()]);
      await this.client.close();
      await this.workers;
    })();
    return this.stopping;
  }

  /** The node watch plus one per relevant VN, while running. */
  get watchCount(): number {
    return this.running ? 1 + this.vns.size : 0;
  }

  get localIfcCount(): number {
    return this.ifcs.localCount;
  }

  get remoteIfcCount(): number {
    return this.ifcs.remoteCount;
  }

  /** Keys queued or being processed. */
  get queueLength(): number {
    return this.queue.length + this.queue.active;
  }

  /** Relevant VNIs and the remote attachment keys each one tracks (for tests and debugging). */
  relevantVnis(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const s of this.vns.states()) out.set(s.vni, [...s.remoteAtts].sort());
    return out;
  }

  /** Attachment keys with an interface here, by kind. */
  interfaces(): { local: string[]; remote: string[] } {
    const local: string[] = [];
    const remote: string[] = [];
    for (const [key, ifc] of this.ifcs.entries()) (ifc.kind === 'local' ? local : remote).push(key);
    return { local: local.sort(), remote: remote.sort() };
  }

  /** Resolves when no key is queued or in process. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private reflector(
    ref: ResourceRef,
    fieldSelector: string,
    handler: ReflectorHandler<Attachment>,
  ): Reflector<Attachment> {
    return new Reflector<Attachment>({
      client: this.client,
      ref,
      fieldSelector,
      handler,
      ...(this.opts.log === undefined ? {} : { log: (m: string) => this.opts.log?.(`${this.node}: ${m}`) }),
    });
  }

  private async process(key: string): Promise<void> {
    const queuedAtMs = this.queuedAt.get(key);
    this.queuedAt.delete(key);
    if (!this.running) return;
    const found = this.lookup(key);
    if (found === 'ambiguous') return; // a later delete from one of the sources will requeue it
    const att = found?.att;
    this.vns.syncLocal(key, att);
    const want = att === undefined ? undefined : desiredIfc(att, this.node);
    const write = found === undefined || att === undefined ? undefined : this.clientWrite(att, found.vn);
    const ifc = await this.ifcs.sync(key, want, att, write, queuedAtMs);
    const local = ifc?.kind === 'local' ? ifc : undefined;
    const report = await this.exec?.sync(key, att, local);
    if (att === undefined || local === undefined || write === undefined) return;
    await writeImplStatus(
      {
        client: this.client,
        node: this.node,
        hostIP: this.hostIP,
        metrics: this.opts.metrics,
        conflictAttempts: this.opts.conflictAttempts ?? 5,
        stillWanted: () => this.running && this.local.store.has(key),
      },
      att,
      local,
      write,
      report,
    );
    if (this.local.store.has(key)) this.exec?.launch(key);
  }

  /** Where the attachment is known: the node reflector, or exactly one VN reflector. */
  private lookup(key: string): { att: Attachment | undefined; vn?: VnState } | 'ambiguous' | undefined {
    const localAtt = this.local.store.get(key);
    const sources = this.vns.remoteSources(key);
    if (sources.length + (localAtt === undefined ? 0 : 1) > 1) return 'ambiguous';
    if (localAtt !== undefined) return { att: localAtt };
    const vn = sources[0];
    if (vn === undefined) return undefined;
    return { att: vn.reflector.store.get(key), vn };
  }

  private clientWrite(att: Attachment, vn: VnState | undefined): ClientWrite {
    return vn === undefined ? attachmentClientWrite(att) : remoteClientWrite(att, vn.relevance);
  }
}
