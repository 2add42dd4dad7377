import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EtaTracker, formatSeconds, progressReporter } from '../../../../src/experiment/run/progress.js';
import type { SweepEvent } from '../../../../src/experiment/run/sweep-events.js';

const factors = { OPS: 10, NCA: 20, POP: 20, NNA: 1, NKA: 1 };
const events: SweepEvent[] = [
  { kind: 'sweep-start', sweepId: 's', dir: '/d', runs: 2, todo: 2, estimatedS: 100, seed: null },
  { kind: 'run-start', index: 0, runId: 's-000', key: 'c0-r0', factors, estimatedS: 50, attempt: 0 },
  { kind: 'step', index: 0, step: 'drive' },
  {
    kind: 'run-end',
    index: 0,
    runId: 's-000',
    status: 'completed',
    error: null,
    achievedRatio: 0.999,
    validity: 'invalid',
    reasons: ['host-cpu-busy'],
    slosFailed: ['fulfilment.p99<=2s'],
    seconds: 100,
  },
  { kind: 'sweep-end', completed: 1, failed: 0, skipped: 0, valid: 0, invalid: 1, dir: '/d' },
];

describe('sweep progress', () => {
  it('scales the ETA by how the finished runs compared with their estimates', () => {
    const eta = new EtaTracker();
    eta.start(300);
    assert.equal(eta.etaS(), 300);
    eta.runStarted(0, 100);
    eta.runEnded(0, 150);
    assert.equal(eta.etaS(), 300);
  });

  const cases: [number, string][] = [
    [0, '0s'],
    [59.4, '59s'],
    [61, '1m01s'],
    [3600, '1h00m'],
    [86_399, '23h59m'],
  ];
  for (const [s, text] of cases)
    it(`formats ${s} s as ${text}`, () => {
      assert.equal(formatSeconds(s), text);
    });

  it('writes one JSON object per event when not on a terminal, with the ETA after each run', () => {
    const out: string[] = [];
    const report = progressReporter({ tty: false, write: (s) => out.push(s), now: () => 0 });
    for (const e of events) report(e);
    report({ kind: 'tick' }); // nothing: ticks only redraw a terminal's line
    const parsed = out.map((l) => JSON.parse(l) as { kind: string; etaS?: number });
    assert.deepEqual(
      parsed.map((p) => p.kind),
      events.map((e) => e.kind),
    );
    assert.equal(parsed[3]?.etaS, 100);
    assert.deepEqual((parsed[3] as { validity?: string; reasons?: string[] }).reasons, ['host-cpu-busy']);
  });

  it('counts the current run down from its estimate, never below it', () => {
    const eta = new EtaTracker();
    eta.start(300);
    eta.runStarted(0, 100, 1000);
    assert.deepEqual(
      [0, 40_000, 100_000, 500_000].map((t) => eta.etaS(1000 + t)),
      [300, 260, 200, 200],
    );
  });

  it('shows run i of N, the step or the driver phase, and an ETA that ticks down, on a terminal', () => {
    const out: string[] = [];
    let now = 0;
    const report = progressReporter({ tty: true, write: (s) => out.push(s), now: () => now });
    const [start, runStart, drive, ...rest] = events;
    for (const e of [start, runStart, drive]) if (e !== undefined) report(e);
    assert.match(
      out.at(-1) ?? '',
      /run 1 of 2 \(s-000: OPS 10 NCA 20 POP 20 NNA 1 NKA 1\) drive \| ETA 1m40s$/,
    );
    now = 10_000;
    report({ kind: 'drive-phase', index: 0, phase: 'cruise' });
    assert.match(out.at(-1) ?? '', /run 1 of 2 \(s-000: .*\) drive: cruise \| ETA 1m30s$/);
    now = 20_000;
    report({ kind: 'tick' });
    assert.match(out.at(-1) ?? '', /drive: cruise \| ETA 1m20s$/);
    for (const e of rest) report(e);
    const text = out.join('');
    assert.match(
      text,
      /run 1 of 2 s-000: invalid in 1m40s, cruise OPS 99\.9% of target \[host-cpu-busy, SLO fulfilment\.p99<=2s\]/,
    );
    assert.match(text, /sweep done: 1 completed \(0 valid, 1 invalid\), 0 failed/);
  });
});
