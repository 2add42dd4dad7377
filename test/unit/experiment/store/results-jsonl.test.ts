import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseResultsJsonl } from '../../../../src/experiment/store/results-jsonl.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { sweepRecords } from '../../../support/sweep-fixture.js';

describe('parseResultsJsonl: the one reader of results.jsonl', () => {
  const [a, b] = sweepRecords({ sweepId: 's', grid: { OPS: [10, 20] }, replicates: 1, seed: 1 });
  if (a === undefined || b === undefined) throw new Error('fixture');
  const line = (r: object): string => `${JSON.stringify(r)}\n`;

  it('reads one record per line, in order', () => {
    const got = parseResultsJsonl(line(a) + line(b), 'r.jsonl');
    assert.deepEqual(
      got.records.map((r) => r.key),
      [a.key, b.key],
    );
    assert.equal(got.tornBytes, 0);
  });

  it('sets a torn last line apart instead of failing on it', () => {
    const torn = line(b).slice(0, 40);
    const got = parseResultsJsonl(line(a) + torn, 'r.jsonl');
    assert.deepEqual(
      got.records.map((r) => r.key),
      [a.key],
    );
    assert.equal(got.tornBytes, Buffer.byteLength(torn));
  });

  it('counts a key recorded twice once, as its last record', () => {
    const redone = { ...a, runId: `${a.runId}-again` };
    const got = parseResultsJsonl(line(a) + line(b) + line(redone), 'r.jsonl');
    assert.deepEqual(
      got.records.map((r) => r.runId),
      [b.runId, redone.runId],
    );
  });

  it('names a bad line by number, with the field at fault', () => {
    const broken = { ...b, factors: { ...b.factors, OPS: -5 } };
    assert.throws(
      () => parseResultsJsonl(line(a) + line(broken), 'r.jsonl'),
      (e: unknown) =>
        e instanceof KosTestError && /bad results line 2 in r\.jsonl: factors\.OPS: /.test(e.message),
    );
    assert.throws(
      () => parseResultsJsonl('{not json\n', 'r.jsonl'),
      (e: unknown) =>
        e instanceof KosTestError && /bad results line 1 in r\.jsonl: \{not json/.test(e.message),
    );
  });
});
