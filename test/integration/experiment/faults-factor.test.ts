/**
 * A sweep with a faults factor on the testbed (examples/faults-factor.yaml): the agent group
 * stopped for 2 s, 4 s into the cruise, at NNA 1 and 2. Each run records its fault and recovery
 * (results.jsonl, faults.json, results.csv), is invalid for a reason of its own, and the report
 * shows the time to recover against NNA, and each run's latency over time with the fault marked.
 * Each run's summary.json lists the crashes it was judged by (none: a stall is not a crash).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import { runRecordSchema } from '../../../src/experiment/store/run-record.js';
import { faultRunSchema } from '../../../src/measure/fault-record.js';
import { parseCsv } from '../../../src/util/csv.js';
import { processesMentioning, runKosTest } from '../../support/kos-test-process.js';
import { tableRows } from '../../support/report-html.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const SPEC = join(repo, 'examples', 'faults-factor.yaml');

describe('a sweep with a faults factor, on the testbed', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('records each run’s fault and recovery, and its report shows recovery time against NNA', async (t) => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-faults-'));
    const out = join(root, 'sweep');
    const { code, text } = await runKosTest(['experiment', 'run', SPEC, '--out', out], join(root, 'run.log'));
    assert.equal(code, VERDICT_EXIT_CODES.invalid, text.slice(-3000));

    const records = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => runRecordSchema.parse(JSON.parse(l)));
    assert.deepEqual(
      records.map((r) => [r.factors.NNA, r.fault, r.status]),
      [
        [1, 'agents-stall', 'completed'],
        [2, 'agents-stall', 'completed'],
      ],
    );
    for (const r of records) {
      const f = r.drive?.faults;
      assert.ok(f !== undefined, `${r.runId} has no faults`);
      const e = f.events[0];
      assert.ok(e !== undefined && f.events.length === 1);
      const at = (e.injectedMs ?? 0) - (r.drive?.cruise.window.startMs ?? 0);
      t.diagnostic(
        `NNA ${r.factors.NNA}: ${e.action} ${e.process} at +${at.toFixed(0)} ms for ${(e.endedMs ?? 0) - (e.injectedMs ?? 0)} ms; baseline p99 ${f.baselineP99Ms?.toFixed(1)} ms; recovery ${e.recoveryMs} ms; ${e.affected.delayed} delayed, ${e.affected.neverFulfilled} never`,
      );
      assert.equal(e.process, 'comp-group0');
      assert.ok(at >= 3990 && at < 5000, `injected ${at} ms into the cruise`);
      assert.ok((e.endedMs ?? 0) - (e.injectedMs ?? 0) >= 1990);
      assert.ok(f.recoveryMeasurable, f.note);
      // Creates planned in the 2 s stall wait for the SIGCONT: those planned more than the
      // baseline p99 (plus slack for a loaded machine) before it are late past it, one per 100 ms.
      const visibleMs = Math.max(0, 2000 - (f.baselineP99Ms ?? 0) - 300);
      assert.ok(f.recoveryMs !== null && f.recoveryMs >= visibleMs, `recovery ${f.recoveryMs}: ${f.note}`);
      assert.ok(
        e.affected.delayed + e.affected.neverFulfilled >= Math.floor(visibleMs / 100),
        'the creates planned in the stall',
      );
      assert.equal(r.validity?.status, 'invalid');
      assert.equal(r.validity.reasons[0]?.code, 'fault-injected');
      const written = faultRunSchema.parse(
        JSON.parse(await readFile(join(out, r.dir, 'faults.json'), 'utf8')),
      );
      assert.deepEqual(written, f);
      // The run's summary.json lists the crashes it was judged by: a stall is none.
      const summary = driveSummarySchema.parse(
        JSON.parse(await readFile(join(out, r.dir, 'summary.json'), 'utf8')),
      );
      assert.deepEqual(summary.crashes, [], 'the testbed was asked: a stopped group did not crash');
    }

    const csv = parseCsv(await readFile(join(out, 'results.csv'), 'utf8'));
    assert.deepEqual(
      csv.map((row) => [row.NNA, row.fault, Number(row.fault_recovery_s)]),
      records.map((r) => [String(r.factors.NNA), 'agents-stall', (r.drive?.faults?.recoveryMs ?? 0) / 1000]),
    );

    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.equal(tableRows(html, 'fault-table').length, 2);
    assert.deepEqual(
      tableRows(html, 'run-table').map((row) => row.cells.some((c) => c.text === 'agents-stall')),
      [true, true],
      'the run table names each run’s fault level',
    );
    assert.match(html, /id="plot-recovery-vs-nna"/);
    assert.match(html, /id="plot-fault-timeline-0"/);
    assert.match(html, /id="plot-fault-timeline-1"/);
    const plotted = parseCsv(await readFile(join(out, 'report-files', 'recovery-vs-nna.csv'), 'utf8'));
    assert.deepEqual(
      plotted.map((p) => [p.scenario, p.NNA, Number(p.recoveryS)]),
      records.map((r) => ['agents-stall', String(r.factors.NNA), (r.drive?.faults?.recoveryMs ?? 0) / 1000]),
    );
    assert.deepEqual(await processesMentioning(root), [], 'no process left');
  });
});
