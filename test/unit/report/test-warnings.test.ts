import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestSummary } from '../../../src/driver/data-plane/test-summary.js';
import { testSummarySchema } from '../../../src/driver/data-plane/test-summary.js';
import { resultsCsv } from '../../../src/experiment/store/results-csv.js';
import { latencyHistogram, latencyStats } from '../../../src/measure/histogram.js';
import { sweepWarnings } from '../../../src/report/model/warnings.js';
import { sweepRecords } from '../../support/sweep-fixture.js';

function tests(fullFailed: number, duplicates = 0): TestSummary {
  const none = latencyStats(latencyHistogram());
  return testSummarySchema.parse({
    testFraction: 0.5,
    full: { carried: 10, tested: 8 - fullFailed, testFailed: fullFailed, untested: 2 },
    setupOnly: { carried: 2, tested: 2, testFailed: 0, untested: 0 },
    held: 1,
    addressProblems: {
      duplicates,
      outOfSubnet: 0,
      examples: duplicates > 0 ? ['172.24.0.5 held by attachments 1, 3 of VNI 65537'] : [],
    },
    latency: {
      createToTested: none,
      readyToTested: none,
      createToSetupTested: none,
      readyToSetupTested: none,
      createToAddressedEasy: none,
      createToReadyEasy: none,
      pendingWait: none,
    },
  });
}

describe('data-plane tests in the report warnings and results.csv', () => {
  const records = sweepRecords({ sweepId: 'dp', grid: { OPS: [10, 20, 40, 80] }, replicates: 1, seed: 3 });
  const withTests = records.map((r, i) =>
    r.drive === null
      ? r
      : {
          ...r,
          drive: { ...r.drive, ...(i === 0 ? {} : { tests: tests(i === 2 ? 1 : 0, i === 3 ? 1 : 0) }) },
        },
  );

  it('warns of any failed test and of address problems, and of nothing when every test passed', () => {
    const kinds = (i: number): string[] =>
      sweepWarnings(withTests)
        .filter((w) => w.runId === withTests[i]?.runId)
        .map((w) => w.kind);
    assert.deepEqual(kinds(0), [], 'no tests: no warning');
    assert.deepEqual(kinds(1), [], 'every test passed');
    assert.deepEqual(kinds(2), ['test-failed']);
    assert.deepEqual(kinds(3), ['address-problems']);
    const failed = sweepWarnings(withTests).find((w) => w.kind === 'test-failed');
    assert.match(failed?.message ?? '', /^1 of 12 data-plane tests failed/);
  });

  it('results.csv: tested + test failed + untested = carried, and empty cells for a run without tests', () => {
    const [head, ...rows] = resultsCsv(withTests).trim().split('\n');
    const cols = (head ?? '').split(',');
    const at = (row: string, name: string): string => row.split(',')[cols.indexOf(name)] ?? '?';
    const sorted = [...withTests].sort((a, b) => a.index - b.index);
    rows.forEach((row, k) => {
      const hasTests = sorted[k]?.drive?.tests !== undefined;
      if (!hasTests) {
        assert.equal(at(row, 'tests_carried'), '');
        return;
      }
      const n = (c: string): number => Number(at(row, c));
      assert.equal(n('tests_carried'), 12);
      assert.equal(n('tests_tested') + n('tests_testFailed') + n('tests_untested'), n('tests_carried'));
    });
  });
});
