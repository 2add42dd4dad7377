import { describe, it } from 'node:test';
import { randomInt, seededRandom } from '../../../../src/util/prng.js';
import assert from 'node:assert/strict';
import { ipLocks } from '../../../../src/api/resource-types.js';
import { CacheEntry, type CacheEvent } from '../../../../src/testbed/napi/cache-entry.js';
import { EventRing } from '../../../../src/testbed/napi/event-ring.js';

// The ring only looks at `rev`; one shared entry keeps the events cheap.
const entry = new CacheEntry(
  { apiVersion: 'network.example.com/v1alpha1', kind: 'IPLock', metadata: { name: 'l', namespace: 'ns' } },
  1,
  ipLocks,
);

function event(rev: number): CacheEvent {
  return { type: 'MODIFIED', rev, cur: entry, prev: undefined };
}

function revsAfter(ring: EventRing, rev: number): number[] {
  return [...ring.after(rev)].map((e) => e.rev);
}

function ringWith(capacity: number, oldestRev: number, revs: readonly number[]): EventRing {
  const ring = new EventRing(capacity, oldestRev);
  for (const rev of revs) ring.push(event(rev));
  return ring;
}

describe('EventRing holding and evicting', () => {
  const cases: {
    what: string;
    capacity: number;
    start: number;
    pushed: number[];
    held: number[];
    oldestRev: number;
  }[] = [
    { what: 'an empty ring', capacity: 4, start: 9, pushed: [], held: [], oldestRev: 9 },
    { what: 'a partly filled ring', capacity: 4, start: 9, pushed: [10, 12], held: [10, 12], oldestRev: 9 },
    {
      what: 'an exactly full ring (nothing evicted yet)',
      capacity: 3,
      start: 0,
      pushed: [1, 2, 3],
      held: [1, 2, 3],
      oldestRev: 0,
    },
    {
      what: 'one eviction: history now starts after the evicted revision',
      capacity: 3,
      start: 0,
      pushed: [1, 2, 3, 4],
      held: [2, 3, 4],
      oldestRev: 1,
    },
    {
      what: 'wrapped around twice',
      capacity: 3,
      start: 10,
      pushed: [11, 12, 13, 14, 15, 16, 17],
      held: [15, 16, 17],
      oldestRev: 14,
    },
    {
      what: 'revisions with gaps (other resources share the etcd revision counter)',
      capacity: 2,
      start: 5,
      pushed: [10, 20, 30, 40],
      held: [30, 40],
      oldestRev: 20,
    },
    { what: 'capacity 1', capacity: 1, start: 0, pushed: [3, 8, 9], held: [9], oldestRev: 8 },
  ];
  for (const c of cases) {
    it(`${c.what}: holds ${JSON.stringify(c.held)}, oldest served revision ${c.oldestRev}`, () => {
      const ring = ringWith(c.capacity, c.start, c.pushed);
      assert.equal(ring.length, c.held.length);
      assert.equal(ring.capacity, c.capacity);
      assert.equal(ring.oldestRev, c.oldestRev);
      // Everything after oldestRev is what a watch from that version must receive.
      assert.deepEqual(revsAfter(ring, ring.oldestRev), c.held);
    });
  }
});

describe('EventRing.after', () => {
  // Capacity 4 after six pushes: 20 and 25 were evicted, so the ring holds 30..45 and oldestRev is 25.
  const ring = ringWith(4, 0, [20, 25, 30, 35, 40, 45]);
  const cases: { rev: number; want: number[] }[] = [
    { rev: 25, want: [30, 35, 40, 45] },
    { rev: 29, want: [30, 35, 40, 45] },
    { rev: 30, want: [35, 40, 45] },
    { rev: 31, want: [35, 40, 45] },
    { rev: 40, want: [45] },
    { rev: 44, want: [45] },
    { rev: 45, want: [] },
    { rev: 1000, want: [] },
  ];
  for (const c of cases) {
    it(`yields ${JSON.stringify(c.want)} after revision ${c.rev}, oldest first`, () => {
      assert.deepEqual(revsAfter(ring, c.rev), c.want);
    });
  }

  it('yields the same event objects that were pushed', () => {
    const pushed = [event(1), event(2), event(3)];
    const r = new EventRing(8, 0);
    for (const e of pushed) r.push(e);
    const got = [...r.after(1)];
    assert.equal(got.length, 2);
    assert.equal(got[0], pushed[1]);
    assert.equal(got[1], pushed[2]);
  });

  it('keeps every event of a revision that several events share', () => {
    const r = ringWith(8, 0, [1, 2, 2, 2, 3]);
    assert.deepEqual(revsAfter(r, 1), [2, 2, 2, 3]);
    assert.deepEqual(revsAfter(r, 2), [3]);
  });
});

describe('EventRing.reset', () => {
  it('forgets everything and starts history after the given revision', () => {
    const ring = ringWith(3, 0, [1, 2, 3, 4, 5]);
    ring.reset(50);
    assert.equal(ring.length, 0);
    assert.equal(ring.oldestRev, 50);
    assert.deepEqual(revsAfter(ring, 0), []);
  });

  it('fills and wraps around normally after a reset from a wrapped state', () => {
    const ring = ringWith(3, 0, [1, 2, 3, 4, 5]);
    ring.reset(50);
    for (const rev of [51, 52, 53, 54]) ring.push(event(rev));
    assert.equal(ring.length, 3);
    assert.equal(ring.oldestRev, 51);
    assert.deepEqual(revsAfter(ring, 0), [52, 53, 54]);
  });
});

/** Seeded, so a failing sequence can be replayed from its seed: a whole number in [0, n). */
function prng(seed: number): (n: number) => number {
  const random = seededRandom(seed);
  return (n) => randomInt(random, n);
}

describe('EventRing against an array model', () => {
  const runs: { capacity: number; seed: number }[] = [
    { capacity: 1, seed: 1 },
    { capacity: 2, seed: 2 },
    { capacity: 7, seed: 3 },
    { capacity: 64, seed: 4 },
    { capacity: 500, seed: 5 },
  ];
  for (const { capacity, seed } of runs) {
    it(`capacity ${capacity}, seed ${seed}: 5000 random pushes, queries and resets agree with the model`, () => {
      const rand = prng(seed);
      const ring = new EventRing(capacity, 0);
      // The model: every event since the last reset, and the revision history starts after.
      let all: CacheEvent[] = [];
      let start = 0;
      let rev = 0;
      let queries = 0;
      let tooOld = 0;
      let resets = 0;
      for (let op = 0; op < 5000; op++) {
        const dice = rand(1000);
        if (dice < 800) {
          // Mostly new revisions with gaps; sometimes a revision shared with the previous event.
          rev += rand(10) === 0 ? 0 : 1 + rand(3);
          const e = event(rev);
          all.push(e);
          ring.push(e);
        } else if (dice < 999) {
          const q = start - 3 + rand(rev - start + 6);
          const evicted = all.slice(0, Math.max(0, all.length - capacity));
          const modelOldest = evicted.length === 0 ? start : (evicted[evicted.length - 1]?.rev ?? start);
          assert.equal(ring.oldestRev, modelOldest, `op ${op}: oldestRev`);
          queries++;
          if (q >= ring.oldestRev) {
            // Servable: the ring must give exactly the full history after q, nothing missing.
            const got = [...ring.after(q)];
            const want = all.filter((e) => e.rev > q);
            assert.equal(got.length, want.length, `op ${op}: after(${q}) count`);
            assert.ok(
              got.every((e, i) => e === want[i]),
              `op ${op}: after(${q}) events`,
            );
          } else {
            // Too old: justified only if the reset forgot history after q or an event after q was evicted.
            if (q >= start) tooOld++;
            assert.ok(
              q < start || evicted.some((e) => e.rev > q),
              `op ${op}: ${q} refused though nothing after it was forgotten`,
            );
          }
        } else {
          rev += rand(5);
          resets++;
          ring.reset(rev);
          all = [];
          start = rev;
        }
        assert.equal(ring.length, Math.min(all.length, capacity), `op ${op}: length`);
      }
      // The run must have exercised both answers, or it proves little.
      assert.ok(queries > 500, `only ${queries} queries`);
      assert.ok(tooOld > 0, 'no query was too old because of eviction');
      assert.ok(resets > 0, 'no reset happened');
    });
  }
});
