import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHASES } from '../../../src/measure/phase-window.js';
import { VERDICT_FILE, type VerdictFile } from '../../../src/experiment/verdict/verdict.js';
import { parseCsv } from '../../../src/util/csv.js';
import { writeRunReport } from '../../../src/report/run-report.js';
import { rowsByHeader } from '../../support/report-html.js';
import { writeRunFixture, type RunFixture } from '../../support/run-summary-fixture.js';
import { faultRunOf, readFulfilments } from '../../../src/experiment/faults/fault-analysis.js';
import { FAULTS_FILE } from '../../../src/experiment/faults/drive-with-faults.js';
import type { FaultRun } from '../../../src/measure/fault-record.js';

describe('per-run report from a driver summary alone', () => {
  let dir: string;
  let fixture: RunFixture;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-run-report-'));
    fixture = await writeRunFixture(join(dir, 'with-csv'), { attachmentsCsv: true });
    await writeRunFixture(join(dir, 'summary-only'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("shows every phase's window, rates, op counts and outcomes as the summary has them", async () => {
    const r = await writeRunReport(join(dir, 'summary-only'));
    const html = await readFile(r.html, 'utf8');
    const rows = rowsByHeader(html, 'phase-table');
    assert.deepEqual(
      rows.map((x) => x.attrs['data-phase']),
      [...PHASES],
    );
    for (const row of rows) {
      const p = fixture.summary.phases[row.attrs['data-phase'] as (typeof PHASES)[number]];
      const v = (h: string): number | null => row.byHeader.get(h)?.value ?? null;
      assert.equal(v('seconds'), (p.window.endMs - p.window.startMs) / 1000);
      assert.equal(v('target ops/s'), p.targetRate);
      assert.equal(v('achieved ops/s'), p.achievedRate);
      assert.equal(v('issued'), p.ops.issued);
      assert.equal(v('deletes'), p.ops.deletes);
      assert.equal(v('fulfilled'), p.outcomes.fulfilled);
    }
    const lat = rowsByHeader(html, 'latency-table').find(
      (x) => x.attrs['data-phase'] === 'cruise' && x.attrs['data-kind'] === 'fulfilment from planned',
    );
    const stats = fixture.summary.phases.cruise.latency.fulfilmentFromPlanned;
    assert.equal(lat?.byHeader.get('count')?.value, 600);
    assert.equal(lat.byHeader.get('p99 ms')?.value, stats.p99Ms);
    assert.equal(lat.byHeader.get('p99.9 ms')?.value, stats.p999Ms);
    assert.match(html, /No samples: [^<]*cooldown fulfilment from planned/);
    assert.ok(r.plots.includes('rate-per-phase'), 'without attachments.csv the rates are per phase');
    // The rate is judged once, in the verdict, not again as a warning (ADR 0035).
    assert.match(html, /data-code="rate-off-target"/);
    assert.doesNotMatch(html, /data-kind="rate-off-target"/);
  });

  it('opens with the verdict: judged from the summary alone, or as drive recorded it in verdict.json', async () => {
    const alone = await readFile((await writeRunReport(join(dir, 'summary-only'))).html, 'utf8');
    assert.ok(alone.indexOf('<section id="verdict">') < alone.indexOf('<section id="run">'), 'verdict first');
    assert.match(alone, /data-outcome="invalid"/);
    assert.match(alone, /data-code="rate-off-target"/);
    assert.match(alone, /judged from summary.json alone \(host load and costs not judged/);

    const recorded = join(dir, 'with-verdict');
    await writeRunFixture(recorded);
    const verdict: VerdictFile = {
      outcome: 'slo-failed',
      runs: 1,
      valid: 1,
      invalid: 0,
      failed: 0,
      slosPassed: 0,
      slosFailed: 1,
      verdicts: [
        {
          runId: fixture.summary.runId,
          label: null,
          validity: { status: 'valid', reasons: [] },
          slos: [
            {
              slo: 'fulfilment.p99<=1ms',
              status: 'fail',
              measured: 30,
              bound: 1,
              unit: 'ms',
              message: 'p99 30 ms',
            },
          ],
        },
      ],
    };
    await writeFile(join(recorded, VERDICT_FILE), JSON.stringify(verdict));
    const html = await readFile((await writeRunReport(recorded)).html, 'utf8');
    assert.match(html, /data-outcome="slo-failed"/);
    assert.match(html, /data-slo="fulfilment.p99&lt;=1ms"/);
    assert.match(html, /As judged by kos-test drive \(verdict.json\)/);
  });

  it('draws the histogram from the HDR buckets: bin counts add up to the samples', async () => {
    const r = await writeRunReport(join(dir, 'summary-only'));
    const bins = parseCsv(await readFile(join(r.filesDir, 'latency-histogram.csv'), 'utf8'));
    assert.equal(
      bins.reduce((s, b) => s + Number(b.count), 0),
      fixture.cruiseLatenciesMs.length,
    );
    // Below any bin edge, the bins hold the samples below it (HDR rounds within 0.1%).
    for (const edge of bins.map((b) => Number(b.highMs))) {
      const samples = fixture.cruiseLatenciesMs.filter((v) => v < edge).length;
      const binned = bins.filter((b) => Number(b.highMs) <= edge).reduce((s, b) => s + Number(b.count), 0);
      assert.ok(Math.abs(binned - samples) <= 2, `below ${edge} ms: ${binned} binned vs ${samples} samples`);
    }
  });

  it('plots rate over time from the per-attachment CSV when the driver wrote one', async () => {
    const r = await writeRunReport(join(dir, 'with-csv'), { out: join(dir, 'with-csv', 'r.html') });
    assert.ok(r.plots.includes('rate-over-time'));
    const rows = parseCsv(await readFile(join(r.filesDir, 'rate-over-time.csv'), 'utf8'));
    const total = (kind: string): number =>
      rows.filter((x) => x.kind === kind).reduce((s, x) => s + Number(x.perSecond), 0);
    assert.equal(total('creates sent'), 600);
    assert.equal(total('fulfilled'), 600 - 12, 'every 50th attachment has no fulfilled time');
    const steady = rows.filter((x) => x.kind === 'creates sent' && Number(x.t) < 59);
    assert.ok(steady.every((x) => x.perSecond === '10'));
  });
});

describe('per-run report of a drive --fault run', () => {
  let dir: string;
  let faults: FaultRun;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-run-report-fault-'));
    const f = await writeRunFixture(dir, { attachmentsCsv: true });
    const cruise = f.summary.phases.cruise.window;
    // A 5 s stop 30 s into the cruise, analysed by the driver's own code (as drive --fault does).
    const injectedMs = cruise.startMs + 30_000;
    faults = faultRunOf(
      'stop:agent-group@30s+5s',
      [
        {
          action: 'stop',
          target: 'agent-group',
          index: 0,
          process: 'comp-group0',
          pid: 4242,
          plannedMs: injectedMs,
          injectedMs,
          endedMs: injectedMs + 5_000,
          error: null,
        },
      ],
      await readFulfilments(dir),
      cruise,
    );
    await writeFile(join(dir, FAULTS_FILE), JSON.stringify(faults));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the fault and draws the latency over the cruise with the fault marked', async () => {
    const r = await writeRunReport(dir);
    const html = await readFile(r.html, 'utf8');
    const rows = rowsByHeader(html, 'fault-table');
    assert.equal(rows.length, 1);
    const row = rows[0];
    assert.equal(row?.byHeader.get('fault')?.text, 'stop comp-group0');
    assert.equal(row.byHeader.get('at (s into cruise)')?.value, 30);
    assert.equal(row.byHeader.get('lasted (s)')?.value, 5);
    assert.equal(row.byHeader.get('pre-fault p99 (ms)')?.value, faults.baselineP99Ms);
    assert.ok(r.plots.includes('fault-timeline-0'));
    assert.ok(!r.plots.includes('recovery-vs-nna'), 'one run has no NNA axis');
    assert.match(html, /id="plot-fault-timeline-0"/);
    const plotted = parseCsv(await readFile(join(r.filesDir, 'fault-timeline-0.csv'), 'utf8'));
    const at = (kind: string): number[] => plotted.filter((p) => p.kind === kind).map((p) => Number(p.tS));
    assert.equal(at('attachment').length, 600);
    assert.equal(plotted.filter((p) => p.kind === 'attachment' && p.latencyMs === '').length, 12);
    assert.deepEqual(at('fault-start'), [30]);
    assert.deepEqual(at('fault-end'), [35]);
    const recoveredAt = faults.events[0]?.recoveredAtMs ?? null;
    const cruiseStart = (await readFulfilments(dir))[0]?.plannedMs ?? 0;
    assert.deepEqual(at('recovered'), recoveredAt === null ? [] : [(recoveredAt - cruiseStart) / 1000]);
  });

  it('judges the run from its faults too: fault-injected, not a steady-state point', async () => {
    const html = await readFile((await writeRunReport(dir)).html, 'utf8');
    assert.match(html, /data-code="fault-injected"/);
    assert.match(html, /fault stop:agent-group@30s\+5s injected \(stop comp-group0 at \+30\.0 s\)/);
  });
});
