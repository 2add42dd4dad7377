import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/experiment/store/run-record.js';
import { writeCompareReport } from '../../../src/report/compare-report.js';
import { parseCsv } from '../../../src/util/csv.js';
import { holmAdjust } from '../../../src/report/stats/holm.js';
import { welchTTest } from '../../../src/report/stats/welch.js';
import { rowsByHeader } from '../../support/report-html.js';
import { writeSweepFixture } from '../../support/sweep-fixture.js';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('compare report of two recorded sweeps', () => {
  let dir: string;
  let a: RunRecord[];
  let b: RunRecord[];
  let html: string;
  let csv: Record<string, string>[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-compare-'));
    const grid = { NCA: [600, 1200] };
    a = await writeSweepFixture(join(dir, 'a'), { sweepId: 'base', grid, replicates: 5, seed: 41 });
    b = await writeSweepFixture(join(dir, 'b'), {
      sweepId: 'slower',
      grid,
      replicates: 5,
      seed: 42,
      latencyScale: 2,
      runs: Object.fromEntries([5, 6, 7, 8, 9].map((i) => [i, { noCosts: true }])),
    });
    // B's runs without costs are invalid: compared here on purpose (by default they are left out).
    const r = await writeCompareReport(join(dir, 'a'), join(dir, 'b'), {
      out: join(dir, 'cmp.html'),
      png: false,
      includeInvalid: true,
    });
    html = await readFile(r.html, 'utf8');
    csv = parseCsv(await readFile(join(r.filesDir, 'compare-table.csv'), 'utf8'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("shows each side's mean, the change and Welch's p as computed from the runs", () => {
    const rows = rowsByHeader(html, 'compare-table');
    for (const nca of [600, 1200]) {
      const p99 = (rs: RunRecord[]): number[] =>
        rs
          .filter((r) => r.factors.NCA === nca)
          .map((r) => r.drive?.cruise.latency.fulfilmentFromPlanned.p99Ms ?? NaN);
      const row = rows.find(
        (r) => r.attrs['data-cell'] === `NCA=${nca}` && r.attrs['data-quantity'] === 'latency p99',
      );
      assert.ok(row, `NCA=${nca}`);
      const v = (h: string): number | null => row.byHeader.get(h)?.value ?? null;
      assert.equal(v('A'), mean(p99(a)));
      assert.equal(v('B'), mean(p99(b)));
      assert.equal(v('A runs'), 5);
      assert.ok(Math.abs((v('change %') ?? NaN) - (mean(p99(b)) / mean(p99(a)) - 1) * 100) < 1e-9);
      assert.equal(v('p'), welchTTest(p99(a), p99(b))?.p);
      // Holm's adjustment is over every test in the table, not only this row's.
      const family = rows.map((r) => r.byHeader.get('p')?.value ?? null);
      assert.equal(v('p (Holm)'), holmAdjust(family)[rows.indexOf(row)]);
      assert.ok(`a doubled latency stays significant after the adjustment`);
      assert.equal(row.byHeader.get('significance')?.text, 'significant');
    }
  });

  it('marks the cell whose B side has no cost data, and writes the same numbers to CSV', () => {
    const rows = rowsByHeader(html, 'compare-table');
    const cpu = rows.find(
      (r) => r.attrs['data-cell'] === 'NCA=1200' && r.attrs['data-quantity'] === 'comp cpu',
    );
    assert.equal(cpu?.byHeader.get('B')?.text, 'n/a');
    assert.equal(cpu.byHeader.get('B runs')?.value, 0);
    assert.equal(cpu.byHeader.get('change')?.text, 'n/a');
    assert.match(html, /1 cell\(s\) lack data on one side/);
    const line = csv.find((r) => r.cell === 'NCA=1200' && r.quantity === 'comp cpu');
    assert.equal(line?.b, '');
    assert.equal(line.runsB, '0');
    assert.equal(csv.length, rows.length);
  });

  it('leaves invalid runs out by default and says so', async () => {
    const r = await writeCompareReport(join(dir, 'a'), join(dir, 'b'), {
      out: join(dir, 'default.html'),
      png: false,
    });
    const page = await readFile(r.html, 'utf8');
    assert.match(page, /slower \([^)]*\): 10 run\(s\), 0 failed, 5 invalid/);
    assert.match(
      page,
      /invalid runs are left out \(A 0, B 5; kos-test report --compare --include-invalid includes them\)/,
    );
    const rows = rowsByHeader(page, 'compare-table');
    const p99 = rows.find(
      (x) => x.attrs['data-cell'] === 'NCA=1200' && x.attrs['data-quantity'] === 'latency p99',
    );
    assert.equal(p99?.byHeader.get('B runs')?.value, 0, "B's invalid runs at NCA 1200 are not compared");
    assert.equal(p99.byHeader.get('A runs')?.value, 5);
  });
});
