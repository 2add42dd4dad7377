/**
 * The connection agent's Prometheus metrics under KOS's names, one registry per agent group.
 * Histograms are shared by the group's agents (every series carries `group`, a default label) and
 * counted into series resolved once per label set (histogram-series.ts, ADR 0046);
 * gauges are per node and read from the agents at scrape time, so an agent's state changes cost
 * no metric updates. Buckets are upstream's with finer steps below 1 s (a hollow fabric is fast).
 * /metrics is served by `metrics()`, a lean render of the same text as `registry.metrics()`.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  groupLabelText,
  HistogramText,
  metricHeader,
  nodeLabelsText,
  sampleValue,
} from './agent-metrics-text.js';
import type { FabricOp } from './fabric.js';
import { HistogramObservers } from './histogram-series.js';
import type { LastClientWriteLabel } from './write-times.js';

export const LATENCY_BUCKETS = [
  -0.125, 0, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256,
];

/** What the gauges read from each agent at scrape time. */
export interface AgentGaugeSource {
  readonly node: string;
  readonly localIfcCount: number;
  readonly remoteIfcCount: number;
  readonly watchCount: number;
  readonly queueLength: number;
}

type LcwHistogram = HistogramObservers<'last_client_wr'>;

export class AgentMetrics {
  readonly registry = new Registry();
  /** Each agent, with its per-node gauges' label text. */
  private readonly sources = new Map<AgentGaugeSource, string>();
  /** Renders each metric's lines, in the registry's order; absent with process metrics. */
  private readonly texts: (() => string)[] | undefined;
  /** `group="…"`, on every series. */
  private readonly groupLabel: string;
  private readonly localIfc: LcwHistogram;
  private readonly remoteIfc: LcwHistogram;
  private readonly statusUpdate: LcwHistogram;
  private readonly implToRemote: LcwHistogram;
  private readonly fabric: HistogramObservers<'op' | 'err'>;
  private readonly fabricWait: HistogramObservers<'op'>;
  private readonly statusRoundTrip: HistogramObservers<'statusErr' | 'err'>;

  constructor(group: string, opts: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ group });
    const processMetrics = opts.processMetrics ?? true;
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    const texts: (() => string)[] = [];
    this.texts = processMetrics ? undefined : texts;
    const groupLabel = groupLabelText(group);
    this.groupLabel = groupLabel;
    const registers = [this.registry];
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: L[],
    ): HistogramObservers<L> => {
      const h = new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });
      const text = new HistogramText(h, name, help, LATENCY_BUCKETS, groupLabel);
      texts.push(() => text.render());
      return new HistogramObservers(h, LATENCY_BUCKETS);
    };
    const lcw = (name: string, help: string): LcwHistogram => histogram(name, help, ['last_client_wr']);
    this.localIfc = lcw(
      'kos_agent_last_client_write_to_local_ifc_latency_seconds',
      "Seconds from the last relevant client write to creation of the attachment's local network interface.",
    );
    this.remoteIfc = lcw(
      'kos_agent_last_client_write_to_remote_ifc_latency_seconds',
      "Seconds from the last relevant client write to creation of the attachment's remote network interface.",
    );
    this.statusUpdate = lcw(
      'kos_agent_last_client_write_to_status_update_latency_seconds',
      "Seconds from the last relevant client write to the server's stamp of the attachment's status.impl.",
    );
    this.implToRemote = lcw(
      'kos_agent_attachment_impl_to_remote_ifc_latency_seconds',
      "Seconds from the attachment's status.impl server stamp to creation of its remote network interface.",
    );
    this.fabric = histogram('kos_agent_fabric_latency_seconds', 'Network fabric operation time in seconds.', [
      'op',
      'err',
    ]);
    this.fabricWait = histogram(
      'kos_agent_fabric_wait_latency_seconds',
      'Seconds from the watch event that queued an attachment to the start of its fabric call: ' +
        'the wait for a worker and the processing before the call (testbed metric).',
      ['op'],
    );
    this.statusRoundTrip = histogram(
      'kos_agent_attachment_status_latency_seconds',
      'Round trip latency to update attachment status, in seconds.',
      ['statusErr', 'err'],
    );
    const sources = this.sources;
    const perNode = (name: string, help: string, read: (s: AgentGaugeSource) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['node'],
        registers,
        collect() {
          this.reset();
          for (const s of sources.keys()) this.set({ node: s.node }, read(s));
        },
      });
      const header = metricHeader(name, help, 'gauge');
      texts.push(() => {
        let text = header;
        for (const [s, labels] of sources) text += `\n${name}{${labels}} ${sampleValue(read(s))}`;
        return text;
      });
    };
    const groupGauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
      const header = metricHeader(name, help, 'gauge');
      texts.push(() => `${header}\n${name}{${groupLabel}} ${sampleValue(read())}`);
    };
    perNode(
      'kos_agent_local_attachments',
      'Number of local attachments in network fabric.',
      (s) => s.localIfcCount,
    );
    perNode(
      'kos_agent_remote_attachments',
      'Number of remote attachments in network fabric.',
      (s) => s.remoteIfcCount,
    );
    perNode(
      'kos_agent_watches',
      'Watches the agent holds: one on its node, one per relevant virtual network (testbed metric).',
      (s) => s.watchCount,
    );
    groupGauge(
      'kos_agent_group_queue_length',
      "Attachments queued or in process, summed over the group's agents (testbed metric).",
      () => {
        let n = 0;
        for (const s of sources.keys()) n += s.queueLength;
        return n;
      },
    );
    groupGauge(
      'kos_agent_group_agents',
      'Agents running in this group (testbed metric).',
      () => sources.size,
    );
  }

  addAgent(source: AgentGaugeSource): void {
    this.sources.set(source, nodeLabelsText(source.node, this.groupLabel));
  }

  removeAgent(source: AgentGaugeSource): void {
    this.sources.delete(source);
  }

  observeLocalIfc(label: LastClientWriteLabel, seconds: number): void {
    this.localIfc.observe(label, { last_client_wr: label }, seconds);
  }

  observeRemoteIfc(label: LastClientWriteLabel, seconds: number): void {
    this.remoteIfc.observe(label, { last_client_wr: label }, seconds);
  }

  observeStatusUpdate(label: LastClientWriteLabel, seconds: number): void {
    this.statusUpdate.observe(label, { last_client_wr: label }, seconds);
  }

  observeImplToRemote(label: LastClientWriteLabel, seconds: number): void {
    this.implToRemote.observe(label, { last_client_wr: label }, seconds);
  }

  observeFabric(op: FabricOp, ok: boolean, seconds: number): void {
    const err = ok ? 'ok' : 'err';
    this.fabric.observe(`${op} ${err}`, { op, err }, seconds);
  }

  observeFabricWait(op: FabricOp, seconds: number): void {
    this.fabricWait.observe(op, { op }, seconds);
  }

  observeStatusRoundTrip(outcome: 'ok' | 'nf' | 'err', seconds: number): void {
    this.statusRoundTrip.observe(outcome, { statusErr: 'ok', err: outcome }, seconds);
  }

  /** The Prometheus text of `registry.metrics()`, rendered without its generic path when it can be. */
  metrics(): Promise<string> {
    if (this.texts === undefined) return this.registry.metrics();
    return Promise.resolve(`${this.texts.map((t) => t()).join('\n\n')}\n`);
  }
}
