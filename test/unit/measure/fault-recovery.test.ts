/**
 * Time to recover from a fault and the attachments it affected (recovery.ts): the pre-fault p99
 * baseline, the first run of fulfilments back within it, and who was hurt before that.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analyseFaults,
  baselineOf,
  MIN_BASELINE,
  nearestRankP99,
  recoveryOf,
  type Fulfilment,
} from '../../../src/measure/recovery.js';

/** One attachment planned every 100 ms from `fromMs`, with these latencies (NaN: never fulfilled). */
function rows(fromMs: number, latencies: readonly number[]): Fulfilment[] {
  return latencies.map((l, k) => ({
    name: `a${fromMs + k * 100}`,
    plannedMs: fromMs + k * 100,
    readyMs: fromMs + k * 100 + l,
  }));
}
const fast = (n: number): number[] => Array.from({ length: n }, () => 10);

describe('the nearest-rank p99', () => {
  const cases: { values: number[]; p99: number | null }[] = [
    { values: [], p99: null },
    { values: [5], p99: 5 },
    { values: Array.from({ length: 100 }, (_, k) => k + 1), p99: 99 },
    { values: Array.from({ length: 200 }, (_, k) => 200 - k), p99: 198 },
    { values: [3, 1, 2], p99: 3 },
  ];
  for (const c of cases)
    it(`of ${c.values.length} values is ${c.p99}`, () => {
      assert.equal(nearestRankP99(c.values), c.p99);
    });
});

describe('the pre-fault baseline', () => {
  it('takes the p99 of the cruise attachments planned before the fault, fulfilled ones only', () => {
    const r = [...rows(0, [...fast(29), 50, Number.NaN]), ...rows(5000, [900])];
    assert.deepEqual(baselineOf(r, 0, 3100), { p99Ms: 50, count: 30 });
  });
  it('leaves out the warm-up (before the cruise start)', () => {
    const r = rows(0, [500, ...fast(MIN_BASELINE)]);
    assert.deepEqual(baselineOf(r, 100, 10_000), { p99Ms: 10, count: MIN_BASELINE });
  });
  it(`is none with fewer than ${MIN_BASELINE} fulfilments`, () => {
    assert.deepEqual(baselineOf(rows(0, fast(MIN_BASELINE - 1)), 0, 10_000), {
      p99Ms: null,
      count: MIN_BASELINE - 1,
    });
  });
});

describe('recovery from one fault', () => {
  const cases: {
    name: string;
    latencies: number[];
    run?: number;
    recoveryMs: number | null;
    delayed: number;
    never: number;
  }[] = [
    {
      name: 'a fault nobody noticed recovers at once',
      latencies: fast(12),
      recoveryMs: 0,
      delayed: 0,
      never: 0,
    },
    {
      name: 'three slow attachments, then ten fast: recovered at the fourth',
      latencies: [900, 800, 700, ...fast(10)],
      recoveryMs: 300,
      delayed: 3,
      never: 0,
    },
    {
      name: 'never-fulfilled ones count as affected, apart from the delayed',
      latencies: [Number.NaN, 900, Number.NaN, ...fast(10)],
      recoveryMs: 300,
      delayed: 1,
      never: 2,
    },
    {
      name: 'a lone slow one inside the run restarts it',
      latencies: [900, ...fast(5), 900, ...fast(10)],
      recoveryMs: 700,
      delayed: 2,
      never: 0,
    },
    {
      name: 'a run shorter than ten before the window ends is no recovery',
      latencies: [900, ...fast(9)],
      recoveryMs: null,
      delayed: 1,
      never: 0,
    },
    {
      name: 'a shorter run, when asked for',
      latencies: [900, 900, ...fast(3)],
      run: 3,
      recoveryMs: 200,
      delayed: 2,
      never: 0,
    },
    {
      name: 'exactly the baseline is within it',
      latencies: [50, ...fast(9)],
      recoveryMs: 0,
      delayed: 0,
      never: 0,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = recoveryOf(rows(1000, c.latencies), 1000, 1_000_000, 50, c.run);
      assert.equal(r.recoveryMs, c.recoveryMs, 'recovery time');
      assert.equal(r.recoveredAtMs, c.recoveryMs === null ? null : 1000 + c.recoveryMs, 'recovered at');
      assert.equal(r.affected.delayed, c.delayed, 'delayed');
      assert.equal(r.affected.neverFulfilled, c.never, 'never fulfilled');
      assert.equal(r.affected.names.length, c.delayed + c.never, 'names');
    });

  it('counts only attachments planned from the injection until the window ends', () => {
    const r = recoveryOf(
      [...rows(0, [900, 900]), ...rows(1000, [900, ...fast(10)]), ...rows(5000, [900])],
      1000,
      4000,
      50,
    );
    assert.deepEqual(r.affected, { delayed: 1, neverFulfilled: 0, names: ['a1000'] });
    assert.equal(r.recoveryMs, 100);
  });
});

describe('every fault of a run', () => {
  const cruise = { startMs: 0, endMs: 20_000 };
  // 30 fast before 3000, then 5 slow, 25 fast, then at 9000 a second fault with 2 never fulfilled.
  const run = [
    ...rows(0, fast(30)),
    ...rows(3000, [...Array.from({ length: 5 }, () => 800), ...fast(25)]),
    ...rows(9000, [Number.NaN, Number.NaN, ...fast(20)]),
  ];

  it('measures each fault in its own window against one baseline, and the run by its longest', () => {
    const a = analyseFaults(run, cruise, [{ injectedMs: 3000 }, { injectedMs: 9000 }]);
    assert.equal(a.baselineP99Ms, 10);
    assert.equal(a.baselineCount, 30);
    assert.deepEqual(
      a.events.map((e) => [e.recoveryMs, e.affected.delayed, e.affected.neverFulfilled]),
      [
        [500, 5, 0],
        [200, 0, 2],
      ],
    );
    assert.equal(a.recoveryMs, 500);
    assert.equal(a.recoveryMeasurable, true);
  });

  it('has no recovery time when one fault never recovered', () => {
    const a = analyseFaults([...rows(0, fast(30)), ...rows(3000, [800, 800])], cruise, [
      { injectedMs: 3000 },
    ]);
    assert.equal(a.recoveryMs, null);
    assert.equal(a.recoveryMeasurable, true);
    assert.match(a.note, /did not recover/);
  });

  it('is not measurable without a baseline, and says how to get one', () => {
    const a = analyseFaults(rows(0, fast(40)), cruise, [{ injectedMs: 500 }]);
    assert.equal(a.recoveryMeasurable, false);
    assert.equal(a.baselineCount, 5);
    assert.match(a.note, /inject later/);
  });

  it('skips a failed injection and measures the rest', () => {
    const a = analyseFaults(run, cruise, [{ injectedMs: null }, { injectedMs: 3000 }]);
    assert.equal(a.events[0]?.recoveryMs, null);
    assert.equal(a.events[1]?.recoveryMs, 500);
    assert.equal(a.recoveryMs, 500);
  });

  it('with no injection measures nothing', () => {
    const a = analyseFaults(run, cruise, [{ injectedMs: null }]);
    assert.equal(a.recoveryMeasurable, false);
    assert.equal(a.note, 'no fault was injected');
  });
});
