import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWorkers, WorkQueue, type QueueTimers } from '../../src/testbed/nctrl/work-queue.js';

/** Timers that fire only when the test says so. */
class ManualTimers implements QueueTimers {
  private next = 0;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): number[] {
    const fired = [...this.pending.values()];
    this.pending.clear();
    for (const t of fired) t.fn();
    return fired.map((t) => t.ms);
  }
}

describe('WorkQueue', () => {
  it('holds a key once however often it is added, in first-added order', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
  });

  it('never hands a key being processed to a second worker, and runs it once more after', async () => {
    const q = new WorkQueue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.length, 1, 'only b is ready');
    assert.equal(await q.get(), 'b');
    q.done('a');
    assert.equal(await q.get(), 'a');
    q.done('a');
    q.done('b');
    assert.equal(q.length, 0);
  });

  it('wakes a waiting worker', async () => {
    const q = new WorkQueue();
    const got = q.get();
    q.add('x');
    assert.equal(await got, 'x');
    assert.equal(q.active, 1);
  });

  it('backs off per key, doubling to a ceiling, until forgotten', () => {
    const timers = new ManualTimers();
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50, timers });
    const delays = Array.from({ length: 5 }, () => q.addRateLimited('k'));
    assert.deepEqual(delays, [10, 20, 40, 50, 50]);
    assert.equal(q.retries('k'), 5);
    q.forget('k');
    assert.equal(q.addRateLimited('k'), 10);
    assert.equal(q.length, 0, 'nothing before the timer fires');
    timers.fireAll();
    assert.equal(q.length, 1, 'the timers add the key once');
  });

  it('shutdown wakes waiters with undefined and drops pending retries', async () => {
    const timers = new ManualTimers();
    const q = new WorkQueue({ timers });
    const waiting = q.get();
    q.addAfter('later', 1000);
    q.shutdown();
    assert.equal(await waiting, undefined);
    assert.equal(timers.pending.size, 0);
    q.add('z');
    assert.equal(await q.get(), undefined);
  });
});

describe('runWorkers', () => {
  it('processes keys in parallel but one key at a time, retrying failures', async () => {
    const timers = new ManualTimers();
    const q = new WorkQueue({ baseDelayMs: 1, timers });
    const running = new Set<string>();
    let overlap = 0;
    let maxParallel = 0;
    const runs = new Map<string, number>();
    let failOnce = true;
    const release: (() => void)[] = [];
    const workers = runWorkers(
      q,
      3,
      async (key) => {
        if (running.has(key)) overlap++;
        running.add(key);
        maxParallel = Math.max(maxParallel, running.size);
        runs.set(key, (runs.get(key) ?? 0) + 1);
        await new Promise<void>((r) => release.push(r));
        running.delete(key);
        if (key === 'flaky' && failOnce) {
          failOnce = false;
          throw new Error('transient');
        }
      },
      () => undefined,
    );
    for (const k of ['a', 'b', 'flaky', 'a']) q.add(k);
    await new Promise((r) => setImmediate(r));
    q.add('a'); // arrives while a runs: one more run
    while (release.length > 0 || timers.pending.size > 0 || q.length > 0) {
      for (const r of release.splice(0)) r();
      await new Promise((r) => setImmediate(r));
      timers.fireAll();
      await new Promise((r) => setImmediate(r));
    }
    q.shutdown();
    await workers;
    assert.equal(overlap, 0, 'no key ran twice at once');
    assert.equal(maxParallel, 3);
    assert.deepEqual(Object.fromEntries(runs), { a: 2, b: 1, flaky: 2 });
  });
});
