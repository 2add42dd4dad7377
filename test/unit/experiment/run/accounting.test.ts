import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountingProblems } from '../../../../src/experiment/run/accounting.js';
import type { RunRecord } from '../../../../src/experiment/store/run-record.js';
import { recordFixture } from '../../../fixtures/run-record-fixture.js';

function edit(f: (r: RunRecord & { drive: NonNullable<RunRecord['drive']> }) => void): RunRecord {
  const r = structuredClone(recordFixture(0));
  if (r.drive === null) throw new Error('fixture without drive');
  f(r as RunRecord & { drive: NonNullable<RunRecord['drive']> });
  return r;
}

describe('accounting identities of a run record', () => {
  const cases: { name: string; record: RunRecord; problem: RegExp | null }[] = [
    { name: 'a consistent run', record: recordFixture(0), problem: null },
    {
      name: 'a failed run',
      record: recordFixture(0, { status: 'failed', error: 'x' }),
      problem: /failed \(x\)/,
    },
    {
      name: 'an outcome lost',
      record: edit((r) => {
        r.drive.cruise.outcomes.fulfilled -= 1;
      }),
      problem: /cruise: attempted 100 != fulfilled\+broken\+never\+failed 99/,
    },
    {
      name: 'creates not matching numAttachments',
      record: edit((r) => {
        r.driver.numAttachments = 201;
      }),
      problem: /creates 200 != numAttachments 201/,
    },
    {
      name: 'a cruise 3% slow',
      record: edit((r) => {
        r.drive.cruise.achievedRate = 9.7;
        r.drive.cruise.achievedRatio = 0.97;
      }),
      problem: /cruise achieved 9\.7 ops\/s vs target 10/,
    },
    {
      name: 'a cruise 1.5% slow (within 2%)',
      record: edit((r) => {
        r.drive.cruise.achievedRate = 9.85;
        r.drive.cruise.achievedRatio = 0.985;
      }),
      problem: null,
    },
    {
      name: 'ops dropped without account',
      record: edit((r) => {
        r.drive.cruise.ops.planned += 3;
      }),
      problem: /cruise: planned 203 != issued\+dropped/,
    },
  ];
  for (const c of cases) {
    it(`${c.problem === null ? 'accepts' : 'flags'} ${c.name}`, () => {
      const problems = accountingProblems(c.record);
      if (c.problem === null) assert.deepEqual(problems, []);
      else
        assert.ok(
          problems.some((p) => c.problem?.test(p) === true),
          JSON.stringify(problems),
        );
    });
  }
});
