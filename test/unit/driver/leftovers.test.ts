import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttachmentBook, STATE_DELETE_FAILED, STATE_DELETED } from '../../../src/driver/attachment-book.js';
import type { DriveSummary } from '../../../src/driver/drive-summary.js';
import { endingWith, leftoversOf, mergeLeftovers } from '../../../src/driver/leftovers.js';
import { attachmentName } from '../../../src/driver/plan/drive-plan.js';
import { smallDrivePlan } from '../../support/small-drive-plan.js';

const plan = smallDrivePlan;
const noSchedule = { createDueMs: () => 0, createPhase: () => 0 };

describe('leftovers: attachments whose delete finally failed', () => {
  it('none failed: no leftovers, and the ending stands', () => {
    const book = new AttachmentBook(Int32Array.from([0, 1, 2]), 2, noSchedule);
    book.mark(0, STATE_DELETED);
    const left = leftoversOf(book, plan, 'r1');
    assert.equal(left, undefined);
    assert.equal(endingWith('completed', left), 'completed');
  });

  it('names them and the cleanup command, and the run is not completed', () => {
    const book = new AttachmentBook(Int32Array.from([0, 1, 2]), 2, noSchedule);
    book.mark(0, STATE_DELETED);
    book.mark(1, STATE_DELETE_FAILED);
    book.mark(2, STATE_DELETE_FAILED);
    const left = leftoversOf(book, plan, 'r1');
    assert.deepEqual(left, {
      attachments: 2,
      names: [attachmentName(plan, 1), attachmentName(plan, 2)],
      cleanup: 'kos-test cleanup --runid r1',
    });
    for (const ending of ['completed', 'interrupted', 'failed'] as const)
      assert.equal(endingWith(ending, left), 'failed');
  });

  it("a merged run's leftovers are every shard's", () => {
    const part = (n: number): DriveSummary =>
      ({
        leftovers:
          n === 0 ? undefined : { attachments: n, names: [`a${n}`], cleanup: 'kos-test cleanup --runid r' },
      }) as DriveSummary;
    assert.deepEqual(mergeLeftovers([part(0), part(0)]), {});
    assert.deepEqual(mergeLeftovers([part(2), part(0), part(3)]), {
      leftovers: { attachments: 5, names: ['a2', 'a3'], cleanup: 'kos-test cleanup --runid r' },
    });
  });
});
