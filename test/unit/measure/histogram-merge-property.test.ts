import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSummaries } from '../../../src/driver/shards/merge-summaries.js';
import {
  decodeHistogram,
  encodeHistogram,
  latencyHistogram,
  recordMs,
} from '../../../src/measure/histogram.js';
import { mergeLatencyStats } from '../../../src/measure/merge-latency-stats.js';
import { LATENCY_KINDS, seededRandom, shardSummary, statsOf } from '../../support/drive-summary-fixture.js';

const ONE_HOUR_MS = 3_600_000;

/** Latency-like values: log-uniform from 1 us to 1 h, some zeros and exact repeats. */
function randomValues(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.02) return 0;
    if (r < 0.05) return 12.5;
    return Math.exp(Math.log(0.001) + random() * (Math.log(ONE_HOUR_MS) - Math.log(0.001)));
  });
}

/** Deals each value to a random shard (some shards may get none). */
function split(random: () => number, values: readonly number[], shards: number): number[][] {
  const parts: number[][] = Array.from({ length: shards }, () => []);
  for (const v of values) parts[Math.floor(random() * shards)]?.push(v);
  return parts;
}

const PERCENTILES = Array.from({ length: 1001 }, (_, i) => i / 10).concat([99.95, 99.99, 99.999]);

describe('histograms recorded in shards and merged are bit-exact against one histogram', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = seededRandom(seed);
    const shards = 1 + Math.floor(random() * 6);
    const n = Math.floor(random() * 5000);
    it(`seed ${seed}: ${n} values over ${shards} shards`, () => {
      const values = randomValues(random, n);
      const parts = split(random, values, shards);
      const merged = mergeLatencyStats(parts.map(statsOf));
      const whole = statsOf(values);
      assert.equal(merged.histogram, whole.histogram, 'encoded histogram');
      assert.deepEqual(merged, whole, 'count, min, mean, percentiles and max');
      const a = decodeHistogram(merged.histogram);
      const b = decodeHistogram(whole.histogram);
      for (const p of PERCENTILES)
        assert.equal(a.getValueAtPercentile(p), b.getValueAtPercentile(p), `p${p}`);
      assert.equal(a.totalCount, values.length);
    });
  }

  it('a live histogram of all values encodes like the merge of the shards` encodings', () => {
    const random = seededRandom(99);
    const values = randomValues(random, 20_000);
    const whole = latencyHistogram();
    for (const v of values) recordMs(whole, v);
    const merged = mergeLatencyStats(split(random, values, 4).map(statsOf));
    assert.equal(merged.histogram, encodeHistogram(whole));
    assert.equal(merged.count, 20_000);
  });

  it('through whole summaries: every latency kind of every phase merges bit-exact', () => {
    const random = seededRandom(2026);
    const n = 3;
    const phaseValues = {
      warmup: randomValues(random, 800),
      cruise: randomValues(random, 3000),
      cooldown: randomValues(random, 500),
    };
    const dealt = {
      warmup: split(random, phaseValues.warmup, n),
      cruise: split(random, phaseValues.cruise, n),
      cooldown: split(random, phaseValues.cooldown, n),
    };
    const shardsOf = Array.from({ length: n }, (_, index) =>
      shardSummary({
        index,
        count: n,
        phases: {
          warmup: { startMs: 0, endMs: 10, issued: 1, valuesMs: dealt.warmup[index] ?? [] },
          cruise: { startMs: 10, endMs: 20, issued: 1, valuesMs: dealt.cruise[index] ?? [] },
          cooldown: { startMs: 20, endMs: 30, issued: 1, valuesMs: dealt.cooldown[index] ?? [] },
        },
      }),
    );
    const unsharded = shardSummary({
      index: 0,
      count: 1,
      phases: {
        warmup: { startMs: 0, endMs: 10, issued: 1, valuesMs: phaseValues.warmup },
        cruise: { startMs: 10, endMs: 20, issued: 1, valuesMs: phaseValues.cruise },
        cooldown: { startMs: 20, endMs: 30, issued: 1, valuesMs: phaseValues.cooldown },
      },
    });
    const merged = mergeSummaries(shardsOf);
    for (const phase of ['warmup', 'cruise', 'cooldown'] as const) {
      for (const kind of LATENCY_KINDS) {
        assert.deepEqual(
          merged.phases[phase].latency[kind],
          unsharded.phases[phase].latency[kind],
          `${phase} ${kind}`,
        );
      }
    }
    for (const kind of LATENCY_KINDS)
      assert.deepEqual(merged.total.latency[kind], unsharded.total.latency[kind], kind);
  });
});
