import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { driveSummarySchema } from '../../../src/driver/drive-summary.js';
import { accountingProblems } from '../../../src/experiment/run/accounting.js';
import { CSV_COLUMNS } from '../../../src/experiment/store/results-csv.js';
import { runRecordSchema } from '../../../src/experiment/store/run-record.js';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { verdictExitCode } from '../../support/verdict-exit.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'bin', 'kos-test.js');

describe('the quickstart on the testbed, end to end through the CLI', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('records every run with counts that add up and cruise at its target OPS, and a complete results.csv', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-quickstart-'));
    const out = join(root, 'sweep');
    const log = join(root, 'run.log');
    const child = spawnManaged({
      name: 'experiment run',
      command: process.execPath,
      args: [cli, 'experiment', 'run', join(repo, 'examples', 'quickstart.yaml'), '--out', out],
      logFile: log,
      cwd: repo,
    });
    const exit = await child.exited;
    const text = await readFile(log, 'utf8');
    assert.match(text, new RegExp(`results: ${out}/results.csv`));

    const records = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => runRecordSchema.parse(JSON.parse(l)));
    // 0, or 5 when the shared host made a run invalid (its reasons are in the log); never 6.
    assert.equal(exit.code, verdictExitCode(records), text.slice(-3000));
    assert.notEqual(exit.code, VERDICT_EXIT_CODES.failed, text.slice(-3000));
    assert.equal(records.length, 4);
    assert.deepEqual(records.map((r) => r.key).sort(), ['c0-r0', 'c1-r0', 'c2-r0', 'c3-r0']);
    for (const r of records) {
      assert.deepEqual(accountingProblems(r), [], r.runId);
      assert.ok(r.costs !== null, `${r.runId}: no costs (${r.costsError ?? ''})`);
      assert.deepEqual(r.costs.purposes.map((p) => p.purpose).sort(), [
        'comp',
        'kapi',
        'kctrl',
        'ketcd',
        'napi',
        'nctrl',
        'netcd',
      ]);
      assert.equal(r.costs.window.fromMs, r.drive?.cruise.window.startMs);
      const napi = r.costs.purposes.find((p) => p.purpose === 'napi');
      assert.ok((napi?.mean.cpuCores ?? 0) > 0, 'napi CPU over cruise is measured');
      // Driven by a process of its own, which asked for its pacing priority (ADR 0041), and
      // judged in the run: its summary lists the testbed's crashes (none here).
      const driveLog = await readFile(join(out, r.dir, 'driver.log'), 'utf8');
      assert.match(driveLog, /pacing at (nice -10|normal priority)/, r.runId);
      const summary = driveSummarySchema.parse(
        JSON.parse(await readFile(join(out, r.dir, 'summary.json'), 'utf8')),
      );
      assert.deepEqual(summary.crashes, [], r.runId);
    }

    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    assert.equal(csv.length, 5);
    const header = (csv[0] ?? '').split(',');
    assert.deepEqual(
      header,
      CSV_COLUMNS.map((c) => c.name),
    );
    for (const row of csv.slice(1)) {
      const cells = row.split(',');
      const get = (name: string): string => cells[header.indexOf(name)] ?? '';
      assert.equal(get('status'), 'completed');
      const ratio = Number(get('cruise_achieved_ratio'));
      assert.ok(Math.abs(ratio - 1) <= 0.02, `achieved ratio ${ratio}`);
      assert.equal(
        Number(get('cruise_attempted')),
        Number(get('cruise_fulfilled')) +
          Number(get('cruise_broken')) +
          Number(get('cruise_neverFulfilled')) +
          Number(get('cruise_createFailed')),
      );
      for (const name of [
        'fulfil_planned_p50_ms',
        'fulfil_planned_p99_ms',
        'napi_cpu_cores_mean',
        'comp_net_in_bytes_per_op',
      ])
        assert.notEqual(get(name), '', `${name} is empty`);
    }

    // The report the runner refreshes after each run and writes in full at the end.
    assert.match(text, new RegExp(`report: +${out}/report.html`));
    const html = await readFile(join(out, 'report.html'), 'utf8');
    for (const r of records) assert.ok(html.includes(r.runId), `${r.runId} is in the report`);
    const pngs = (await readdir(join(out, 'report-files'))).filter((f) => f.endsWith('.png'));
    assert.ok(pngs.length > 0, 'the final report has its PNG plots');
  });
});
