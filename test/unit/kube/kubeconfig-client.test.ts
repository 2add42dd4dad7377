import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubeconfigClient } from '../../../src/kube/kubeconfig-client.js';

describe('a kubeconfig the driver cannot use', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-kubeconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused in one line naming the file, its current context and the fix', async () => {
    const noContext = join(dir, 'no-context.yaml');
    await writeFile(noContext, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    await assert.rejects(kubeconfigClient(noContext), {
      message: `the kubeconfig has no current cluster: ${noContext}, current-context (none) (set current-context to a context with a cluster, e.g. kubectl config use-context NAME)`,
    });
    const dangling = join(dir, 'dangling.yaml');
    await writeFile(
      dangling,
      'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: [{name: kos, context: {cluster: gone, user: u}}]\ncurrent-context: kos\nusers: [{name: u, user: {}}]\n',
    );
    await assert.rejects(
      kubeconfigClient(dangling),
      /no current cluster: .*dangling\.yaml, current-context kos \(/,
    );
    await assert.rejects(
      kubeconfigClient(join(dir, 'absent.yaml')),
      /no kubeconfig at: .*absent\.yaml \(give --kubeconfig/,
    );
  });
});
