import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import type { RunRecord } from '../../../src/experiment/store/run-record.js';
import { decodeHistogram, latencyStats, mergeHistograms } from '../../../src/measure/histogram.js';
import { parseCsv } from '../../../src/util/csv.js';
import { writeSweepReport } from '../../../src/report/sweep-report.js';
import { rowsByHeader } from '../../support/report-html.js';
import { writeSweepFixture } from '../../support/sweep-fixture.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('sweep report from a recorded sweep', () => {
  let dir: string;
  let records: RunRecord[];
  let html: string;
  let files: string;
  let plots: string[];
  const FAILED = 3;
  const NO_COSTS = 5;
  const PARTIAL = 7;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-report-'));
    records = await writeSweepFixture(join(dir, 'sweep'), {
      sweepId: 'files',
      grid: { OPS: [10, 20, 40], NCA: [600, 1200] },
      replicates: 2,
      seed: 17,
      runs: {
        [FAILED]: { fail: true },
        [NO_COSTS]: { noCosts: true },
        [PARTIAL]: { partialCosts: true, achievedRatio: 0.9 },
      },
    });
    const r = await writeSweepReport(join(dir, 'sweep'), { out: join(dir, 'out', 'report.html') });
    html = await readFile(r.html, 'utf8');
    files = r.filesDir;
    plots = r.plots;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every plot as SVG, PNG and CSV beside the page', async () => {
    assert.equal(plots.length, 2 + 2 + 2 * 7, 'latency per factor, CDF + tail, 7 cost metrics per factor');
    for (const p of plots) {
      const svg = await readFile(join(files, `${p}.svg`), 'utf8');
      assert.match(svg, /^<svg[^>]+width="\d+"[^>]+height="\d+"/, p);
      const png = await readFile(join(files, `${p}.png`));
      assert.deepEqual(png.subarray(0, 8), PNG_MAGIC, `${p}.png`);
      await access(join(files, `${p}.csv`));
      assert.ok(html.includes(`data-plot="${p}"`), `${p} inlined`);
    }
  });

  it('opens with the verdict: the outcome, then each run not valid with its reasons', () => {
    assert.ok(html.indexOf('<section id="verdict">') < html.indexOf('<section id="spec">'), 'verdict first');
    assert.match(html, /id="verdict-outcome" data-outcome="failed"><b>FAILED RUNS/);
    assert.match(html, /failed: 12 run\(s\), 9 valid, 2 invalid, 1 failed/);
    const flagged = [...html.matchAll(/<li data-run="([^"]+)" data-validity="(\w+)">/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    assert.deepEqual(flagged, [
      `${records[FAILED]?.runId} failed`,
      `${records[NO_COSTS]?.runId} invalid`,
      `${records[PARTIAL]?.runId} invalid`,
    ]);
    const partial = html.slice(html.indexOf(`data-run="${records[PARTIAL]?.runId}" data-validity`));
    assert.match(partial, /^[^]*?data-code="rate-off-target"[^]*?data-code="costs-partial"/);
    assert.match(
      html,
      /2 invalid run\(s\) left out of these fits \(kos-test report --include-invalid fits them too\)/,
    );
  });

  it('is self-contained: no scripts, stylesheets or images fetched from anywhere', () => {
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|src="/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it("shows each run's achieved rate, counts and latency percentiles as recorded", () => {
    const rows = rowsByHeader(html, 'run-table');
    assert.equal(rows.length, records.length);
    for (const rec of records) {
      const row = rows.find((r) => r.attrs['data-run'] === rec.runId);
      assert.ok(row, rec.runId);
      const v = (h: string): number | null => row.byHeader.get(h)?.value ?? null;
      assert.equal(v('OPS'), rec.factors.OPS);
      assert.equal(v('NCA'), rec.factors.NCA);
      if (rec.drive === null) continue;
      const c = rec.drive.cruise;
      assert.equal(v('target ops/s'), c.targetRate);
      assert.equal(v('achieved ops/s'), c.achievedRate);
      assert.equal(v('issued'), c.ops.issued);
      assert.equal(v('fulfilled'), c.outcomes.fulfilled);
      assert.equal(v('p50 ms'), c.latency.fulfilmentFromPlanned.p50Ms);
      assert.equal(v('p99 ms'), c.latency.fulfilmentFromPlanned.p99Ms);
      assert.equal(v('max ms'), c.latency.fulfilmentFromPlanned.maxMs);
      assert.equal(
        row.byHeader.get('p99 ms')?.text,
        String(Number(c.latency.fulfilmentFromPlanned.p99Ms?.toPrecision(4))),
      );
    }
  });

  it('marks the failed run, the run without costs and the partial one, and still reports the rest', () => {
    const rows = rowsByHeader(html, 'run-table');
    const failed = rows.find((r) => r.attrs['data-run'] === records[FAILED]?.runId);
    assert.equal(failed?.attrs.class, 'failed');
    assert.equal(failed.byHeader.get('status')?.text, 'failed');
    assert.equal(failed.byHeader.get('p99 ms')?.text, 'n/a');
    assert.equal(failed.byHeader.get('p99 ms')?.cls, 'gap-cell');
    assert.equal(
      rows.find((r) => r.attrs['data-run'] === records[NO_COSTS]?.runId)?.byHeader.get('costs')?.text,
      'missing',
    );
    assert.equal(
      rows.find((r) => r.attrs['data-run'] === records[PARTIAL]?.runId)?.byHeader.get('costs')?.text,
      'partial',
    );
    // Each fact once: in the verdict's reasons, not again as a warning (ADR 0035).
    const verdictOf = (i: number): string => {
      const start = html.indexOf(`<li data-run="${records[i]?.runId ?? '?'}" data-validity=`);
      return start < 0 ? '' : html.slice(start, html.indexOf('</ul></li>', start));
    };
    assert.match(verdictOf(FAILED), /data-code="run-failed"/);
    assert.match(verdictOf(NO_COSTS), /data-code="costs-missing"/);
    assert.match(verdictOf(PARTIAL), /data-code="rate-off-target"[^]*data-code="costs-partial"/);
    assert.match(
      html,
      /nothing usable measured: testbed configure failed: napi1 did not become ready within 30 s/,
    );
    assert.doesNotMatch(html, /<li data-run="[^"]*" data-kind=/, 'no warning repeats a reason');
    assert.match(html, /Nothing beyond the verdict’s reasons/);
  });

  it("plots each cell's latency percentiles from the union of its replicates' histograms", async () => {
    const csv = parseCsv(await readFile(join(files, 'latency-vs-ops.csv'), 'utf8'));
    for (const row of csv.filter((r) => r.percentile === 'p99')) {
      const ops = Number(row.x);
      const nca = Number(/NCA=(\d+)/.exec(row.series ?? '')?.[1]);
      const cell = records.filter((r) => r.factors.OPS === ops && r.factors.NCA === nca && r.drive !== null);
      const merged = latencyStats(
        mergeHistograms(
          cell.map((r) => decodeHistogram(r.drive?.cruise.latency.fulfilmentFromPlanned.histogram ?? '')),
        ),
      );
      assert.equal(Number(row.valueMs), merged.p99Ms, `OPS=${ops} NCA=${nca}`);
      assert.equal(Number(row.runs), cell.length);
    }
    const failedCell = records[FAILED]?.factors;
    const point = csv.find(
      (r) =>
        Number(r.x) === failedCell?.OPS && r.series === `NCA=${failedCell.NCA}` && r.percentile === 'p50',
    );
    assert.equal(point?.runs, '1', 'the failed replicate contributes nothing');
  });

  it('plots the per-purpose cost means of the runs with data, and leaves cells without data empty', async () => {
    const csv = parseCsv(await readFile(join(files, 'cost-cpu-vs-ops.csv'), 'utf8'));
    for (const row of csv) {
      const cell = records.filter(
        (r) => r.factors.OPS === Number(row.x) && `NCA=${r.factors.NCA}` === row.series,
      );
      const values = cell.flatMap((r) => {
        const p = r.costs?.purposes.find((x) => x.purpose === row.purpose);
        return p === undefined || p.nodesWithData === 0 || p.mean.cpuCores === null ? [] : [p.mean.cpuCores];
      });
      assert.equal(Number(row.runsWithData), values.length, `${row.purpose} ${row.x} ${row.series}`);
      if (values.length === 0) assert.equal(row.value, '');
      else assert.ok(Math.abs(Number(row.value) - values.reduce((a, b) => a + b, 0) / values.length) < 1e-12);
    }
    // Run 7 (OPS=20 NCA=1200 replicate 1) has no napi data; its partner does.
    const napi = csv.find((r) => r.purpose === 'napi' && r.x === '20' && r.series === 'NCA=1200');
    assert.equal(napi?.runsWithData, '1');
  });

  it('writes the scaling table with slopes near the generating exponents', async () => {
    const csv = parseCsv(await readFile(join(files, 'scaling-table.csv'), 'utf8'));
    const comp = csv.find((r) => r.subject === 'comp' && r.quantity === 'cpu' && r.factor === 'OPS');
    assert.ok(comp && Math.abs(Number(comp.k) - 0.8) < 0.05, `k ${comp?.k}`);
    assert.equal(
      comp.points,
      '9',
      '12 runs less the failed one, the one without costs and the invalid partial one (left out of fits)',
    );
    const shown = rowsByHeader(html, 'scaling-table').find(
      (r) =>
        r.attrs['data-subject'] === 'comp' &&
        r.attrs['data-quantity'] === 'cpu' &&
        r.attrs['data-factor'] === 'OPS',
    );
    assert.equal(shown?.byHeader.get('k')?.value, Number(comp.k));
  });
});

describe('sweep report refreshed after a run', () => {
  it('writes the same page for the same results, and a new one when a run is added', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-report-refresh-'));
    try {
      const records = await writeSweepFixture(dir, {
        sweepId: 'refresh',
        grid: { OPS: [10, 20] },
        replicates: 1,
        seed: 3,
      });
      const first = await readFile((await writeSweepReport(dir, { png: false })).html, 'utf8');
      const again = await readFile((await writeSweepReport(dir, { png: false })).html, 'utf8');
      assert.equal(again, first, 'deterministic: a refresh with nothing new changes nothing');
      await writeFile(join(dir, 'results.jsonl'), `${JSON.stringify(records[0])}\n`);
      const fewer = await readFile((await writeSweepReport(dir, { png: false })).html, 'utf8');
      assert.equal(rowsByHeader(fewer, 'run-table').length, 1);
      assert.equal(rowsByHeader(first, 'run-table').length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sweep report before any run has finished', () => {
  it('writes a page that says so, with no plots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-report-empty-'));
    try {
      await writeFile(join(dir, 'results.jsonl'), '');
      await writeFile(join(dir, 'spec.yaml'), 'name: empty\n');
      await writeFile(join(dir, 'sweep.json'), JSON.stringify({ sweepId: 'empty-1', seed: 7, createdMs: 0 }));
      const r = await writeSweepReport(dir);
      assert.deepEqual(r.plots, []);
      const html = await readFile(r.html, 'utf8');
      assert.match(html, /<title>kos-test sweep empty-1<\/title>/);
      assert.match(html, /0 \(no run has finished yet\)/);
      assert.match(html, /No run has latency samples/);
      assert.match(html, /<pre>name: empty\n<\/pre>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kos-test report on bad input', () => {
  async function run(args: string[]): Promise<{ code: number; err: string }> {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (s: string | Uint8Array): boolean => {
      lines.push(String(s));
      return true;
    };
    try {
      return { code: await main(['node', 'kos-test', 'report', ...args]), err: lines.join('') };
    } finally {
      process.stderr.write = write;
    }
  }

  it('refuses --compare with other than two directories, and two modes at once', async () => {
    const one = await run(['--compare', 'only-one']);
    assert.equal(one.code, 1);
    assert.match(one.err, /bad --compare: only-one \(give exactly two sweep directories/);
    const both = await run(['some-sweep', '--run', 'some-run']);
    assert.equal(both.code, 1);
    assert.match(
      both.err,
      /exactly one of: a sweep directory, --run <dir>, --compare <A> <B>: more than one given/,
    );
    const noSummary = await run(['--run', join(tmpdir(), 'no-such-run-dir')]);
    assert.equal(noSummary.code, 1);
    assert.match(noSummary.err, /cannot read the driver summary: .*no-such-run-dir\/summary\.json/);
  });

  it('names the bad results line, exits non-zero and writes no report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-report-bad-'));
    try {
      const records = await writeSweepFixture(dir, { sweepId: 'bad', grid: {}, replicates: 2, seed: 1 });
      const broken = { ...records[1], factors: { ...records[1]?.factors, OPS: -5 } };
      await writeFile(
        join(dir, 'results.jsonl'),
        `${JSON.stringify(records[0])}\n${JSON.stringify(broken)}\n`,
      );
      const r = await run([dir]);
      assert.equal(r.code, 1);
      assert.match(r.err, /bad results line 2 in .*results\.jsonl: factors\.OPS: /);
      await assert.rejects(access(join(dir, 'report.html')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
