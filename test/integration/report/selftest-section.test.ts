import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSweepReport } from '../../../src/report/sweep-report.js';
import { SELFTEST_FILE, type SelftestReport } from '../../../src/selftest/check-result.js';
import { KosTestError } from '../../../src/util/errors.js';
import { writeSweepFixture } from '../../support/sweep-fixture.js';

const selftest: SelftestReport = {
  schema: 'kos-test/selftest/v1',
  target: 'cluster',
  startedAt: '2026-12-06T21:00:00.000Z',
  seconds: 41,
  pass: false,
  checks: [
    {
      check: 'clock offset to the apiserver measured',
      expected: 'uncertainty <= 5.00 ms',
      measured: '0.31 ms +- 0.42 (7 probes)',
      pass: true,
    },
    {
      check: 'fresh cost samples: napi',
      expected: 'every node scraped < 2 intervals ago',
      measured: 'no samples',
      pass: false,
      note: 'no samples: napi0',
    },
  ],
};

describe('the sweep report shows the selftest under the environment', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-report-selftest-'));
    await writeSweepFixture(join(dir, 'sweep'), {
      sweepId: 'st',
      grid: { OPS: [10, 20] },
      replicates: 1,
      seed: 3,
    });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says that no selftest ran when the sweep has none', async () => {
    const r = await writeSweepReport(join(dir, 'sweep'), { png: false });
    assert.match(await readFile(r.html, 'utf8'), /No selftest ran before this sweep/);
  });

  it('lists every check line, a failed one marked, inside the spec and environment section', async () => {
    await writeFile(join(dir, 'sweep', SELFTEST_FILE), JSON.stringify(selftest));
    const html = await readFile((await writeSweepReport(join(dir, 'sweep'), { png: false })).html, 'utf8');
    const section = html.slice(
      html.indexOf('<section id="spec">'),
      html.indexOf('</section>', html.indexOf('<section id="spec">')),
    );
    assert.match(section, /<table id="selftest">/);
    assert.match(section, /some checks FAILED/);
    assert.match(section, /<tr class="failed"><td>fresh cost samples: napi<\/td>/);
    assert.match(
      section,
      /<td>clock offset to the apiserver measured<\/td><td>uncertainty &lt;= 5.00 ms<\/td>/,
    );
  });

  it('refuses a selftest.json that is not a selftest report, in one line', async () => {
    await writeFile(join(dir, 'sweep', SELFTEST_FILE), JSON.stringify({ schema: 'something-else' }));
    await assert.rejects(writeSweepReport(join(dir, 'sweep'), { png: false }), (e: unknown) => {
      assert.ok(e instanceof KosTestError);
      assert.match(e.message, /bad selftest results/);
      return true;
    });
  });
});
