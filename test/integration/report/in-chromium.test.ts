import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { writeCompareReport } from '../../../src/report/compare-report.js';
import { writeRunReport } from '../../../src/report/run-report.js';
import { writeSweepReport } from '../../../src/report/sweep-report.js';
import { CHROMIUM, processesUsing, withChromium, type OpenedPage } from '../../support/headless-chromium.js';
import { writeRunFixture } from '../../support/run-summary-fixture.js';
import { writeSweepFixture } from '../../support/sweep-fixture.js';

/** Screenshots stay after the run for a person to look at. */
const SHOTS = resolve('out', 'report-screenshots');

interface DrawnPlot {
  name: string;
  width: number;
  height: number;
  /** Vega mark items (paths, symbols, rects, text) with a non-empty box. */
  marks: number;
}

/** Runs in the page (plain JS: the project compiles without DOM types). */
const MEASURE_PLOTS = `[...document.querySelectorAll('figure[data-plot]')].map((f) => {
  const svg = f.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const marks = svg
    ? [...svg.querySelectorAll('.role-mark path, .role-mark rect, .role-mark text')].filter((m) => {
        const b = m.getBBox();
        return b.width > 0 || b.height > 0;
      }).length
    : 0;
  return { name: f.getAttribute('data-plot'), width: box.width, height: box.height, marks };
})`;

async function drawnPlots(page: Page): Promise<DrawnPlot[]> {
  return page.evaluate<DrawnPlot[]>(MEASURE_PLOTS);
}

function assertClean(o: OpenedPage, what: string): void {
  assert.deepEqual(o.errors, [], `${what}: console errors`);
  assert.deepEqual(o.blocked, [], `${what}: tried to reach the network`);
}

async function assertAllDrawn(page: Page, expected: readonly string[]): Promise<void> {
  const plots = await drawnPlots(page);
  assert.deepEqual(
    plots.map((p) => p.name),
    expected,
  );
  for (const p of plots) {
    assert.ok(p.width > 100 && p.height > 100, `${p.name}: ${p.width}x${p.height}`);
    assert.ok(p.marks > 0, `${p.name}: ${p.marks} marks drawn`);
  }
}

describe('reports open in headless Chromium', () => {
  let dir: string;
  before(async () => {
    await access(CHROMIUM);
    dir = await mkdtemp(join(tmpdir(), 'kos-report-chromium-'));
    await mkdir(SHOTS, { recursive: true });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('draws the sweep, compare and per-run reports with no console errors, then leaves no browser running', async () => {
    const grid = { OPS: [10, 20, 40], NCA: [600, 1200] };
    await writeSweepFixture(join(dir, 'a'), {
      sweepId: 'before',
      grid,
      replicates: 2,
      seed: 31,
      runs: { 3: { fail: true }, 4: { noCosts: true }, 5: { noCosts: true }, 8: { partialCosts: true } },
    });
    await writeSweepFixture(join(dir, 'b'), {
      sweepId: 'after',
      grid,
      replicates: 2,
      seed: 32,
      latencyScale: 1.3,
    });
    const sweep = await writeSweepReport(join(dir, 'a'));
    const compare = await writeCompareReport(join(dir, 'a'), join(dir, 'b'), {
      out: join(dir, 'compare.html'),
    });
    await writeRunFixture(join(dir, 'run'), { attachmentsCsv: true });
    const run = await writeRunReport(join(dir, 'run'));

    let profile = '';
    await withChromium(async (c) => {
      profile = c.profileDir;
      const s = await c.open(pathToFileURL(sweep.html).href);
      assertClean(s, 'sweep report');
      await assertAllDrawn(s.page, sweep.plots);
      // The gaps are visible: the failed run's row and a cost plot's no-data markers (NCA=600 at OPS=20).
      assert.equal(await s.page.locator('#run-table tr.failed').count(), 1);
      assert.ok((await s.page.locator('#run-table .gap').count()) >= 7);
      assert.ok((await s.page.locator('#plot-cost-cpu-vs-ops .mark-symbol path').count()) > 0);
      await s.page.screenshot({ path: join(SHOTS, 'sweep-top.png') });
      await s.page
        .locator('#plot-latency-vs-nca')
        .screenshot({ path: join(SHOTS, 'sweep-latency-vs-nca.png') });
      await s.page
        .locator('#plot-cost-cpu-vs-ops')
        .screenshot({ path: join(SHOTS, 'sweep-cost-cpu-vs-ops.png') });

      const cmp = await c.open(pathToFileURL(compare.html).href);
      assertClean(cmp, 'compare report');
      await assertAllDrawn(cmp.page, compare.plots);
      await cmp.page.screenshot({ path: join(SHOTS, 'compare.png') });
      await cmp.page.locator('#plot-compare-change').screenshot({ path: join(SHOTS, 'compare-change.png') });

      const r = await c.open(pathToFileURL(run.html).href);
      assertClean(r, 'run report');
      await assertAllDrawn(r.page, run.plots);
      await r.page.screenshot({ path: join(SHOTS, 'run.png'), fullPage: true });
      assert.ok((await processesUsing(c.profileDir)).length > 0, 'the browser runs with our profile');
    });
    assert.deepEqual(await processesUsing(profile), [], 'no Chromium process left');
    for (const f of ['sweep-top.png', 'compare.png', 'run.png']) await access(join(SHOTS, f));
  });

  it('closes Chromium when the test body throws', async () => {
    let profile = '';
    await assert.rejects(
      withChromium(async (c) => {
        profile = c.profileDir;
        await c.open('about:blank');
        throw new Error('test body failed');
      }),
      /test body failed/,
    );
    assert.notEqual(profile, '');
    assert.deepEqual(await processesUsing(profile), []);
  });
});
