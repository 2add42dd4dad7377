import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPhaseStats } from '../../../src/driver/phase-stats.js';
import { planDrive, type PlanInput } from '../../../src/driver/plan/drive-plan.js';
import { opDueTimes, phasedDueTimes, type PhaseRates } from '../../../src/driver/plan/schedule.js';
import { sliceShard } from '../../../src/driver/plan/shard.js';
import { AttachmentBook } from '../../../src/driver/attachment-book.js';
import { parseDriveOptions } from '../../../src/driver/run-drive.js';
import { buildSummary } from '../../../src/driver/summary.js';
import { driveOptionsFromFlags } from '../../../src/cli/commands/drive-flags.js';
import { KosTestError } from '../../../src/util/errors.js';
import { seededRandom } from '../../../src/util/prng.js';
import { basePlanInput as base } from '../../fixtures/plan-input.js';

/** a[i], which the test knows is there. */
function at(a: ArrayLike<number>, i: number): number {
  const v = a[i];
  assert.ok(v !== undefined, `no element ${i}`);
  return v;
}

const gapsOf = (due: Float64Array, from: number, to: number): number[] =>
  Array.from({ length: to - from - 1 }, (_, j) => (due[from + j + 1] ?? 0) - (due[from + j] ?? 0));

describe('steady schedules with a rate per phase', () => {
  const cases: { name: string; input: Partial<PlanInput>; want: [number, number, number, number] }[] = [
    // 296 / 4 = 74 s of warm-up, 308 / 10 = 30.8 s cruise, 296 / 20 = 14.8 s cool-down.
    {
      name: 'slow warm-up, fast cool-down',
      input: { warmupRate: 4, cooldownRate: 20 },
      want: [0, 74_000, 104_800, 119_600],
    },
    { name: 'warm-up given only', input: { warmupRate: 29.6 }, want: [0, 10_000, 40_800, 70_400] },
    { name: 'cool-down given only', input: { cooldownRate: 2.96 }, want: [0, 29_600, 60_400, 160_400] },
    {
      name: 'no cruise at all',
      input: { numAttachments: 296, warmupRate: 37, cooldownRate: 74 },
      want: [0, 8000, 8000, 12_000],
    },
    {
      name: 'fast cruise between slow ends',
      input: { rate: 100, warmupRate: 8, cooldownRate: 8 },
      want: [0, 37_000, 40_080, 77_080],
    },
  ];
  for (const c of cases) {
    it(`${c.name}: boundaries ${c.want.join(' / ')} ms, gaps exactly 1000 / the phase's rate`, () => {
      const plan = planDrive({ ...base, ...c.input });
      plan.boundaries.forEach((b, i) => {
        assert.ok(Math.abs(b - at(c.want, i)) < 1e-6, `boundary ${i}: ${b}, want ${c.want[i]}`);
      });
      const [w, cr, cd, end] = plan.seq.phaseStart;
      const ranges: [number, number][] = [
        [w, cr],
        [cr, cd],
        [cd, end],
      ];
      ranges.forEach(([from, to], p) => {
        const gap = 1000 / at(plan.rates, p);
        for (const g of gapsOf(plan.due, from, to))
          assert.ok(Math.abs(g - gap) < 1e-6, `phase ${p} gap ${g}`);
        // The op before a phase's first op is one gap of its own phase earlier.
        if (from > 0 && to > from) {
          const before = ranges.findLast(([f, t], q) => q < p && t > f);
          const prevGap = 1000 / at(plan.rates, ranges.indexOf(before ?? [0, 0]));
          assert.ok(Math.abs(at(plan.due, from) - at(plan.due, from - 1) - prevGap) < 1e-6);
        }
        if (to > from) assert.equal(plan.due[from], plan.boundaries[p], `phase ${p} starts at its first op`);
      });
    });
  }

  it('without warm-up or cool-down rates the schedule is the single-rate one, value for value', () => {
    for (const opsDistribution of ['steady', 'poisson'] as const) {
      const today = planDrive({ ...base, opsDistribution });
      const given = planDrive({ ...base, opsDistribution, warmupRate: 10, cooldownRate: 10 });
      const n = today.seq.kind.length;
      const single = opDueTimes(n, 10, opsDistribution, seededRandom(1));
      const phased = phasedDueTimes([0, 100, 200, n], [10, 10, 10], opsDistribution, seededRandom(1));
      assert.deepEqual(phased, single, opsDistribution);
      assert.deepEqual(given.due, today.due, opsDistribution);
      assert.deepEqual(given.boundaries, today.boundaries, opsDistribution);
    }
  });

  it('the shock test (creates only) lasts creates / warm-up rate', () => {
    const plan = planDrive({ ...base, numAttachments: 40, createOnly: true });
    assert.deepEqual(plan.boundaries, [0, 4000, 4000, 4000]);
  });
});

describe('poisson schedules with a rate per phase', () => {
  const cases: { rates: PhaseRates; sizes: [number, number, number] }[] = [
    { rates: [5, 50, 500], sizes: [20_000, 20_000, 20_000] },
    { rates: [200, 20, 2], sizes: [20_000, 30_000, 20_000] },
    { rates: [1, 1000, 1], sizes: [20_000, 20_000, 20_000] },
  ];
  for (const c of cases) {
    it(`phases at ${c.rates.join(' / ')} ops/s: each phase's mean gap is 1000 / its rate, coefficient of variation 1 (within 3%)`, () => {
      const [a, b, d] = c.sizes;
      const start: [number, number, number, number] = [0, a, a + b, a + b + d];
      const due = phasedDueTimes(start, c.rates, 'poisson', seededRandom(c.rates[0]));
      assert.equal(due[0], 0);
      for (let p = 0; p < 3; p++) {
        // Gaps after each op of the phase (the last one leads into the next phase).
        const to = p < 2 ? at(start, p + 1) + 1 : start[3];
        const gaps = gapsOf(due, at(start, p), to);
        const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
        const sd = Math.sqrt(gaps.reduce((x, g) => x + (g - mean) ** 2, 0) / gaps.length);
        const want = 1000 / at(c.rates, p);
        assert.ok(Math.abs(mean / want - 1) < 0.03, `phase ${p}: mean gap ${mean}, want ${want}`);
        assert.ok(Math.abs(sd / mean - 1) < 0.03, `phase ${p}: CV ${sd / mean}`);
        assert.ok(Math.max(...gaps) <= 1000 * want, `phase ${p}: a gap above the cap`);
      }
    });
  }
  it('the same seed gives the same phased schedule', () => {
    const input = { ...base, opsDistribution: 'poisson' as const, warmupRate: 3, cooldownRate: 30 };
    assert.deepEqual(planDrive(input).due, planDrive(input).due);
  });
});

describe('shards run 1/N of every phase`s rate', () => {
  for (const count of [2, 3, 5]) {
    it(`${count} shards: each shard's ops per phase over the phase's length is about the phase's rate / ${count}, and the summary says rate / ${count}`, () => {
      const input = { ...base, numAttachments: 3000, warmupRate: 4, rate: 25, cooldownRate: 50 };
      const whole = planDrive(input);
      let union = 0;
      for (let index = 0; index < count; index++) {
        const plan = planDrive({ ...input, shard: { index, count } });
        assert.deepEqual(plan.boundaries, whole.boundaries, 'one global plan');
        const mine = sliceShard(plan.seq, plan.shard);
        union += mine.ops.length;
        const stats = newPhaseStats();
        for (const k of mine.ops) (stats[at(plan.seq.phase, k)] ?? stats[0]).planned++;
        const w = { startMs: 0, endMs: 1 };
        const summary = buildSummary({
          runId: 'r',
          namespace: 'r',
          config: {},
          plan,
          book: new AttachmentBook(new Int32Array(0), 1, { createDueMs: () => 0, createPhase: () => 0 }),
          stats,
          windows: [w, w, w],
          clock: { offsetMs: 0, uncertaintyMs: 0, samples: 0 },
          wallOf: (m) => m,
          graceMs: 1000,
          startedMs: 0,
          endedMs: 1,
          ending: 'completed',
          deletes: { attempted: 0, succeeded: 0, failed: 0, retries: 0 },
        });
        const phases = [summary.phases.warmup, summary.phases.cruise, summary.phases.cooldown];
        phases.forEach((ph, p) => {
          const rate = at(whole.rates, p) / count;
          assert.equal(ph.nominalRate, rate);
          // Slots are dealt round-robin: a shard holds its share within one slot's ops.
          const seconds = (at(whole.boundaries, p + 1) - at(whole.boundaries, p)) / 1000;
          const slack = (p === 1 ? 2 * Math.ceil(154 / count) : 1) / seconds + rate * 0.02;
          assert.ok(
            Math.abs(ph.targetRate - rate) <= slack,
            `shard ${index} phase ${p}: ${ph.targetRate} vs ${rate}`,
          );
        });
      }
      assert.equal(union, whole.seq.kind.length);
    });
  }
});

describe('drive options for phase rates', () => {
  it('--warmup-rate and --cooldown-rate map onto the options; unset they stay unset (the plan uses --rate)', () => {
    const o = parseDriveOptions(driveOptionsFromFlags({ rate: '20', warmupRate: '2.5', cooldownRate: '40' }));
    assert.deepEqual([o.rate, o.warmupRate, o.cooldownRate], [20, 2.5, 40]);
    const d = parseDriveOptions(driveOptionsFromFlags({ rate: '20' }));
    assert.deepEqual([d.warmupRate, d.cooldownRate], [undefined, undefined]);
  });
  const bad = [
    { input: { warmupRate: 0 }, what: /^bad drive option warmupRate: 0/ },
    { input: { cooldownRate: -1 }, what: /^bad drive option cooldownRate: -1/ },
    { input: { waitAfterCreate: 1000, warmupRate: 3 }, what: /^bad drive option warmupRate: 3 .*shock test/ },
  ];
  for (const c of bad) {
    it(`option ${JSON.stringify(c.input)} is refused in one line`, () => {
      assert.throws(
        () => parseDriveOptions(c.input),
        (e: unknown) => e instanceof KosTestError && c.what.test(e.message) && !e.message.includes('\n'),
      );
    });
  }
  it('a bad --warmup-rate names its flag', () => {
    assert.throws(
      () => driveOptionsFromFlags({ warmupRate: 'fast' }),
      (e: unknown) => e instanceof KosTestError && e.message.startsWith('bad --warmup-rate'),
    );
  });
});
