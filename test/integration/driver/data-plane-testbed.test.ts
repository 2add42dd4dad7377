import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NetworkAttachment } from '../../../src/api/kos-types.js';
import { opsDir } from '../../../src/util/ops-dir.js';
import { isConflict } from '../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../src/kube/rest-client.js';
import { runDrive, type DriveOptionsInput } from '../../../src/driver/run-drive.js';
import type { TestSummary } from '../../../src/driver/data-plane/test-summary.js';
import { ATTACHMENTS } from '../../../src/testbed/comp/attachment.js';
import { listNetns } from '../../../src/testbed/data-plane/linux-fabric.js';
import { dataPlanePrefix } from '../../../src/testbed/data-plane/names.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import { freshSeed } from '../../support/fresh-seed.js';
import { assertDataPlaneSupported } from '../../support/data-plane-support.js';

type Att = NetworkAttachment & { metadata: { name: string; namespace: string } };

const sum = (t: TestSummary, k: 'carried' | 'tested' | 'testFailed' | 'untested'): number =>
  t.full[k] + t.setupOnly[k];

describe('data-plane tests driven on the testbed (root: real interfaces and pings)', () => {
  let dir: string;
  let testbed: Testbed;
  let seed = 300;

  before(async () => {
    assertDataPlaneSupported();
    dir = await mkdtemp(join(tmpdir(), 'kos-test-dp-'));
    testbed = await Testbed.up({
      dir: join(dir, 'tb'),
      config: { nca: 4, agentsPerGroup: 2, prometheus: false },
    });
  });
  after(async () => {
    await testbed.down();
    const left = (await listNetns()).filter(
      (n) => n.startsWith(dataPlanePrefix(join(dir, 'tb'))) || n.startsWith('dp-'),
    );
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(left, [], 'testbed down leaves no namespace of its own nor of its tests');
  });

  const base = (runId: string): DriveOptionsInput => ({
    runId,
    outDir: join(dir, 'out'),
    metricsPort: 0,
    waitAfterDelete: 1000,
    seed: freshSeed(++seed * 1000),
    testCommandDir: join(opsDir(), 'test-scripts'),
    numNets: 2,
    topNetSize: 40,
    rate: 20,
  });

  it('20 ops/s, test fraction 0.5: every test that reports passes, and carried = tested + failed + untested', async () => {
    const s = await runDrive(
      { ...base('dp-pass'), numAttachments: 160, testFraction: 0.5 },
      { kubeconfigPath: testbed.kubeconfigPath },
    );
    assert.equal(s.ending, 'completed', JSON.stringify(s.stopped));
    const t = s.tests;
    assert.ok(t !== undefined);
    assert.equal(sum(t, 'testFailed'), 0);
    assert.ok(t.full.tested >= 20, `full tests passed: ${t.full.tested}`);
    assert.ok(t.setupOnly.tested >= 2, 'each VN starts with a setup-only test');
    assert.equal(sum(t, 'tested') + sum(t, 'testFailed') + sum(t, 'untested'), sum(t, 'carried'));
    assert.equal(t.latency.createToTested.count, t.full.tested);
    assert.ok(t.latency.readyToTested.count > 0);
    assert.equal(t.addressProblems.duplicates + t.addressProblems.outOfSubnet, 0);
  });

  it('a duplicate address injected through the API is caught, and --stop-on-break stops the run', async () => {
    const client = new RestClient({ server: testbed.frontUrls[0] ?? '' });
    try {
      const run = runDrive(
        { ...base('dp-dup'), numAttachments: 400, testFraction: 0.1, stopOnBreak: true },
        { kubeconfigPath: testbed.kubeconfigPath },
      );
      // Once the warm-up is in, give one attachment the address of another of its VN.
      for (let tries = 0; ; tries++) {
        await new Promise((r) => setTimeout(r, 500));
        const list = await client.list<Att>({ ...ATTACHMENTS, namespace: 'dp-dup' });
        const addressed = list.items.filter(
          (a) => (a.status?.ipv4 ?? '') !== '' && a.metadata.deletionTimestamp === undefined,
        );
        const byVni = new Map<number, Att[]>();
        for (const a of addressed)
          byVni.set(a.status?.addressVNI ?? 0, [...(byVni.get(a.status?.addressVNI ?? 0) ?? []), a]);
        const pair = [...byVni.values()].find((v) => v.length >= 2);
        if (pair === undefined) {
          assert.ok(tries < 60, 'no two addressed attachments of one VN');
          continue;
        }
        const [a, b] = pair as [Att, Att];
        try {
          await client.update(
            { ...ATTACHMENTS, namespace: 'dp-dup', name: b.metadata.name, subresource: 'status' },
            {
              ...b,
              status: { ...b.status, ipv4: a.status?.ipv4 },
            },
          );
          break;
        } catch (e: unknown) {
          if (!isConflict(e)) throw e;
        }
      }
      const s = await run;
      assert.ok((s.tests?.addressProblems.duplicates ?? 0) >= 1, JSON.stringify(s.tests?.addressProblems));
      assert.equal(s.ending, 'interrupted');
      assert.match(s.stopped?.reason ?? '', /address problem \(--stop-on-break\): .* held by attachments/);
      assert.ok(s.total.ops.dropped > 0, 'no more ops after the stop');
    } finally {
      await client.close();
    }
  });
});
