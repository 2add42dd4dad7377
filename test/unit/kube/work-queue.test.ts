import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  runWorkers,
  WorkQueue,
  type QueueTimers,
  type WorkQueueOptions,
} from '../../../src/kube/work-queue.js';

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

describe('WorkQueue depth and idle', () => {
  it('reports its depth as keys wait and are taken, and is idle only when nothing waits or runs', async () => {
    const depths: number[] = [];
    const q = new WorkQueue({ onDepth: (d) => depths.push(d) });
    q.add('a');
    q.add('b');
    let idle = false;
    void q.idle().then(() => {
      idle = true;
    });
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    q.done('a');
    await turn();
    assert.equal(idle, false, 'b is still being processed');
    q.done('b');
    await turn();
    assert.equal(idle, true);
    assert.deepEqual(depths, [1, 2, 1, 0]);
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

/** A process function whose calls wait until the test releases them. */
function gatedProcess(): {
  process: (key: string) => Promise<void>;
  started: string[];
  release(key: string, error?: Error): void;
  active: Map<string, number>;
  maxActive: number;
  maxPerKey: number;
} {
  const waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }[]>();
  const state = {
    started: [] as string[],
    active: new Map<string, number>(),
    maxActive: 0,
    maxPerKey: 0,
    process: (key: string): Promise<void> => {
      state.started.push(key);
      const n = (state.active.get(key) ?? 0) + 1;
      state.active.set(key, n);
      state.maxPerKey = Math.max(state.maxPerKey, n);
      state.maxActive = Math.max(
        state.maxActive,
        [...state.active.values()].reduce((a, b) => a + b, 0),
      );
      return new Promise<void>((resolve, reject) => {
        const list = waiting.get(key) ?? [];
        list.push({ resolve, reject });
        waiting.set(key, list);
      }).finally(() => {
        state.active.set(key, (state.active.get(key) ?? 1) - 1);
      });
    },
    release(key: string, error?: Error): void {
      const w = waiting.get(key)?.shift();
      assert.ok(w !== undefined, `${key} is not in process`);
      if (error === undefined) w.resolve();
      else w.reject(error);
    },
  };
  return state;
}

/** A queue with `workers` running over it, stopped the way the hollow agent stops (shutdown, then wait). */
function pushQueue(
  process: (key: string) => Promise<void>,
  opts: WorkQueueOptions & { workers?: number } = {},
): { add(key: string): void; idle(): Promise<void>; readonly length: number; stop(): Promise<void> } {
  const queue = new WorkQueue(opts);
  const workers = runWorkers(queue, opts.workers ?? 2, process);
  return {
    add: (key) => {
      queue.add(key);
    },
    idle: () => queue.idle(),
    get length() {
      return queue.length + queue.active;
    },
    stop: async () => {
      queue.shutdown();
      await workers;
    },
  };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('runWorkers over a WorkQueue (push style, as the hollow agents use it)', () => {
  it('processes a key added several times while queued once', async () => {
    const p = gatedProcess();
    const q = pushQueue(p.process, { workers: 1 });
    q.add('a');
    q.add('b');
    q.add('b');
    q.add('b');
    await turn();
    p.release('a');
    await turn();
    p.release('b');
    await q.idle();
    assert.deepEqual(p.started, ['a', 'b']);
  });

  it('processes a key added during its processing again afterwards, never concurrently', async () => {
    const p = gatedProcess();
    const q = pushQueue(p.process, { workers: 4 });
    q.add('a');
    await turn();
    q.add('a');
    q.add('a');
    await turn();
    assert.deepEqual(p.started, ['a']);
    p.release('a');
    await turn();
    assert.deepEqual(p.started, ['a', 'a']);
    p.release('a');
    await q.idle();
    assert.equal(p.maxPerKey, 1);
    assert.equal(q.length, 0);
  });

  it('runs at most `workers` keys at a time', async () => {
    const p = gatedProcess();
    const q = pushQueue(p.process, { workers: 2 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
    await turn();
    assert.deepEqual(p.started, ['a', 'b']);
    for (const k of ['a', 'b', 'c', 'd', 'e']) {
      p.release(k);
      await turn();
    }
    await q.idle();
    assert.equal(p.maxActive, 2);
    assert.deepEqual(p.started, ['a', 'b', 'c', 'd', 'e']);
  });

  it('retries a failing key with doubling backoff and forgets the count on success', async () => {
    const p = gatedProcess();
    const scheduled: { ms: number; fn: () => void }[] = [];
    const q = pushQueue(p.process, {
      baseDelayMs: 200,
      maxDelayMs: 700,
      timers: {
        setTimeout: (fn, ms) => scheduled.push({ ms, fn }),
        clearTimeout: () => undefined,
      },
    });
    q.add('a');
    for (let i = 0; i < 4; i++) {
      await turn();
      p.release('a', new Error('boom'));
      await q.idle();
      scheduled.at(-1)?.fn();
    }
    await turn();
    p.release('a');
    await q.idle();
    q.add('a');
    await turn();
    p.release('a', new Error('again'));
    await q.idle();
    assert.deepEqual(
      scheduled.map((s) => s.ms),
      [200, 400, 700, 700, 200],
    );
  });

  it('shutdown cancels pending retries and waits for keys in process', async () => {
    const p = gatedProcess();
    let cancelled = 0;
    const q = pushQueue(p.process, {
      timers: {
        setTimeout: () => 0,
        clearTimeout: () => {
          cancelled++;
        },
      },
    });
    q.add('fails');
    q.add('slow');
    await turn();
    p.release('fails', new Error('boom'));
    await turn();
    let stopped = false;
    const stopping = q.stop().then(() => {
      stopped = true;
    });
    await turn();
    assert.equal(stopped, false, 'waits for the key in process');
    assert.equal(cancelled, 1);
    q.add('later');
    p.release('slow');
    await stopping;
    assert.deepEqual(p.started, ['fails', 'slow']);
  });
});
