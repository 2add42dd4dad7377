import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { driveSummarySchema, type DriveSummary } from '../../../../src/driver/drive-summary.js';
import { mergeSummaries } from '../../../../src/driver/shards/merge-summaries.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { shardSummary, statsOf } from '../../../support/drive-summary-fixture.js';

function refusal(summaries: DriveSummary[]): string {
  try {
    mergeSummaries(summaries);
  } catch (e: unknown) {
    assert.ok(e instanceof KosTestError, `expected a KosTestError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('the merge was not refused');
}

describe('merging refuses a set that is not exactly one run', () => {
  const cases: { what: string; summaries: DriveSummary[]; says: RegExp }[] = [
    { what: 'nothing to merge', summaries: [], says: /no shard summaries to merge/ },
    {
      what: 'different run ids',
      summaries: [
        shardSummary({ runId: '1201-1200-aaaa', index: 0, count: 2 }),
        shardSummary({ runId: '1201-1200-bbbb', index: 1, count: 2 }),
      ],
      says: /different runs: 1201-1200-aaaa, 1201-1200-bbbb/,
    },
    {
      what: 'a shard given twice',
      summaries: [
        shardSummary({ index: 0, count: 2 }),
        shardSummary({ index: 1, count: 2 }),
        shardSummary({ index: 1, count: 2 }),
      ],
      says: /more than once: 1\/2/,
    },
    {
      what: 'missing shards',
      summaries: [shardSummary({ index: 1, count: 4 }), shardSummary({ index: 3, count: 4 })],
      says: /shards missing from run 1201-1200-abcd: 0\/4, 2\/4/,
    },
    {
      what: 'different shard counts',
      summaries: [shardSummary({ index: 0, count: 2 }), shardSummary({ index: 1, count: 3 })],
      says: /disagree on the number of shards: 2, 3/,
    },
    {
      what: 'an index beyond the count',
      summaries: [shardSummary({ index: 0, count: 2 }), shardSummary({ index: 2, count: 2 })],
      says: /out of range for 2 shards: 2/,
    },
    {
      what: 'shards planned from different seeds',
      summaries: [
        shardSummary({ index: 0, count: 2, config: { seed: 1 } }),
        shardSummary({ index: 1, count: 2, config: { seed: 2 } }),
      ],
      says: /planned with different seed: 1, 2/,
    },
    {
      what: 'shards with different start times',
      summaries: [
        shardSummary({ index: 0, count: 2, config: { startAtMs: 1000 } }),
        shardSummary({ index: 1, count: 2 }),
      ],
      says: /different startAtMs: 1000, unset/,
    },
    {
      what: 'shards that planned different populations',
      summaries: [
        shardSummary({ index: 0, count: 2 }),
        shardSummary({ index: 1, count: 2, population: { numNets: 3, slots: 9, avgPeers: 3, subnets: 3 } }),
      ],
      says: /planned different populations/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.what} with one line`, () => {
      assert.match(refusal(c.summaries), c.says);
    });
  }
});

describe('merged counts, windows and rates', () => {
  const a = shardSummary({
    index: 1,
    count: 2,
    ending: 'completed',
    clock: { offsetMs: 2, uncertaintyMs: 1, samples: 5, wallStepMs: 30 },
    phases: {
      warmup: { startMs: 1000, endMs: 11_000, issued: 50 },
      cruise: { startMs: 11_000, endMs: 71_000, issued: 300 },
      cooldown: { startMs: 71_000, endMs: 80_000, issued: 50 },
    },
  });
  const b = shardSummary({
    index: 0,
    count: 2,
    ending: 'interrupted',
    clock: { offsetMs: -1, uncertaintyMs: 0.5, samples: 4, wallStepMs: -120 },
    phases: {
      warmup: { startMs: 1002, endMs: 10_990, issued: 51 },
      cruise: { startMs: 10_990, endMs: 71_010, issued: 301 },
      cooldown: { startMs: 71_010, endMs: 81_000, issued: 49 },
    },
  });
  const m = mergeSummaries([a, b]);

  const rows: { what: string; got: unknown; want: unknown }[] = [
    { what: 'shard indices', got: m.shard, want: { indices: [0, 1], count: 2 } },
    {
      what: 'cruise window is the union',
      got: m.phases.cruise.window,
      want: { startMs: 10_990, endMs: 71_010 },
    },
    {
      what: 'warm-up window is the union',
      got: m.phases.warmup.window,
      want: { startMs: 1000, endMs: 11_000 },
    },
    { what: 'cruise issued summed', got: m.phases.cruise.ops.issued, want: 601 },
    { what: 'cruise planned summed', got: m.phases.cruise.ops.planned, want: 603 },
    { what: 'cruise late summed', got: m.phases.cruise.ops.late, want: 2 },
    { what: 'cruise achieved rate from merged counts', got: m.phases.cruise.achievedRate, want: 601 / 60.02 },
    { what: 'target rates summed', got: m.phases.cruise.targetRate, want: 20 },
    { what: 'total issued summed', got: m.total.ops.issued, want: 801 },
    { what: 'total rate over the union of phases', got: m.total.achievedRate, want: 801 / 80 },
    {
      what: 'outcomes summed',
      got: m.phases.cruise.outcomes,
      want: { attempted: 301, fulfilled: 297, broken: 2, neverFulfilled: 2, createFailed: 0 },
    },
    {
      what: 'deletes summed',
      got: m.deletes,
      want: { attempted: 700, succeeded: 698, failed: 2, retries: 6 },
    },
    { what: 'run start is the earliest', got: m.startedMs, want: 500 },
    { what: 'run end is the latest', got: m.endedMs, want: 96_000 },
    { what: 'an interrupted shard makes the run interrupted', got: m.ending, want: 'interrupted' },
    {
      what: 'clock covers every shard interval, each shard kept, and its step is the largest',
      got: m.clock,
      want: {
        offsetMs: 0.75,
        uncertaintyMs: 2.25,
        samples: 9,
        wallStepMs: -120,
        shards: [
          { index: 0, offsetMs: -1, uncertaintyMs: 0.5, samples: 4, wallStepMs: -120 },
          { index: 1, offsetMs: 2, uncertaintyMs: 1, samples: 5, wallStepMs: 30 },
        ],
      },
    },
  ];
  for (const r of rows) {
    it(r.what, () => {
      assert.deepEqual(r.got, r.want);
    });
  }

  it('writes a summary the contract accepts', () => {
    assert.deepEqual(driveSummarySchema.parse(m), m);
  });

  it('keeps the plan-wide config, without one shard`s slice and output place', () => {
    assert.deepEqual(m.config, { rate: 20, seed: 7 });
  });

  it('counts the ops sent inside each window, and rates the phase by them, when every shard did', () => {
    const windowed = (index: number, sentInWindow: number | undefined) =>
      shardSummary({
        index,
        count: 2,
        phases: {
          cruise: {
            startMs: 0,
            endMs: 10_000,
            issued: 100,
            ...(sentInWindow === undefined ? {} : { sentInWindow }),
          },
        },
      });
    const both = mergeSummaries([windowed(0, 90), windowed(1, 95)]).phases.cruise;
    assert.equal(both.ops.sentInWindow, 185);
    assert.equal(both.achievedRate, 18.5);
    const one = mergeSummaries([windowed(0, 90), windowed(1, undefined)]).phases.cruise;
    assert.equal(one.ops.sentInWindow, undefined, 'a partial sum would understate the rate');
    assert.equal(one.achievedRate, 20);
  });

  it('a failed shard makes the run failed', () => {
    const failed = shardSummary({ index: 0, count: 2, ending: 'failed' });
    assert.equal(mergeSummaries([failed, a]).ending, 'failed');
  });

  it('one shard of one merges to itself, counts and latencies alike', () => {
    const only = shardSummary({
      index: 0,
      count: 1,
      phases: { cruise: { startMs: 0, endMs: 10, issued: 3, valuesMs: [1, 2.5, 900] } },
    });
    const merged = mergeSummaries([only]);
    assert.deepEqual(merged.phases, only.phases);
    assert.deepEqual(merged.total, only.total);
  });

  it('a merged summary merged again is unchanged', () => {
    const shards = [0, 1, 2].map((index) =>
      shardSummary({
        index,
        count: 3,
        clock: { offsetMs: index, uncertaintyMs: 0.2, samples: 3 },
        phases: {
          cruise: { startMs: 10 + index, endMs: 100 - index, issued: 10 + index, valuesMs: [index + 0.5, 7] },
        },
      }),
    );
    const once = mergeSummaries(shards);
    assert.deepEqual(mergeSummaries([once]), once);
  });

  it('an empty latency set in one shard leaves the other shard`s stats whole', () => {
    const empty = shardSummary({
      index: 0,
      count: 2,
      phases: { cruise: { startMs: 0, endMs: 10, issued: 0 } },
    });
    const full = shardSummary({
      index: 1,
      count: 2,
      phases: { cruise: { startMs: 0, endMs: 10, issued: 3, valuesMs: [3, 4, 5] } },
    });
    assert.deepEqual(
      mergeSummaries([empty, full]).phases.cruise.latency.fulfilmentFromPlanned,
      statsOf([3, 4, 5]),
    );
  });
});
