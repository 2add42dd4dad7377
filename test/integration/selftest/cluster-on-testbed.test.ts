import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { nodePurposesFromKube } from '../../../src/costs/kube-node-purposes.js';
import { runClusterSelftest, type ClusterSelftestOptions } from '../../../src/selftest/cluster-selftest.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));
const execFileAsync = promisify(execFile);

describe('the selftest cluster checks against a testbed posing as a cluster', () => {
  let dir = '';
  let testbed: Testbed;
  let base: ClusterSelftestOptions;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-selftest-cluster-'));
    testbed = await Testbed.up({ dir: join(dir, 'testbed'), config: { nca: 2, nna: 1, nka: 1 } });
    base = {
      kubeconfigPath: testbed.kubeconfigPath,
      prometheusUrl: testbed.prometheusUrl ?? '',
      plannedOps: 40,
      trialSeconds: 12,
      // This machine is shared with other builds: a probe's round trip can take a few ms, and
      // the pacer alone is late by 10+ ms at times (the check itself is right to say so).
      maxOffsetUncertaintyMs: 25,
      lateThresholdMs: 100,
      outDir: join(dir, 'drives'),
    };
    // A series' scrape interval is read from its samples: a few scrapes (1 s apart) first.
    await new Promise((resolve) => setTimeout(resolve, 4000));
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes every cluster check on a healthy target', async (t) => {
    const report = await runClusterSelftest(base);
    for (const c of report.checks)
      t.diagnostic(`${c.check}: ${c.measured} (${c.pass ? 'pass' : 'FAIL'}) ${c.note ?? ''}`);
    assert.deepEqual(
      report.checks.filter((c) => !c.pass).map((c) => c.check),
      [],
    );
    assert.deepEqual(
      report.checks.map((c) => c.check),
      [
        'node purposes classified',
        'fresh cost samples: comp',
        'fresh cost samples: nctrl',
        'fresh cost samples: napi',
        'fresh cost samples: netcd',
        'fresh cost samples: kctrl',
        'fresh cost samples: kapi',
        'fresh cost samples: ketcd',
        'driver lateness headroom at 40 ops/s',
        'clock offset to the apiserver measured',
        'trial drive at 4 ops/s: counts add up',
      ],
    );
  });

  it('fails the purpose whose node the cost labels put elsewhere', async () => {
    const real = await nodePurposesFromKube(testbed.kubeconfigPath);
    const report = await runClusterSelftest({
      ...base,
      trialSeconds: 6,
      nodePurposes: () => Promise.resolve({ ...real, nctrl0: 'kctrl' }),
    });
    const failed = report.checks.filter((c) => !c.pass).map((c) => c.check);
    assert.deepEqual(failed, ['fresh cost samples: nctrl']);
  });

  it('kos-test experiment run with selftest: true refuses to start when a check fails', async () => {
    const spec = join(dir, 'spec.yaml');
    await writeFile(
      spec,
      `name: st
X: 4
factors: { OPS: [4], NCA: [1], POP: [1X], NNA: [1], NKA: [1] }
cruise: 4s
selftest: true
target:
  kind: cluster
  kubeconfig: ${testbed.kubeconfigPath}
  prometheusUrl: http://127.0.0.1:9
  interfaces: lo
`,
    );
    const out = join(dir, 'sweep');
    const r = await execFileAsync(process.execPath, [cli, 'experiment', 'run', spec, '--out', out], {
      timeout: 180_000,
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (e: unknown) => {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
      },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the cluster failed the selftest: the sweep did not start/);
    assert.match(r.stdout, /fresh cost samples +a measurement +error: .*FAIL/);
    await assert.rejects(access(join(out, 'results.jsonl')), 'no sweep was started');
  });
});
