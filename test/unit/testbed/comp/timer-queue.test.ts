import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { TimerQueue } from '../../../../src/testbed/comp/timer-queue.js';

describe('TimerQueue', () => {
  it('wakes sleepers in deadline order, each at its time, on one timer', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let now = 1000;
      const q = new TimerQueue({ now: () => now });
      const woke: string[] = [];
      const sleep = (label: string, ms: number): void => {
        void q.sleep(ms).then(() => woke.push(`${label}@${now - 1000}`));
      };
      sleep('c', 5);
      sleep('a', 1);
      sleep('b', 3);
      sleep('b2', 3);
      assert.equal(q.pending, 4);
      for (let t = 0; t < 6; t++) {
        now += 1;
        mock.timers.tick(1);
        await new Promise((r) => setImmediate(r));
      }
      assert.deepEqual(woke, ['a@1', 'b@3', 'b2@3', 'c@5']);
      assert.equal(q.pending, 0);
    } finally {
      mock.timers.reset();
    }
  });

  it('releases every sleeper at stop() and takes later sleeps as done', async () => {
    const q = new TimerQueue();
    const t0 = performance.now();
    const sleeping = Promise.all([q.sleep(60_000), q.sleep(30_000)]);
    q.stop();
    await sleeping;
    await q.sleep(60_000);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(q.pending, 0);
  });

  it('sleeps at least the asked time on real timers and leaves no timer behind', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const q = new TimerQueue();
    const t0 = performance.now();
    await Promise.all([q.sleep(15), q.sleep(5), q.sleep(10)]);
    const took = performance.now() - t0;
    assert.ok(took >= 14.5, `took ${took} ms`);
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    assert.equal(timersAfter, timersBefore);
  });
});
