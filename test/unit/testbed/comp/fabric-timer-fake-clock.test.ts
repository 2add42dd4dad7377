import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueueTimers } from '../../../../src/kube/work-queue.js';
import { AgentMetrics } from '../../../../src/testbed/comp/agent-metrics.js';
import type { Attachment } from '../../../../src/testbed/comp/attachment.js';
import { HollowFabric } from '../../../../src/testbed/comp/fabric.js';
import { desiredIfc, InterfaceTable } from '../../../../src/testbed/comp/interface-table.js';
import { parseSamples } from '../../../../src/testbed/exporter/prom-text.js';
import { histogramTotals } from '../../../../src/selftest/testbed/agent-histogram-totals.js';
import { TimerQueue } from '../../../../src/testbed/comp/timer-queue.js';

/**
 * A fake monotonic clock with Node-like timers: a timer set for `ms` fires `lateMs` after its
 * time (Node wakes on whole loop milliseconds, a loaded machine later still).
 */
class FakeClock implements QueueTimers {
  nowMs = 1000;
  armed = 0;
  private next = 0;
  private readonly due = new Map<number, { atMs: number; fn: () => void }>();
  constructor(private readonly lateMs: number) {}
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.due.set(id, { atMs: this.nowMs + ms + this.lateMs, fn });
    this.armed = this.due.size;
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
    this.armed = this.due.size;
  }
  /** Moves time on in 0.1 ms steps, firing timers as they come due, letting promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    while (this.nowMs < end - 1e-9) {
      this.nowMs = Math.min(end, this.nowMs + 0.1);
      for (const [id, t] of [...this.due]) {
        if (t.atMs > this.nowMs + 1e-9) continue;
        this.due.delete(id);
        t.fn();
      }
      this.armed = this.due.size;
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  }
}

function wokeAt(clock: FakeClock, q: TimerQueue, ms: number, into: number[]): void {
  const start = clock.nowMs;
  void q.sleep(ms).then(() => into.push(Math.round((clock.nowMs - start) * 10) / 10));
}

describe('the fabric timer (TimerQueue) on a fake clock', () => {
  const cases = [
    {
      why: 'an on-time timer wakes each sleeper at its delay',
      lateMs: 0,
      sleeps: [3, 26, 10],
      want: [3, 10, 26],
    },
    {
      why: 'a late timer makes every sleep that much longer, and no longer (each re-arm is late once)',
      lateMs: 0.7,
      sleeps: [3, 26],
      want: [3.7, 26.7],
    },
    {
      why: 'sleeps due within half a ms of each other wake on one firing',
      lateMs: 0,
      sleeps: [5, 5.3],
      want: [5, 5],
    },
  ];
  for (const c of cases) {
    it(c.why, async () => {
      const clock = new FakeClock(c.lateMs);
      const q = new TimerQueue({ now: () => clock.nowMs, timers: clock });
      const woke: number[] = [];
      for (const ms of c.sleeps) wokeAt(clock, q, ms, woke);
      assert.equal(clock.armed, 1, 'one timer for all the sleeps');
      await clock.advance(40);
      assert.deepEqual(woke, c.want);
      assert.equal(q.pending, 0);
      assert.equal(clock.armed, 0, 'no timer left when nothing is pending');
    });
  }

  it('re-arms for an earlier sleep that arrives while armed for a later one', async () => {
    const clock = new FakeClock(0);
    const q = new TimerQueue({ now: () => clock.nowMs, timers: clock });
    const woke: number[] = [];
    wokeAt(clock, q, 26, woke);
    await clock.advance(1);
    wokeAt(clock, q, 3, woke);
    assert.equal(clock.armed, 1);
    await clock.advance(30);
    assert.deepEqual(woke, [3, 26]);
  });

  it("records a fabric call's time from its start to its end, not the delay it drew", async () => {
    const clock = new FakeClock(0.7);
    const q = new TimerQueue({ now: () => clock.nowMs, timers: clock });
    const drawn: number[] = [];
    const fabric = new HollowFabric({
      delay: '3ms',
      sleep: (ms) => q.sleep(ms),
      onCall: (_op, _ifc, ms) => drawn.push(ms),
    });
    const metrics = new AgentMetrics('g', { processMetrics: false });
    const table = new InterfaceTable({
      fabric,
      metrics,
      nowMicros: () => clock.nowMs * 1000,
      monoMs: () => clock.nowMs,
    });
    const att: Attachment = {
      apiVersion: 'network.example.com/v1alpha1',
      kind: 'NetworkAttachment',
      metadata: { name: 'a', namespace: 'ns' },
      spec: { node: 'comp0', subnet: 's1' },
      status: { ipv4: '10.0.0.1', addressVNI: 1 },
    };
    const syncing = table.sync('ns/a', desiredIfc(att, 'comp0'), att, { label: 'na', micros: undefined });
    await clock.advance(10);
    await syncing;
    assert.deepEqual(drawn, [3]);
    const fabricTime = histogramTotals(
      parseSamples(await metrics.metrics()),
      'kos_agent_fabric_latency_seconds',
      { op: 'CreateLocalIfc' },
    );
    assert.equal(fabricTime.count, 1);
    assert.ok(
      Math.abs(fabricTime.sumSeconds - 0.0037) < 1e-6,
      `recorded ${fabricTime.sumSeconds} s, spent 0.0037 s`,
    );
  });
});
