import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CSV_COLUMNS, resultsCsv } from '../../../../src/experiment/store/results-csv.js';
import { csvField } from '../../../../src/util/csv.js';
import { ResultsStore } from '../../../../src/experiment/store/results-store.js';
import { specDiff } from '../../../../src/experiment/spec/spec-diff.js';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { CRASH_SPEC } from '../../../fixtures/crash-spec.js';
import { recordFixture } from '../../../fixtures/run-record-fixture.js';

const { spec } = parseSpecText('s.yaml', CRASH_SPEC);

describe('the results store', () => {
  let root: string;
  let n = 0;
  const fresh = (): string => join(root, `sweep${n++}`);
  /** A new sweep's store of the crash spec, sweep id `s`, made at 1 ms. */
  const createStore = (dir: string, seed: number | null): Promise<ResultsStore> =>
    ResultsStore.create({ dir, specText: CRASH_SPEC, spec, sweepId: 's', seed, nowMs: 1 });
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-store-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps every appended record across a reopen, and the CSV has one row per record', async () => {
    const dir = fresh();
    const store = await createStore(dir, 3);
    for (const i of [0, 1, 2])
      await store.append(recordFixture(i, i === 1 ? { status: 'failed', error: 'x, "y"' } : {}));
    const again = await ResultsStore.open({ dir, spec });
    assert.deepEqual(again.records(), [
      recordFixture(0),
      recordFixture(1, { status: 'failed', error: 'x, "y"' }),
      recordFixture(2),
    ]);
    assert.equal(again.meta.seed, 3);
    const csv = (await readFile(again.csvPath, 'utf8')).trimEnd().split('\n');
    assert.equal(csv.length, 4);
    assert.equal(csv[0], CSV_COLUMNS.map((c) => c.name).join(','));
    assert.match(csv[2] ?? '', /,"x, ""y""",/);
    assert.equal(await readFile(join(dir, 'spec.yaml'), 'utf8'), CRASH_SPEC);
  });

  it('rewrites a resumed sweep’s results.csv whole in the current layout from results.jsonl, old runs included', async () => {
    const dir = fresh();
    const store = await createStore(dir, 3);
    await store.append(recordFixture(0));
    // As an older kos-test left it: the fault columns mid-row, before the costs.
    const old = 'run_id,key,index,fault,fault_recovery_s,napi_nodes\ns-000,c0-r0,0,,,1\n';
    await writeFile(store.csvPath, old);
    const resumed = await ResultsStore.open({ dir, spec });
    const header = CSV_COLUMNS.map((c) => c.name).join(',');
    const rows = async (): Promise<string[]> =>
      (await readFile(resumed.csvPath, 'utf8')).trimEnd().split('\n');
    assert.equal((await rows())[0], header, 'opening rewrote it from results.jsonl');
    await resumed.append(recordFixture(1));
    const csv = await rows();
    assert.equal(csv[0], header);
    assert.deepEqual(
      csv.slice(1).map((l) => l.split(',')[0]),
      [recordFixture(0).runId, recordFixture(1).runId],
    );
  });

  it('reports a started run without a record as interrupted, and counts attempts', async () => {
    const dir = fresh();
    const store = await createStore(dir, null);
    await store.markStarted({ key: 'c0-r0', runId: 's-0', attempt: 0, startedMs: 1 });
    await store.append(recordFixture(0));
    await store.markStarted({ key: 'c1-r0', runId: 's-1', attempt: 0, startedMs: 2 });
    const again = await ResultsStore.open({ dir, spec });
    assert.deepEqual([...again.recordedKeys()], ['c0-r0']);
    assert.deepEqual(
      again.interrupted().map((m) => m.key),
      ['c1-r0'],
    );
    assert.equal(again.nextAttempt('c1-r0'), 1);
    assert.equal(again.nextAttempt('c5-r0'), 0);
  });

  it('cuts a torn last line left by a crash mid-append, keeping the whole lines', async () => {
    const dir = fresh();
    const store = await createStore(dir, null);
    await store.append(recordFixture(0));
    await appendFile(store.jsonlPath, '{"schema":"kos-test/run-rec');
    const again = await ResultsStore.open({ dir, spec });
    assert.equal(again.records().length, 1);
    await again.append(recordFixture(1));
    assert.equal((await ResultsStore.open({ dir, spec })).records().length, 2);
  });

  it('refuses to start a second sweep in the same directory', async () => {
    const dir = fresh();
    await createStore(dir, null);
    await assert.rejects(
      createStore(dir, null),
      (e: unknown) =>
        e instanceof KosTestError && /already holds a sweep/.test(e.message) && /--resume/.test(e.message),
    );
  });

  it('refuses to resume with a changed spec, showing the difference', async () => {
    const dir = fresh();
    await createStore(dir, null);
    const changed = parseSpecText(
      's.yaml',
      CRASH_SPEC.replace('NCA: [20]', 'NCA: [20, 40]').replace('cruise: 20s', 'cruise: 30s'),
    ).spec;
    await assert.rejects(ResultsStore.open({ dir, spec: changed }), (e: unknown) => {
      assert.ok(e instanceof KosTestError);
      assert.match(
        e.message,
        /the spec changed since the sweep began: cruise: "20s" -> "30s"; factors\.NCA: \[20\] -> \[20,40\]/,
      );
      return true;
    });
    // Formatting and comments are no change.
    const same = parseSpecText('s.yaml', `# a comment\n${CRASH_SPEC}\n`).spec;
    assert.equal((await ResultsStore.open({ dir, spec: same })).records().length, 0);
  });
});

describe('the structural spec diff', () => {
  const cases: { before: unknown; after: unknown; diff: string[] }[] = [
    { before: { a: 1 }, after: { a: 1 }, diff: [] },
    { before: { a: 1 }, after: { a: 2 }, diff: ['a: 1 -> 2'] },
    { before: { a: { b: [1, 2] } }, after: { a: { b: [1, 3] } }, diff: ['a.b: [1,2] -> [1,3]'] },
    { before: { a: 1 }, after: { b: 1 }, diff: ['a: 1 -> (absent)', 'b: (absent) -> 1'] },
  ];
  for (const c of cases) {
    it(`diffs ${JSON.stringify(c.before)} and ${JSON.stringify(c.after)}`, () => {
      assert.deepEqual(specDiff(c.before, c.after), c.diff);
    });
  }
});

describe('results.csv', () => {
  const cases: { value: string | number | null | undefined | boolean; field: string }[] = [
    { value: null, field: '' },
    { value: undefined, field: '' },
    { value: 0, field: '0' },
    { value: 'a,b', field: '"a,b"' },
    { value: 'say "hi"', field: '"say ""hi"""' },
    { value: 'two\nlines', field: '"two\nlines"' },
    { value: false, field: 'false' },
  ];
  for (const c of cases) {
    it(`writes ${JSON.stringify(c.value)} as ${JSON.stringify(c.field)}`, () => {
      assert.equal(csvField(c.value), c.field);
    });
  }

  it('leaves unknown costs empty rather than 0, and sorts rows by run index', () => {
    const rows = resultsCsv([recordFixture(2), recordFixture(0, { status: 'failed' })])
      .trimEnd()
      .split('\n');
    const header = (rows[0] ?? '').split(',');
    const col = (row: string, name: string): string | undefined => row.split(',')[header.indexOf(name)];
    assert.equal(col(rows[1] ?? '', 'index'), '0');
    assert.equal(col(rows[1] ?? '', 'napi_cpu_cores_mean'), '');
    assert.equal(col(rows[2] ?? '', 'napi_cpu_cores_mean'), '0.25');
    assert.equal(col(rows[2] ?? '', 'comp_cpu_cores_mean'), '');
    assert.equal(col(rows[2] ?? '', 'cruise_achieved_ops'), '10');
    assert.equal(col(rows[2] ?? '', 'fulfil_planned_p99_ms'), '36');
  });

  it('keeps the optional groups added later at the end, in the order they came: faults, then unplanned restarts', () => {
    const names = CSV_COLUMNS.map((c) => c.name);
    const tail = names.slice(names.indexOf('ended_ms') + 1);
    assert.deepEqual(tail, [
      'fault',
      'fault_injected_ms',
      'fault_baseline_p99_ms',
      'fault_recovery_s',
      'fault_recovery_measurable',
      'fault_affected_delayed',
      'fault_affected_never_fulfilled',
      'unplanned_restarts',
    ]);
  });
});
