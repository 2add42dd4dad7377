import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pacer, pace } from '../../../src/driver/pacer.js';

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

  it('fireDue between wakes sends an op when it comes due instead of at the next wake', async () => {
    // Wakes overshoot by 0.9 ms; an answer arrives every 0.1 ms and pokes the pacer.
    let now = 0;
    const sent: number[] = [];
    const poked: { pacer?: Pacer } = {};
    const sleep = (ms: number): Promise<void> => {
      const until = now + Math.max(ms, 0.001) + 0.9;
      // Answers land on the 0.1 ms grid (exact tenths, so no rounding drift).
      for (let k = Math.floor(now * 10) + 1; k / 10 < until; k++) {
        now = k / 10;
        poked.pacer?.fireDue();
      }
      now = until;
      return Promise.resolve();
    };
    const pacer = new Pacer({
      count: 200,
      dueAt: (i) => i * 0.25,
      fire: (i, t) => (sent[i] = t),
      clock: { now: () => now },
      sleep,
    });
    poked.pacer = pacer;
    const r = await pacer.run();
    assert.equal(r.fired, 200);
    sent.forEach((t, i) => {
      assert.ok(t >= i * 0.25 - 1e-9, `op ${i} fired early at ${t}`);
      assert.ok(t - i * 0.25 <= 0.1 + 1e-9, `op ${i} waited for a wake: sent at ${t}`);
    });
    assert.ok(r.totalLatenessMs / 200 < 0.1, `mean lateness ${r.totalLatenessMs / 200} ms`);
  });

  it('fireDue from inside fire() does not fire out of order or twice, and does nothing once stopped', async () => {
    const f = fakeClock(0);
    const abort = new AbortController();
    const order: number[] = [];
    const pacer: Pacer = new Pacer({
      count: 50,
      dueAt: (i) => i,
      fire: (i) => {
        order.push(i);
        pacer.fireDue(); // an answer that came back synchronously
        if (i === 29) abort.abort();
      },
      clock: f.clock,
      sleep: f.sleep,
      signal: abort.signal,
    });
    const r = await pacer.run();
    f.jump(100);
    pacer.fireDue();
    assert.deepEqual(
      order,
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.equal(r.stopped, true);
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
