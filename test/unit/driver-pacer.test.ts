import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pace } from '../../src/driver/pacer.js';

/** A fake monotonic clock: sleeping advances it by the nap plus a fixed wake-up overshoot. */
function fakeClock(overshootMs: number) {
  let now = 0;
  return {
    clock: { now: () => now },
    sleep: (ms: number) => {
      now += Math.max(ms, 0.001) + overshootMs;
      return Promise.resolve();
    },
    jump: (ms: number) => {
      now += ms;
    },
  };
}

describe('the open-loop pacer', () => {
  const cases = [
    { rate: 1000, overshoot: 0.05 },
    { rate: 5000, overshoot: 0.3 },
    { rate: 10, overshoot: 0.5 },
  ];
  for (const c of cases) {
    it(`at ${c.rate}/s with ${c.overshoot} ms wake-up overshoot fires every op once, in order, never early, none late`, async () => {
      const f = fakeClock(c.overshoot);
      const gap = 1000 / c.rate;
      const sent: number[] = [];
      const order: number[] = [];
      const r = await pace({
        count: 500,
        dueAt: (i) => i * gap,
        fire: (i, t) => {
          order.push(i);
          sent.push(t);
        },
        clock: f.clock,
        sleep: f.sleep,
        lateThresholdMs: 1,
      });
      assert.equal(r.fired, 500);
      assert.equal(r.late, 0);
      assert.deepEqual(
        order,
        Array.from({ length: 500 }, (_, i) => i),
      );
      sent.forEach((t, i) => {
        assert.ok(t >= i * gap && t - i * gap <= 1 + c.overshoot, `op ${i} at ${t}`);
      });
    });
  }

  it('never waits for responses: ops keep their schedule while every earlier one is still unanswered', async () => {
    const f = fakeClock(0);
    const unanswered: Promise<void>[] = [];
    const r = await pace({
      count: 100,
      dueAt: (i) => i * 2,
      fire: () => unanswered.push(new Promise(() => undefined)),
      clock: f.clock,
      sleep: f.sleep,
    });
    assert.equal(r.fired, 100);
    assert.equal(unanswered.length, 100);
    assert.equal(r.late, 0);
  });

  it('a stall of the process shows as late ops, each sent at once when it ends (nothing skipped)', async () => {
    const f = fakeClock(0);
    const sent: number[] = [];
    const r = await pace({
      count: 100,
      dueAt: (i) => i,
      fire: (i, t) => {
        sent[i] = t;
        if (i === 20) f.jump(50); // the event loop was blocked for 50 ms after op 20
      },
      clock: f.clock,
      sleep: f.sleep,
      lateThresholdMs: 10,
    });
    assert.equal(r.fired, 100);
    // Ops 21..70 were due during the stall; those more than 10 ms overdue (sent at 70) are late: 21..59.
    assert.equal(r.late, 39);
    assert.equal(sent[21], 70);
    assert.equal(sent[60], 70);
  });

  it('the signal ends pacing with the ops not yet due unfired', async () => {
    const f = fakeClock(0);
    const abort = new AbortController();
    const r = await pace({
      count: 1000,
      dueAt: (i) => i,
      fire: (i) => {
        if (i === 99) abort.abort();
      },
      clock: f.clock,
      sleep: f.sleep,
      signal: abort.signal,
    });
    assert.equal(r.stopped, true);
    assert.equal(r.fired, 100);
  });

  it('on the real clock, 2,000 ops at 1,000/s come out on time', async () => {
    const start = performance.now() + 5;
    const lateness: number[] = [];
    const r = await pace({
      count: 2000,
      dueAt: (i) => start + i,
      fire: (i, t) => lateness.push(t - (start + i)),
      clock: { now: () => performance.now() },
      lateThresholdMs: 1000,
    });
    assert.equal(r.fired, 2000);
    assert.ok(
      lateness.every((l) => l >= 0),
      'an op fired early',
    );
  });
});
