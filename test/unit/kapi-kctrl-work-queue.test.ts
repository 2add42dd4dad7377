import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from '../../src/testbed/kctrl/work-queue.js';

describe('kctrl work queue', () => {
  it('hands out each key once, in order, and deduplicates adds', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
  });

  it('never gives a key to two workers; a key added while processed comes back after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    assert.equal(key, 'a');
    q.add('a');
    assert.equal(q.length, 0, 'not queued while being processed');
    q.done('a');
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
  });

  it('wakes a waiting worker, and ends waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    assert.equal(await waiting, 'x');
    const idle = q.get();
    q.shutDown();
    assert.equal(await idle, undefined);
    q.add('y');
    assert.equal(await q.get(), undefined);
  });

  it('backs off exponentially per key up to the cap, and starts over after forget', () => {
    const q = new WorkQueue({ retryBaseMs: 10, retryMaxMs: 50 });
    const delays = [q.retry('k'), q.retry('k'), q.retry('k'), q.retry('k')];
    assert.deepEqual(delays, [10, 20, 40, 50]);
    assert.equal(q.retry('other'), 10);
    q.forget('k');
    assert.equal(q.failuresOf('k'), 0);
    assert.equal(q.retry('k'), 10);
    q.shutDown();
  });

  it('re-queues a failed key after its delay', async () => {
    const depths: number[] = [];
    const q = new WorkQueue({ retryBaseMs: 5, onDepth: (d) => depths.push(d) });
    q.add('k');
    assert.equal(await q.get(), 'k');
    q.retry('k');
    q.done('k');
    const started = performance.now();
    assert.equal(await q.get(), 'k');
    assert.ok(performance.now() - started >= 4);
    assert.deepEqual(depths, [1, 0], 'the retry went straight to the waiting worker');
    q.shutDown();
  });
});
