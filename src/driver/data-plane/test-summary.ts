/**
 * The `tests` section of summary.json (pure): what the data-plane tests of a run came to, and
 * the original driver's test histograms. Every created attachment that carried a test ends in
 * exactly one of tested (exit 0), testFailed (another exit status) or untested (no report seen
 * before it was deleted or the run ended): carried = tested + testFailed + untested, for full
 * and setup-only tests alike.
 */
import { z } from 'zod';
import { latencyHistogram, latencyStats, recordMs, type Histogram } from '../../measure/histogram.js';
import { latencyStatsSchema } from '../../measure/latency-stats.js';
import { mergeLatencyStats } from '../../measure/merge-latency-stats.js';
import {
  ADDRESS_CONTENTION,
  STATE_CREATE_FAILED,
  STATE_CREATE_SENT,
  TEST_FAILED,
  TEST_FULL,
  TEST_SETUP,
  type AttachmentBook,
} from '../attachment-book.js';
import type { AddressCounts } from './address-checks.js';

const count = z.number().int().nonnegative();
const testCountsSchema = z.object({ carried: count, tested: count, testFailed: count, untested: count });

export const testSummarySchema = z.object({
  testFraction: z.number().min(0).max(1),
  full: testCountsSchema,
  setupOnly: testCountsSchema,
  /** Creates held for a tested peer of their VN (--pending-wait). */
  held: count,
  /** Live attachments of one VN sharing an address, or with one outside their subnet. */
  addressProblems: z.object({ duplicates: count, outOfSubnet: count, examples: z.array(z.string()) }),
  latency: z.object({
    /** Create sent to the report seen, full tests (the original's create_to_tested). */
    createToTested: latencyStatsSchema,
    /** Interface seen (ready) to the report seen, full tests. */
    readyToTested: latencyStatsSchema,
    /** The same for setup-only tests (the original's half tests). */
    createToSetupTested: latencyStatsSchema,
    readyToSetupTested: latencyStatsSchema,
    /** The original's `_easy` variants: attachments whose address came without contention. */
    createToAddressedEasy: latencyStatsSchema,
    createToReadyEasy: latencyStatsSchema,
    /** How long each held create waited for a peer. */
    pendingWait: latencyStatsSchema,
  }),
});

export type TestSummary = z.infer<typeof testSummarySchema>;
type TestCounts = z.infer<typeof testCountsSchema>;

export interface TestSummaryInput {
  book: AttachmentBook;
  testFraction: number;
  held: number;
  pendingWaits: Histogram;
  addresses: AddressCounts;
}

export function buildTestSummary(input: TestSummaryInput): TestSummary {
  const { book } = input;
  const counts = { full: emptyCounts(), setupOnly: emptyCounts() };
  const h = {
    createToTested: latencyHistogram(),
    readyToTested: latencyHistogram(),
    createToSetupTested: latencyHistogram(),
    readyToSetupTested: latencyHistogram(),
    createToAddressedEasy: latencyHistogram(),
    createToReadyEasy: latencyHistogram(),
  };
  for (let i = 0; i < book.size; i++) {
    if (!book.has(i, STATE_CREATE_SENT) || book.has(i, STATE_CREATE_FAILED)) continue;
    const bits = book.test[i] ?? 0;
    const sent = book.sent[i] ?? 0;
    const ready = book.ready[i] ?? Number.NaN;
    if ((bits & ADDRESS_CONTENTION) === 0) {
      const addressed = book.addressed[i] ?? Number.NaN;
      if (!Number.isNaN(addressed)) recordMs(h.createToAddressedEasy, addressed - sent);
      if (!Number.isNaN(ready)) recordMs(h.createToReadyEasy, ready - sent);
    }
    const full = (bits & TEST_FULL) !== 0;
    if (!full && (bits & TEST_SETUP) === 0) continue;
    const c = full ? counts.full : counts.setupOnly;
    c.carried++;
    const tested = book.tested[i] ?? Number.NaN;
    if (Number.isNaN(tested)) {
      c.untested++;
      continue;
    }
    if ((bits & TEST_FAILED) !== 0) c.testFailed++;
    else c.tested++;
    recordMs(full ? h.createToTested : h.createToSetupTested, tested - sent);
    if (!Number.isNaN(ready)) recordMs(full ? h.readyToTested : h.readyToSetupTested, tested - ready);
  }
  return {
    testFraction: input.testFraction,
    ...counts,
    held: input.held,
    addressProblems: { ...input.addresses, examples: [...input.addresses.examples] },
    latency: {
      createToTested: latencyStats(h.createToTested),
      readyToTested: latencyStats(h.readyToTested),
      createToSetupTested: latencyStats(h.createToSetupTested),
      readyToSetupTested: latencyStats(h.readyToSetupTested),
      createToAddressedEasy: latencyStats(h.createToAddressedEasy),
      createToReadyEasy: latencyStats(h.createToReadyEasy),
      pendingWait: latencyStats(input.pendingWaits),
    },
  };
}

/** Failed tests and address problems: what makes a run's data plane suspect. */
export function testTrouble(t: TestSummary | undefined): number {
  if (t === undefined) return 0;
  return (
    t.full.testFailed + t.setupOnly.testFailed + t.addressProblems.duplicates + t.addressProblems.outOfSubnet
  );
}

/** The shards' sections as one (counts summed, histograms merged); none when no shard has one. */
export function mergeTestSummaries(parts: readonly (TestSummary | undefined)[]): TestSummary | undefined {
  const have = parts.filter((p): p is TestSummary => p !== undefined);
  const first = have[0];
  if (first === undefined) return undefined;
  const sum = (pick: (t: TestSummary) => TestCounts): TestCounts => ({
    carried: have.reduce((a, t) => a + pick(t).carried, 0),
    tested: have.reduce((a, t) => a + pick(t).tested, 0),
    testFailed: have.reduce((a, t) => a + pick(t).testFailed, 0),
    untested: have.reduce((a, t) => a + pick(t).untested, 0),
  });
  const keys = Object.keys(first.latency) as (keyof TestSummary['latency'])[];
  return {
    testFraction: first.testFraction,
    full: sum((t) => t.full),
    setupOnly: sum((t) => t.setupOnly),
    held: have.reduce((a, t) => a + t.held, 0),
    addressProblems: {
      duplicates: have.reduce((a, t) => a + t.addressProblems.duplicates, 0),
      outOfSubnet: have.reduce((a, t) => a + t.addressProblems.outOfSubnet, 0),
      examples: have.flatMap((t) => t.addressProblems.examples).slice(0, 5),
    },
    latency: Object.fromEntries(
      keys.map((k) => [k, mergeLatencyStats(have.map((t) => t.latency[k]))]),
    ) as TestSummary['latency'],
  };
}

function emptyCounts(): TestCounts {
  return { carried: 0, tested: 0, testFailed: 0, untested: 0 };
}
