/**
 * The delay-shift experiment on a running testbed (issue 23): drives the same small run at two
 * fabric delays in the order A B B A and returns, per run, what the agents recorded of their
 * fabric and status calls and what the driver measured. Every VN has one slot, so an agent makes
 * only local interfaces and each fulfilment waits for exactly one fabric call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupRuns } from '../../driver/cleanup.js';
import type { DriveSummary } from '../../driver/drive-summary.js';
import { runDrive, type DriveOptionsInput } from '../../driver/run-drive.js';
import { RestClient } from '../../kube/rest-client.js';
import type { Testbed } from '../../testbed/supervisor/testbed.js';
import type { DelayRunFigures } from '../delay-shift-math.js';
import { histogramTotals, meanMsBetween, readAgentSamples } from './agent-histogram-totals.js';

export const DELAY_ORDER = ['A', 'B', 'B', 'A'] as const;
export type DelayLevel = (typeof DELAY_ORDER)[number];

export interface DelayLevelsOptions {
  /** Fabric delay of level A and B, ms. @default 3 and 26 (the issue's) */
  delayMs?: { A: number; B: number };
  /** @default 20 */
  ops?: number;
  /**
   * @default 'poisson': a steady schedule issues an op every 1/ops s, and when a level's latency
   * comes near that period its fulfilments meet the next op's create on the machine's CPUs (a
   * cost of the lockstep, not of the fabric); Poisson arrivals meet them equally at any delay.
   */
  schedule?: 'steady' | 'poisson';
  /** Attachments created per run (creates of all phases). @default 300 */
  attachments?: number;
  /** VNs of one slot each, i.e. the population. @default 100 */
  numNets?: number;
  outDir: string;
  log?: (message: string) => void;
}

/** fabricMeanMs: CreateLocalIfc calls only; fulfilment: from planned, over every phase. */
export interface DelayLevelRun extends DelayRunFigures {
  fabricCalls: number;
  summary: DriveSummary;
}

const FABRIC = 'kos_agent_fabric_latency_seconds';
const STATUS_PUT = 'kos_agent_attachment_status_latency_seconds';
/** Server stamps: the address write to the agent's status write. */
const AGENT_SPAN = 'kos_agent_last_client_write_to_status_update_latency_seconds';

export async function driveDelayLevels(testbed: Testbed, opts: DelayLevelsOptions): Promise<DelayLevelRun[]> {
  const delayMs = opts.delayMs ?? { A: 3, B: 26 };
  const ops = opts.ops ?? 20;
  const numNets = opts.numNets ?? 100;
  const log = opts.log ?? (() => undefined);
  const front = new RestClient({ server: testbed.frontUrls[0] ?? '' });
  const runs: DelayLevelRun[] = [];
  try {
    for (const [i, level] of DELAY_ORDER.entries()) {
      const fabricDelay = `${delayMs[level]}ms`;
      if (testbed.shape.fabricDelay !== fabricDelay) {
        await testbed.scale({ fabricDelay });
        await waitForAgentWatches(testbed);
      }
      const before = await readAgentSamples(testbed.status());
      const runId = `delay-shift-${i}-${level.toLowerCase()}`;
      log(`run ${i + 1}/4: level ${level}, fabric delay ${fabricDelay}`);
      const drive: DriveOptionsInput = {
        runId,
        numNets,
        topNetSize: 1,
        numAttachments: opts.attachments ?? 300,
        rate: ops,
        opsDistribution: opts.schedule ?? 'poisson',
        outDir: opts.outDir,
        metricsPort: 0,
        waitAfterDelete: 2000,
        graceMs: 30_000,
        seed: 23,
      };
      const summary = await runDrive(drive, { kubeconfigPath: testbed.kubeconfigPath, log });
      const after = await readAgentSamples(testbed.status());
      const op = { op: 'CreateLocalIfc' };
      const fabricBefore = histogramTotals(before, FABRIC, op);
      const fabricAfter = histogramTotals(after, FABRIC, op);
      runs.push({
        level,
        delayMs: delayMs[level],
        fabricMeanMs: meanMsBetween(fabricBefore, fabricAfter),
        fabricCalls: fabricAfter.count - fabricBefore.count,
        statusPutMeanMs: meanMsBetween(
          histogramTotals(before, STATUS_PUT, { err: 'ok' }),
          histogramTotals(after, STATUS_PUT, { err: 'ok' }),
        ),
        agentSpanMeanMs: meanMsBetween(
          histogramTotals(before, AGENT_SPAN),
          histogramTotals(after, AGENT_SPAN),
        ),
        fulfilment: summary.total.latency.fulfilmentFromPlanned,
        summary,
      });
      await cleanupRuns(front, { runId });
    }
  } finally {
    await front.close();
  }
  return runs;
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
