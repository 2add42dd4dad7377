import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from '../../src/testbed/comp/work-queue.js';

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

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('WorkQueue', () => {
  it('processes a key added several times while queued once', async () => {
    const p = gatedProcess();
    const q = new WorkQueue({ process: p.process, workers: 1 });
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
    const q = new WorkQueue({ process: p.process, workers: 4 });
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
    const q = new WorkQueue({ process: p.process, workers: 2 });
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
    const q = new WorkQueue({
      process: p.process,
      retryBaseMs: 200,
      retryMaxMs: 700,
      schedule: (ms, fn) => {
        scheduled.push({ ms, fn });
        return () => undefined;
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

  it('stop() cancels pending retries and waits for keys in process', async () => {
    const p = gatedProcess();
    let cancelled = 0;
    const q = new WorkQueue({
      process: p.process,
      schedule: () => () => {
        cancelled++;
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
