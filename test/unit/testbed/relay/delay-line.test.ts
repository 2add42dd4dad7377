import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DelayLine, PASS, type NetMode } from '../../../../src/testbed/relay/delay-line.js';
import { FakeClock } from '../../../support/fake-clock.js';

/** A line on a fake clock that records when each delivery left, as `name@ms`. */
function line(mode: NetMode = PASS): {
  l: DelayLine;
  clock: FakeClock;
  out: string[];
  send: (n: string) => void;
} {
  const clock = new FakeClock();
  const l = new DelayLine(mode, { now: () => clock.nowMs, timers: clock });
  const out: string[] = [];
  return {
    l,
    clock,
    out,
    send: (n) => {
      l.push(() => out.push(`${n}@${clock.nowMs}`));
    },
  };
}

describe('a delay line (one direction of a relayed connection)', () => {
  it('passes straight through with no fault, setting no timer', () => {
    const { clock, out, send } = line();
    send('a');
    send('b');
    assert.deepEqual(out, ['a@0', 'b@0']);
    assert.equal(clock.pending, 0);
  });

  it('delays each delivery by the latency from when it came, in order', async () => {
    const { clock, out, send } = line({ kind: 'delay', delayMs: 200 });
    send('a');
    await clock.advance(50);
    send('b');
    await clock.advance(149);
    assert.deepEqual(out, []);
    await clock.advance(1);
    assert.deepEqual(out, ['a@200']);
    await clock.advance(50);
    assert.deepEqual(out, ['a@200', 'b@250']);
  });

  it('lets nothing overtake what is in flight when the delay ends', async () => {
    const { l, clock, out, send } = line({ kind: 'delay', delayMs: 100 });
    send('slow');
    await clock.advance(10);
    l.setMode(PASS);
    send('fast');
    assert.deepEqual(out, [], 'the later one waits behind the delayed one');
    await clock.advance(90);
    assert.deepEqual(out, ['slow@100', 'fast@100']);
    send('after');
    assert.deepEqual(out, ['slow@100', 'fast@100', 'after@100']);
  });

  it('holds everything while partitioned, neither delivered nor dropped, and releases it on the heal', async () => {
    const { l, clock, out, send } = line();
    l.setMode({ kind: 'partition' });
    send('a');
    send('b');
    await clock.advance(60_000);
    assert.deepEqual(out, []);
    assert.equal(l.pending, 2);
    l.setMode(PASS);
    assert.deepEqual(out, ['a@60000', 'b@60000']);
    assert.equal(l.pending, 0);
  });

  it('holds what was in flight when a partition starts, and heals into a delay with its latency', async () => {
    const { l, clock, out, send } = line({ kind: 'delay', delayMs: 100 });
    send('in-flight');
    l.setMode({ kind: 'partition' });
    await clock.advance(500);
    assert.deepEqual(out, []);
    send('held');
    l.setMode({ kind: 'delay', delayMs: 100 });
    assert.deepEqual(out, ['in-flight@500'], 'its time had come');
    await clock.advance(100);
    assert.deepEqual(out, ['in-flight@500', 'held@600']);
  });

  it('delivers nothing after it is closed', async () => {
    const { l, clock, out, send } = line({ kind: 'delay', delayMs: 10 });
    send('a');
    l.close();
    send('b');
    await clock.advance(100);
    assert.deepEqual(out, []);
    assert.equal(clock.pending, 0);
  });
});
