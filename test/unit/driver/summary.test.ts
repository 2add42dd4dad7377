import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttachmentBook,
  STATE_CREATE_FAILED,
  STATE_CREATE_SENT,
  STATE_CREATED,
} from '../../../src/driver/attachment-book.js';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import { newPhaseStats } from '../../../src/driver/phase-stats.js';
import { smallDrivePlan } from '../../support/small-drive-plan.js';
import { buildSummary, outcomeOf } from '../../../src/driver/summary.js';
import { decodeHistogram } from '../../../src/measure/histogram.js';

const plan = smallDrivePlan;

/** One attachment per case: what the driver saw of it, and the outcome that must follow. */
const cases = [
  { name: 'fulfilled', sent: 0, created: 5, ready: 40, broken: NaN, failed: false, want: 'fulfilled' },
  {
    name: 'fulfilled after an error was shown',
    sent: 0,
    created: 5,
    ready: 90,
    broken: 30,
    failed: false,
    want: 'fulfilled',
  },
  { name: 'broken', sent: 0, created: 5, ready: NaN, broken: 20, failed: false, want: 'broken' },
  {
    name: 'never fulfilled',
    sent: 0,
    created: 5,
    ready: NaN,
    broken: NaN,
    failed: false,
    want: 'neverFulfilled',
  },
  {
    name: 'fulfilled after the grace time',
    sent: 0,
    created: 5,
    ready: 1500,
    broken: NaN,
    failed: false,
    want: 'neverFulfilled',
  },
  {
    name: 'create failed',
    sent: 0,
    created: NaN,
    ready: NaN,
    broken: NaN,
    failed: true,
    want: 'createFailed',
  },
  {
    name: 'never sent (dropped)',
    sent: NaN,
    created: NaN,
    ready: NaN,
    broken: NaN,
    failed: false,
    want: 'notAttempted',
  },
] as const;

function bookOf(): AttachmentBook {
  // Create i is due at 100 i - 2 ms, in warm-up (even i) or cruise (odd i).
  const book = new AttachmentBook(
    Int32Array.from({ length: cases.length }, (_, i) => i),
    3,
    { createDueMs: (id) => 100 * id - 2, createPhase: (id) => id % 2 },
  );
  cases.forEach((c, i) => {
    if (Number.isNaN(c.sent)) return;
    book.sent[i] = 100 * i + c.sent;
    book.mark(i, STATE_CREATE_SENT);
    if (c.failed) book.mark(i, STATE_CREATE_FAILED);
    else {
      book.created[i] = 100 * i + c.created;
      book.mark(i, STATE_CREATED);
    }
    if (!Number.isNaN(c.ready)) {
      book.ready[i] = 100 * i + c.ready;
      book.serverImpl[i] = 1_000_000 + 100 * i + c.ready - 3;
    }
    if (!Number.isNaN(c.broken)) book.broken[i] = 100 * i + c.broken;
  });
  return book;
}

describe('outcome accounting', () => {
  const book = bookOf();
  cases.forEach((c, i) => {
    it(`${c.name} -> ${c.want}`, () => {
      assert.equal(outcomeOf(book, i, 1000), c.want);
    });
  });

  it('the summary adds up: attempted = the four outcomes, one fulfilment sample per fulfilled attachment', () => {
    const stats = newPhaseStats();
    const w = { startMs: 1, endMs: 2 };
    const s = buildSummary({
      runId: 'r',
      namespace: 'r',
      config: {},
      plan,
      book,
      stats,
      windows: [w, w, w],
      clock: { offsetMs: 2, uncertaintyMs: 0.5, samples: 3 },
      // Wall = monotonic + 1,000,000 ms: the server stamps above are 3 ms before the sighting.
      wallOf: (m) => m + 1_000_000,
      graceMs: 1000,
      startedMs: 0,
      endedMs: 10,
      ending: 'completed',
      deletes: { attempted: 0, succeeded: 0, failed: 0, retries: 0 },
    });
    driveSummarySchema.parse(s);
    assert.deepEqual(s.total.outcomes, {
      attempted: 6,
      fulfilled: 2,
      broken: 1,
      neverFulfilled: 2,
      createFailed: 1,
    });
    for (const p of [s.phases.warmup, s.phases.cruise, s.phases.cooldown]) {
      const o = p.outcomes;
      assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
      assert.equal(p.latency.fulfilmentFromPlanned.count, o.fulfilled);
    }
    const l = s.total.latency;
    assert.equal(l.fulfilmentFromPlanned.count, 2);
    // From planned: ready + 2 ms (planned is 2 ms before sent); from sent: ready.
    assert.deepEqual([l.fulfilmentFromPlanned.minMs, l.fulfilmentFromPlanned.maxMs], [42, 92]);
    assert.deepEqual([l.fulfilmentFromSent.minMs, l.fulfilmentFromSent.maxMs], [40, 90]);
    // Server: stamp + offset - sent = (ready - 3) + 2.
    assert.deepEqual([l.serverFulfilment.minMs, l.serverFulfilment.maxMs], [39, 89]);
    assert.equal(decodeHistogram(l.fulfilmentFromPlanned.histogram).totalCount, 2);
  });
});

const noSchedule = { createDueMs: () => 0, createPhase: () => 0 };

describe('the attachment book', () => {
  it('finds a shard’s attachments by create counter without a map', () => {
    const book = new AttachmentBook(Int32Array.from([3, 8, 9, 20]), 10, noSchedule);
    assert.deepEqual(
      [3, 8, 9, 20, 0, 10, 21].map((id) => book.indexOf(id)),
      [0, 1, 2, 3, -1, -1, -1],
    );
  });
  it('holds 64 bytes per tracked attachment (id, 7 times, test bits, node, state); planned times are derived', () => {
    const book = new AttachmentBook(new Int32Array(1_000_000), 1800, noSchedule);
    assert.equal(book.bytesPerAttachment(), 4 + 7 * 8 + 1 + 2 + 1);
  });
});
