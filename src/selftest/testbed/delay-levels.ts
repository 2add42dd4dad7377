/**
 * The delay-shift experiment on a running testbed (issue 23): both fabric delays run side by
 * side, one per agent group, so each run sees the machine's load at both levels alike; which
 * group runs level B alternates in blocks of (g1, g0, g0, g1), so a difference between the groups
 * cancels. Per run and level: what the agents recorded of their fabric and status calls (their
 * group's histograms) and the driver's fulfilments of the attachments it put on that group's
 * nodes (its attachments.csv). Every VN has one slot, so an agent makes only local interfaces and
 * each fulfilment waits for exactly one fabric call. A change of levels restarts both groups; a
 * short unmeasured drive after each restart warms them up.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupRuns, RUN_GONE_MS } from '../../driver/cleanup.js';
import type { DriveSummary } from '../../driver/drive-summary.js';
import { OUTPUT_FILES } from '../../driver/outputs.js';
import { runDrive } from '../../driver/run-drive.js';
import { RestClient } from '../../kube/rest-client.js';
import { latencyHistogram, latencyStats, recordMs } from '../../measure/histogram.js';
import type { Sample } from '../../testbed/exporter/prom-text.js';
import type { Testbed } from '../../testbed/supervisor/testbed.js';
import { meanOf, type DelayRunFigures } from '../delay-shift-math.js';
import { histogramTotals, meanMsBetween, readAgentSamples } from './agent-histogram-totals.js';
import { attachmentTimes } from './attachments-csv.js';

/** The agent group (0 or 1) at level B in each run: `blocks` times 1 0 0 1 (pure). */
export function levelBGroups(blocks: number): (0 | 1)[] {
  return Array.from({ length: blocks }, () => [1, 0, 0, 1] as const).flat();
}

export interface DelayLevelsOptions {
  /** Fabric delay of level A and B, ms. @default 3 and 26 (the issue's) */
  delayMs?: { A: number; B: number };
  /** @default 20 */
  ops?: number;
  /** @default 'poisson' */
  schedule?: 'steady' | 'poisson';
  /** Attachments created per run (creates of all phases). @default 300 */
  attachments?: number;
  /** VNs of one slot each, i.e. the population. @default 100 */
  numNets?: number;
  /** Blocks of four runs. @default 1 */
  blocks?: number;
  /** Attachments of the unmeasured drive after each restart of the agents. @default 100 */
  warmupAttachments?: number;
  outDir: string;
  log?: (message: string) => void;
}

/** fabricMeanMs: CreateLocalIfc calls only; fulfilment: from planned, over every phase. */
export interface DelayLevelRun extends DelayRunFigures {
  run: number;
  group: string;
  fabricCalls: number;
  runId: string;
}

const FABRIC = 'kos_agent_fabric_latency_seconds';
/** The watch event that queued the attachment to the start of its fabric call. */
const FABRIC_WAIT = 'kos_agent_fabric_wait_latency_seconds';
/** Server stamps to the agent's clock: the last client write (the create) to the local interface. */
const LOCAL_IFC = 'kos_agent_last_client_write_to_local_ifc_latency_seconds';
const STATUS_PUT = 'kos_agent_attachment_status_latency_seconds';
/** Server stamps: the last client write (the create) to the agent's status write. */
const AGENT_SPAN = 'kos_agent_last_client_write_to_status_update_latency_seconds';
/** A per-node gauge every group serves: which group runs each node's agent. */
const NODE_GAUGE = 'kos_agent_local_attachments';

export async function driveDelayLevels(testbed: Testbed, opts: DelayLevelsOptions): Promise<DelayLevelRun[]> {
  const delayMs = opts.delayMs ?? { A: 3, B: 26 };
  const log = opts.log ?? (() => undefined);
  const groups = testbed.status().processes.filter((p) => p.purpose === 'comp').length;
  if (groups !== 2) throw new Error(`the delay shift needs two agent groups, the testbed has ${groups}`);
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  const drive = (runId: string, numAttachments: number): Promise<DriveSummary> =>
    runDrive(
      {
        runId,
        numNets: opts.numNets ?? 100,
        topNetSize: 1,
        numAttachments,
        rate: opts.ops ?? 20,
        opsDistribution: opts.schedule ?? 'poisson',
        outDir: opts.outDir,
        metricsPort: 0,
        waitAfterDelete: 2000,
        graceMs: 30_000,
        seed: 23,
        perAttachmentCsv: true,
      },
      { kubeconfigPath: testbed.kubeconfigPath, log },
    );
  const runs: DelayLevelRun[] = [];
  const order = levelBGroups(opts.blocks ?? 1);
  try {
    for (const [i, bGroup] of order.entries()) {
      const delays = bGroup === 1 ? [delayMs.A, delayMs.B] : [delayMs.B, delayMs.A];
      const groupFabricDelays = delays.map((ms) => `${ms}ms`);
      if (i === 0 || bGroup !== order[i - 1]) {
        await testbed.scale({ groupFabricDelays });
        await waitForAgentWatches(testbed);
        const runId = `delay-shift-warmup-${i}`;
        log(`warm-up after a (re)start of the agents: fabric delays ${groupFabricDelays.join(', ')}`);
        await drive(runId, opts.warmupAttachments ?? 100);
        await cleanupRuns(front, { runId }, { untilGoneMs: RUN_GONE_MS });
      }
      const before = await readAgentSamples(testbed.status());
      const runId = `delay-shift-${i}`;
      log(`run ${i + 1}/${order.length}: comp-group${bGroup} at level B (${delayMs.B} ms)`);
      await drive(runId, opts.attachments ?? 300);
      const after = await readAgentSamples(testbed.status());
      const csv = await readFile(join(opts.outDir, runId, OUTPUT_FILES.attachments), 'utf8');
      const groupOf = nodeGroups(after);
      for (const level of ['A', 'B'] as const) {
        const group = `comp-group${level === 'B' ? bGroup : 1 - bGroup}`;
        const mine = attachmentTimes(csv).filter((a) => groupOf.get(a.node) === group);
        const fulfilment = latencyHistogram();
        for (const a of mine) if (Number.isFinite(a.readyMs)) recordMs(fulfilment, a.readyMs - a.plannedMs);
        const between = (name: string, labels: Record<string, string> = {}): number =>
          meanMsBetween(
            histogramTotals(before, name, { ...labels, group }),
            histogramTotals(after, name, { ...labels, group }),
          );
        const op = { op: 'CreateLocalIfc' };
        runs.push({
          run: i,
          runId,
          group,
          level,
          delayMs: delayMs[level],
          fabricMeanMs: between(FABRIC, op),
          fabricCalls:
            histogramTotals(after, FABRIC, { ...op, group }).count -
            histogramTotals(before, FABRIC, { ...op, group }).count,
          fabricWaitMeanMs: between(FABRIC_WAIT, op),
          localIfcMeanMs: between(LOCAL_IFC),
          statusPutMeanMs: between(STATUS_PUT, { err: 'ok' }),
          agentSpanMeanMs: between(AGENT_SPAN),
          addressedMeanMs: meanOf(mine.map((a) => a.addressedMs - a.sentMs).filter(Number.isFinite)),
          fromAddressedMeanMs: meanOf(mine.map((a) => a.readyMs - a.addressedMs).filter(Number.isFinite)),
          fulfilment: latencyStats(fulfilment),
        });
      }
      await cleanupRuns(front, { runId }, { untilGoneMs: RUN_GONE_MS });
    }
  } finally {
    await front.close();
  }
  return runs;
}

/** Node name to the agent group that serves it, from the groups' own per-node gauges (pure). */
export function nodeGroups(samples: readonly Sample[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of samples) {
    const { node, group } = s.labels;
    if (s.name === NODE_GAUGE && node !== undefined && group !== undefined) out.set(node, group);
  }
  return out;
}

/** After a restart of the agent groups: until every agent holds its node watch again. */
async function waitForAgentWatches(testbed: Testbed): Promise<void> {
  const want = testbed.shape.nca;
  const deadline = performance.now() + 120_000;
  for (;;) {
    const samples = await readAgentSamples(testbed.status()).catch(() => []);
    const agents = samples
      .filter((s) => s.name === 'kos_agent_group_agents')
      .reduce((n, s) => n + s.value, 0);
    if (agents >= want) return;
    if (performance.now() > deadline) throw new Error(`only ${agents} of ${want} agents after 120 s`);
    await sleep(500);
  }
}
