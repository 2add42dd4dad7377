import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { kubeconfigClient } from '../../../src/kube/kubeconfig-client.js';
import { KubeApiError } from '../../../src/kube/kube-api-error.js';

// An exec credential plugin, as EKS and GKE ship them: each call hands out the next token.
const PLUGIN = `
const fs = require('node:fs');
const counter = process.argv[2];
const n = Number(fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8') : '0') + 1;
fs.writeFileSync(counter, String(n));
const ttlMs = Number(process.argv[3]);
const status = { token: 'tok-' + n };
if (ttlMs > 0) status.expirationTimestamp = new Date(Date.now() + ttlMs).toISOString();
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status,
}));
`;

describe('a kubeconfig client re-reads credentials that expire', () => {
  let dir = '';
  let server: Server;
  let url = '';
  /** Tokens the server refuses, as an apiserver refuses expired ones. */
  const refused = new Set<string>();
  const seen: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-creds-'));
    await writeFile(join(dir, 'plugin.cjs'), PLUGIN);
    server = createServer((req: IncomingMessage, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      seen.push(token);
      const ok = !refused.has(token);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok
            ? { kind: 'APIVersions', versions: ['v1'] }
            : { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 },
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  async function kubeconfig(name: string, ttlMs: number): Promise<string> {
    const path = join(dir, `${name}.kubeconfig`);
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain http unless told to skip TLS checks, as the testbed's kubeconfig does.
      clusters: [{ name: 'c', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [
        {
          name: 'u',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: process.execPath,
              args: [join(dir, 'plugin.cjs'), join(dir, `${name}.count`), String(ttlMs)],
            },
          },
        },
      ],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    };
    await writeFile(path, JSON.stringify(config));
    return path;
  }

  it('picks up the plugin’s next token after the current one expires', async () => {
    const { client } = await kubeconfigClient(await kubeconfig('expiring', 300), {
      credentialRefreshMs: 100,
    });
    try {
      seen.length = 0;
      await client.request('GET', '/api');
      assert.equal(seen[0], 'tok-1');
      const deadline = Date.now() + 10_000;
      while (seen.at(-1) === 'tok-1' && Date.now() < deadline) {
        await sleep(100);
        await client.request('GET', '/api');
      }
      assert.match(seen.at(-1) ?? '', /^tok-[2-9]\d*$/);
    } finally {
      await client.close();
    }
  });

  it('re-reads at once when the apiserver answers 401, without waiting for the period', async () => {
    // No expiry given: client-node asks the plugin again on every read.
    const { client } = await kubeconfigClient(await kubeconfig('revoked', 0), {
      credentialRefreshMs: 3_600_000,
    });
    try {
      refused.add('tok-1');
      await assert.rejects(
        client.request('GET', '/api'),
        (e: unknown) => e instanceof KubeApiError && e.code === 401,
      );
      const deadline = Date.now() + 10_000;
      let answered = false;
      while (!answered && Date.now() < deadline) {
        await sleep(50);
        answered = await client.request('GET', '/api').then(
          () => true,
          () => false,
        );
      }
      assert.ok(answered, `still refused after 10 s; tokens sent: ${seen.join(', ')}`);
      assert.notEqual(seen.at(-1), 'tok-1');
    } finally {
      await client.close();
    }
  });

  it('the driver’s hot-path sender follows the refreshed credentials too', async () => {
    const { client } = await kubeconfigClient(await kubeconfig('sender', 0), {
      credentialRefreshMs: 3_600_000,
    });
    try {
      const sender = client.sender();
      refused.add('tok-1');
      await assert.rejects(
        sender.send('POST', '/api', '{}'),
        (e: unknown) => e instanceof KubeApiError && e.code === 401,
      );
      const deadline = Date.now() + 10_000;
      let answered = false;
      while (!answered && Date.now() < deadline) {
        await sleep(50);
        answered = await sender.send('POST', '/api', '{}').then(
          () => true,
          () => false,
        );
      }
      assert.ok(answered, `the sender was still refused after 10 s; tokens sent: ${seen.join(', ')}`);
      assert.notEqual(seen.at(-1), 'tok-1');
    } finally {
      await client.close();
    }
  });
});
