import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectivityDomains,
  type TestDecision,
} from '../../../../src/driver/data-plane/connectivity-domains.js';
import { testCommands } from '../../../../src/driver/data-plane/test-commands.js';
import { TestGate, type GateTimers } from '../../../../src/driver/data-plane/test-gate.js';

describe('peer choice per virtual network (ConnectivityDomains.decide)', () => {
  const cases: {
    what: string;
    setup: (d: ConnectivityDomains) => void;
    drawnFull: boolean;
    waited?: boolean;
    want: TestDecision;
  }[] = [
    {
      what: 'the first attachment of a VN, not drawn',
      setup: () => undefined,
      drawnFull: false,
      want: { kind: 'setup' },
    },
    {
      what: 'the first attachment of a VN, drawn',
      setup: () => undefined,
      drawnFull: true,
      want: { kind: 'setup' },
    },
    {
      what: 'drawn, a peer tested: full test against the latest tested',
      setup: (d) => {
        d.notePending(0, 1);
        d.noteTested(0, 1);
        d.notePending(0, 2);
        d.noteTested(0, 2);
      },
      drawnFull: true,
      want: { kind: 'full', peer: 2 },
    },
    {
      what: 'not drawn, a peer tested: no test',
      setup: (d) => {
        d.noteTested(0, 1);
      },
      drawnFull: false,
      want: { kind: 'none' },
    },
    {
      what: 'drawn, nothing tested but one pending: wait',
      setup: (d) => {
        d.notePending(0, 1);
      },
      drawnFull: true,
      want: { kind: 'wait' },
    },
    {
      what: 'drawn, the wait expired with nothing tested: setup-only',
      setup: (d) => {
        d.notePending(0, 1);
      },
      drawnFull: true,
      waited: true,
      want: { kind: 'setup' },
    },
    {
      what: 'not drawn, one pending: no test and no wait (the original waited here too)',
      setup: (d) => {
        d.notePending(0, 1);
      },
      drawnFull: false,
      want: { kind: 'none' },
    },
    {
      what: 'the latest tested peer was deleted: setup-only again',
      setup: (d) => {
        d.noteTested(0, 1);
        d.noteGone(0, 1);
      },
      drawnFull: true,
      want: { kind: 'setup' },
    },
    {
      what: 'another VN’s peer does not count',
      setup: (d) => {
        d.noteTested(1, 7);
      },
      drawnFull: true,
      want: { kind: 'setup' },
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const d = new ConnectivityDomains(2);
      c.setup(d);
      assert.deepEqual(d.decide(0, c.drawnFull, c.waited ?? false), c.want);
    });
  }
});

describe('test command lines in the original driver’s format', () => {
  it('a full test: TestByPing ${ifname} <runid>-<n> ${ipv4}/<prefix> <peer ip> <count> <peer name>', () => {
    const c = testCommands({
      dir: '/usr/local/kos/bin',
      runId: '1206-2100-abcd',
      attachment: 42,
      prefixLength: 26,
      peer: { ipv4: '172.24.0.5', name: '010001-7' },
      pingCount: 10,
    });
    // What the original builds with strings.Split(fmt.Sprintf(...), " ").
    const original =
      '/usr/local/kos/bin/TestByPing ${ifname} 1206-2100-abcd-42 ${ipv4}/26 172.24.0.5 10 010001-7'.split(
        ' ',
      );
    assert.deepEqual(c.postCreateExec, original);
    assert.deepEqual(c.postDeleteExec, '/usr/local/kos/bin/RemoveNetNS 1206-2100-abcd-42'.split(' '));
  });

  it('a setup-only test has no peer arguments; a trailing slash on the directory is dropped', () => {
    const c = testCommands({ dir: '/opt/t/', runId: 'r1', attachment: 0, prefixLength: 24, pingCount: 10 });
    assert.deepEqual(c.postCreateExec, ['/opt/t/TestByPing', '${ifname}', 'r1-0', '${ipv4}/24']);
  });
});

/** Timers a test fires by hand. */
class FakeTimers implements GateTimers {
  now = 0;
  private next = 0;
  readonly due = new Map<number, { at: number; fn: () => void }>();
  set(fn: () => void, ms: number): unknown {
    this.due.set(++this.next, { at: this.now + ms, fn });
    return this.next;
  }
  clear(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [h, t] of [...this.due]) {
      if (t.at <= this.now) {
        this.due.delete(h);
        t.fn();
      }
    }
  }
}

describe('the pending wait (TestGate)', () => {
  function gate(draws: number[]) {
    const timers = new FakeTimers();
    const sent: { i: number; t: number; test: string; peer?: string }[] = [];
    const g = new TestGate({
      vnOf: (i) => (i >= 100 ? 1 : 0),
      vnCount: 2,
      testFraction: 0.5,
      pendingWaitMs: 60_000,
      draw: () => draws.shift() ?? 0.9,
      peerOf: (i) => ({ ipv4: `10.0.0.${i}`, name: `att-${i}` }),
      send: (i, _p, _planned, t, test, peer) =>
        sent.push({ i, t, test, ...(peer === undefined ? {} : { peer: peer.name }) }),
      clock: { now: () => timers.now },
      timers,
    });
    return { g, timers, sent };
  }

  it('a drawn create waits for the first pending peer, then pings it; the wait is measured', () => {
    const { g, timers, sent } = gate([0.9, 0.1]);
    g.create(1, 0, 0, 0); // first of VN 0: setup-only, pending
    g.create(2, 0, 0, 0); // drawn full: held
    assert.deepEqual(sent, [{ i: 1, t: 0, test: 'setup' }]);
    assert.equal(g.heldCount, 1);
    timers.advance(1500);
    g.tested(1);
    assert.deepEqual(sent[1], { i: 2, t: 1500, test: 'full', peer: 'att-1' });
    assert.equal(g.waits.totalCount, 1);
    // Microseconds, to the histogram's 3 significant digits.
    assert.ok(Math.abs(g.waits.getValueAtPercentile(100) - 1_500_000) <= 1_500);
    assert.equal(timers.due.size, 0, 'its timer is cleared');
  });

  it('a wait that expires sends a setup-only test at --pending-wait', () => {
    const { g, timers, sent } = gate([0.9, 0.1]);
    g.create(1, 0, 0, 0);
    g.create(2, 0, 0, 0);
    timers.advance(60_000);
    assert.deepEqual(sent[1], { i: 2, t: 60_000, test: 'setup' });
  });

  it('a failed pending test releases the waiters of its VN only', () => {
    const { g, sent } = gate([0.9, 0.1, 0.9, 0.1]);
    g.create(1, 0, 0, 0);
    g.create(2, 0, 0, 0);
    g.create(101, 0, 0, 0);
    g.create(102, 0, 0, 0);
    g.gone(1);
    assert.deepEqual(
      sent.map((s) => [s.i, s.test]),
      [
        [1, 'setup'],
        [101, 'setup'],
        [2, 'setup'],
      ],
    );
    assert.ok(g.isHeld(102));
    g.flush(102);
    assert.equal(g.heldCount, 0);
  });

  it('test fraction 0: no test, no draw, no wait', () => {
    const timers = new FakeTimers();
    const tests: string[] = [];
    const g = new TestGate({
      vnOf: () => 0,
      vnCount: 1,
      testFraction: 0,
      pendingWaitMs: 60_000,
      draw: () => assert.fail('no draw at fraction 0'),
      peerOf: () => undefined,
      send: (_i, _p, _pl, _t, test) => tests.push(test),
      clock: { now: () => 0 },
      timers,
    });
    g.create(1, 0, 0, 0);
    g.create(2, 0, 0, 0);
    assert.deepEqual(tests, ['none', 'none']);
  });
});
