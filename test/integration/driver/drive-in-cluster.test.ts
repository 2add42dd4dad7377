import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSelfSignedCert } from '../../support/self-signed.js';
import { driveTarget } from '../../../src/cli/drive-target.js';
import { kubeconfigClient } from '../../../src/kube/kubeconfig-client.js';

const SA_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';

// A pod's view, made real: a TLS apiserver on loopback whose CA and token sit where the kubelet
// mounts them (under a prefix), and the two variables the kubelet sets.
describe('the driver in a pod uses its service account when no kubeconfig is given', () => {
  let dir = '';
  let server: Server;
  let port = 0;
  const seen: { auth: string | undefined; path: string | undefined }[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-incluster-'));
    const sa = join(dir, SA_DIR);
    await mkdir(sa, { recursive: true });
    writeSelfSignedCert(join(dir, 'key.pem'), join(sa, 'ca.crt'));
    await writeFile(join(sa, 'token'), 'pod-token-123');
    await writeFile(join(sa, 'namespace'), 'kos-test\n');
    server = createServer(
      { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(sa, 'ca.crt')) },
      (req, res) => {
        seen.push({ auth: req.headers.authorization, path: req.url });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }));
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const podEnv = (): NodeJS.ProcessEnv => ({
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: String(port),
    HOME: join(dir, 'no-home'),
  });

  it('talks TLS to the service address with the mounted CA and bearer token', async () => {
    const target = driveTarget(undefined, podEnv(), dir);
    assert.ok('kubeConfig' in target, 'in-cluster config chosen');
    assert.equal(
      target.kubeConfig.getContextObject(target.kubeConfig.getCurrentContext())?.namespace,
      'kos-test',
    );
    const { client, server: url } = await kubeconfigClient(target.kubeConfig);
    try {
      assert.equal(url, `https://127.0.0.1:${port}`);
      const answer = await client.request<{ kind: string }>('GET', '/api');
      assert.equal(answer.kind, 'APIVersions');
    } finally {
      await client.close();
    }
    assert.deepEqual(seen.at(-1), { auth: 'Bearer pod-token-123', path: '/api' });
  });

  it('prefers a kubeconfig that was asked for, even in a pod', () => {
    const env = { ...podEnv(), KUBECONFIG: join(dir, 'mounted', 'config') };
    assert.deepEqual(driveTarget(undefined, env, dir), { kubeconfigPath: join(dir, 'mounted', 'config') });
    assert.deepEqual(driveTarget(join(dir, 'flag'), podEnv(), dir), { kubeconfigPath: join(dir, 'flag') });
  });

  it('outside a pod (no token mounted) keeps the usual kubeconfig path', () => {
    const target = driveTarget(undefined, podEnv(), join(dir, 'elsewhere'));
    assert.ok('kubeconfigPath' in target);
  });
});
