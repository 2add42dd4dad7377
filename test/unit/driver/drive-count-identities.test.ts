import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driveCountProblems } from '../../../src/driver/drive-count-identities.js';
import type { DriveKeys } from '../../../src/experiment/store/run-record.js';
import { recordFixture } from '../../fixtures/run-record-fixture.js';

function drive(edit: (d: DriveKeys) => void = () => undefined): DriveKeys {
  const d = structuredClone(recordFixture(0).drive);
  if (d === null) throw new Error('fixture without drive');
  edit(d);
  return d;
}

describe('count identities of a drive', () => {
  const cases: { why: string; drive: DriveKeys; numAttachments?: number; problem: RegExp | null }[] = [
    { why: 'a drive whose counts add up', drive: drive(), problem: null },
    {
      why: 'a create with no outcome',
      drive: drive((d) => {
        d.total.outcomes.fulfilled -= 1;
      }),
      problem: /^total: attempted 200 != fulfilled\+broken\+never\+failed 199$/,
    },
    {
      why: 'an op issued that was neither a create nor a delete',
      drive: drive((d) => {
        d.total.ops.issued += 1;
      }),
      problem: /^total: issued 401 != creates\+deletes$/,
    },
    {
      why: 'phases whose creates do not sum to the total',
      drive: drive((d) => {
        d.cooldown.outcomes.attempted += 1;
        d.cooldown.outcomes.fulfilled += 1;
      }),
      problem: /^phase creates 201 != total 200$/,
    },
    {
      why: 'fewer creates than asked for',
      drive: drive(),
      numAttachments: 201,
      problem: /^creates 200 != numAttachments 201$/,
    },
    {
      why: 'a delete with no outcome',
      drive: drive((d) => {
        d.deletes.attempted += 1;
      }),
      problem: /^deletes attempted != succeeded\+failed$/,
    },
  ];
  for (const c of cases) {
    it(`${c.problem === null ? 'accepts' : 'flags'} ${c.why}`, () => {
      const problems = driveCountProblems(c.drive, c.numAttachments ?? 200);
      if (c.problem === null) assert.deepEqual(problems, []);
      else
        assert.ok(
          problems.some((p) => c.problem?.test(p) === true),
          JSON.stringify(problems),
        );
    });
  }
});
