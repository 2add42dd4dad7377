/**
 * The driver's options: one zod schema at the edge (CLI flags and the experiment runner's calls
 * both land here), every default beside its field. Times are milliseconds.
 */
import { KOS_COMMAND_DIR } from '../api/kos-command-dir.js';
import { z } from 'zod';
import { parseIPv4 } from '../api/ipv4-cidr.js';
import { parseLabelSelector } from '../api/label-selector.js';
import { runIdProblem } from './plan/run-id.js';

/** The original driver's --test-fraction, which `kos-test drive` keeps as its flag's default. */
export const ORIGINAL_TEST_FRACTION = 0.1;

export const driveOptionsSchema = z
  .object({
    /** VNs. @default 10 */
    numNets: z.number().int().min(1).max(65_535).default(10),
    /** Nominal size of the biggest VN. @default 100 */
    topNetSize: z.number().int().min(1).max(10_000_000).default(100),
    /** Power-law exponent of VN sizes. @default 1 */
    exponent: z.number().min(0).max(10).default(1),
    /** Power-law bias (> -1). @default 0 */
    bias: z.number().gt(-1).max(1e6).default(0),
    /** One subnet per VN even when it has more than one slot. @default false */
    singleNetwork: z.boolean().default(false),
    /** Where the subnets' CIDR blocks start. @default 172.24.0.0 */
    baseAddress: z
      .string()
      .refine((s) => parseIPv4(s) !== undefined, 'not an IPv4 address')
      .default('172.24.0.0'),
    /** Subnet addresses per slot. @default 1 */
    subnetSizeFactor: z.number().min(1).max(1000).default(1),
    /** Creates in the whole run (ops = 2 x this). @default 450 */
    numAttachments: z.number().int().min(1).max(100_000_000).default(450),
    /** Ops per second, creates and deletes both count (per shard: this / shard count). @default 10 */
    rate: z.number().positive().max(1_000_000).default(10),
    /**
     * Warm-up ops/s (only creates: POP of them), all shards together. @default rate. Lets a
     * warm-up last POP / warmupRate seconds instead of POP / rate.
     */
    warmupRate: z.number().positive().max(1_000_000).optional(),
    /** Cool-down ops/s (only deletes: POP of them), all shards together. @default rate */
    cooldownRate: z.number().positive().max(1_000_000).optional(),
    /** @default steady */
    opsDistribution: z.enum(['steady', 'poisson']).default('steady'),
    /** Nodes to place attachments on. @default kos-role/comp=true */
    nodeLabelSelector: z
      .string()
      .refine((s) => {
        try {
          parseLabelSelector(s);
          return true;
        } catch {
          return false;
        }
      }, 'not a label selector')
      .default('kos-role/comp=true'),
    /** Place round-robin over the nodes instead of at random. @default false */
    roundRobin: z.boolean().default(false),
    /** Put every attachment on this node (no node list is read). */
    onlyNode: z.string().min(1).optional(),
    /** Names the namespace and the output directory. @default generated MMDD-HHMM-rrrr */
    runId: z
      .string()
      .refine((s) => runIdProblem(s) === undefined, 'lowercase letters, digits and "-", at most 63')
      .optional(),
    /** Shock test: creates only, then wait this long for notifications, and leave the objects. */
    waitAfterCreate: z.number().nonnegative().optional(),
    /** After the last delete, wait this long for straggling notifications. @default 15000 */
    waitAfterDelete: z.number().nonnegative().default(15_000),
    /** Write attachments-ops-times.csv (op,thd,dt). @default false */
    dumpOpsTimes: z.boolean().default(false),
    /** Write attachments.csv, one row per attachment. @default false */
    perAttachmentCsv: z.boolean().default(false),
    /** Write attachments.csv gzip-compressed, as attachments.csv.gz. @default false */
    gzipCsv: z.boolean().default(false),
    /** The driver's /metrics port; 0 = any free port. @default 9376 */
    metricsPort: z.number().int().min(0).max(65_535).default(9376),
    /** @default 127.0.0.1 */
    metricsHost: z.string().default('127.0.0.1'),
    /** This process's slice. @default {index: 0, count: 1} */
    shard: z
      .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(10_000) })
      .refine((s) => s.index < s.count, 'shard index must be below the count')
      .default({ index: 0, count: 1 }),
    /** Shared start (Date.now() ms) so that shards run one plan; @default 2 s after setup */
    startAtMs: z.number().positive().optional(),
    /** A created attachment not fulfilled this long after its create was sent is never-fulfilled. @default 60000 */
    graceMs: z.number().positive().default(60_000),
    /** Seeds VNIs, slot shuffle, Poisson gaps and placement (shards must share it). @default random */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** Outputs go to <outDir>/<runId>/. @default out/drive */
    outDir: z.string().min(1).default('out/drive'),
    /** An op sent later than this after its planned time counts as late. @default 10 */
    lateThresholdMs: z.number().nonnegative().default(10),
    /**
     * Most keep-alive connections for creates and deletes, opened as needed. Open loop needs
     * rate x call latency requests in flight; too few would queue ops in the client. @default 64
     */
    connections: z.number().int().min(1).max(4096).default(64),
    /**
     * `GET /version` requests through the create path's client before the schedule starts, so its
     * connections are open and its code compiled (prime.ts); 0 = none. @default 2000
     */
    primeRequests: z.number().int().min(0).max(1_000_000).default(2000),
    /** Give up if the subnets are not all validated within this. @default 60000 */
    subnetTimeoutMs: z.number().positive().default(60_000),
    /**
     * Clock-offset probes (write stamps bracketed by local times); the shortest round trip wins,
     * so more probes give a loaded host more chances of a quick one. @default 15
     */
    clockSamples: z.number().int().min(0).max(100).default(15),
    /**
     * Share of creates (after each VN's first) given a full data-plane test: a ping of a tested
     * peer of the same VN. Needs the agents to run the test commands (a testbed as root, or a
     * cluster with ops/test-scripts installed). @default 0 here, and in experiment specs (ADR 0023);
     * the `kos-test drive` flag defaults to the original's ORIGINAL_TEST_FRACTION.
     */
    testFraction: z.number().min(0).max(1).default(0),
    /** Echo requests a full test tries, one at a time, until one is answered. @default 10 */
    pingCount: z.number().int().min(1).max(1000).default(10),
    /** Longest a create drawn for a full test waits for a tested peer in its VN. @default 60000 */
    pendingWaitMs: z.number().nonnegative().default(60_000),
    /** Stop driving at the first failed test (objects are left for inspection). @default true */
    stopOnPingFail: z.boolean().default(true),
    /**
     * Stop driving at the first broken attachment (not counting a subnet out of addresses) or
     * address problem (a duplicate, an address outside its subnet). @default true
     */
    stopOnBreak: z.boolean().default(true),
    /** Where TestByPing and RemoveNetNS are on the agents' nodes. @default /usr/local/kos/bin */
    testCommandDir: z.string().startsWith('/').default(KOS_COMMAND_DIR),
  })
  .strict()
  .refine((o) => o.waitAfterCreate === undefined || (o.warmupRate ?? o.rate) === o.rate, {
    message: 'the shock test (waitAfterCreate) paces its creates at rate; drop warmupRate',
    path: ['warmupRate'],
  });

export type DriveOptions = z.infer<typeof driveOptionsSchema>;
export type DriveOptionsInput = z.input<typeof driveOptionsSchema>;
