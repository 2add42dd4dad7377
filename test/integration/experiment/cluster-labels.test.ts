import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { applyCompLabels } from '../../../src/experiment/target/cluster-target.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';

describe("the cluster target's comp labelling, through @kubernetes/client-node against the testbed's kube front", () => {
  let dir: string;
  let testbed: Testbed;
  let core: CoreV1Api;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-labels-'));
    testbed = await Testbed.up({ dir, config: { nca: 6, prometheus: false } });
    const kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  const comps = async (value: string): Promise<string[]> =>
    (await core.listNode({ labelSelector: `kos-role/comp=${value}` })).items
      .map((n) => n.metadata?.name ?? '')
      .sort();

  for (const [nca, changes] of [
    [3, 3],
    [5, 2],
    [5, 0],
    [0, 5],
  ] as const) {
    it(`labels exactly ${nca} of the 6 candidates kos-role/comp=true with ${changes} patches`, async () => {
      const signal = new AbortController().signal;
      assert.equal(await applyCompLabels(core, 'kos-role/comp', nca, signal), changes);
      const yes = await comps('true');
      assert.equal(yes.length, nca);
      assert.equal((await comps('false')).length, 6 - nca);
      // The first NCA by name: the same nodes on every rerun.
      const all = [...yes, ...(await comps('false'))].sort();
      assert.deepEqual(yes, all.slice(0, nca));
    });
  }
});
