import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderKubeconfig } from '../../../src/testbed/kubeconfig.js';
import { runKosTest } from '../../support/kos-test-process.js';

const spec = (kubeconfig: string): string => `X: 20
factors: {OPS: [10], NCA: [20], POP: [1X], NNA: [1], NKA: [1]}
cruise: 20s
target:
  kind: cluster
  kubeconfig: ${kubeconfig}
  prometheusUrl: http://127.0.0.1:9
  requestTimeout: 2s
`;

/** The lines the CLI printed, without blank ones. */
function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

describe('a cluster target that cannot be reached or does not answer fails fast, in one line', () => {
  let root = '';
  // Accepts connections and never answers (a hung apiserver, a dead ssh tunnel).
  let silent: Server;
  const sockets = new Set<Socket>();
  let refusedPort = 0;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-cluster-unreachable-'));
    silent = createServer((s) => {
      sockets.add(s);
    });
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    // A port nothing listens on: one the kernel gave out and we closed at once.
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    refusedPort = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const silentPort = (silent.address() as { port: number }).port;
    for (const [name, port] of [
      ['refused', refusedPort],
      ['silent', silentPort],
    ] as const) {
      const kc = join(root, `${name}.kubeconfig`);
      await writeFile(kc, renderKubeconfig([{ name, server: `http://127.0.0.1:${port}` }]));
      await writeFile(join(root, `${name}.yaml`), spec(kc));
    }
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((done) => silent.close(done));
    await rm(root, { recursive: true, force: true });
  });

  for (const command of ['plan', 'run'] as const) {
    const extra = command === 'run' ? ['--out', 'OUT'] : [];
    it(`experiment ${command}: a refused connection is one line naming the server and the fix`, async () => {
      const args = [
        'experiment',
        command,
        join(root, 'refused.yaml'),
        ...extra.map((a) => a.replace('OUT', join(root, `out-${command}-refused`))),
      ];
      const r = await runKosTest(args, join(root, `${command}-refused.log`));
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, 70, `not an unexpected error: ${r.text}`);
      assert.deepEqual(lines(r.text).length, 1, r.text);
      assert.match(
        r.text,
        new RegExp(
          `cannot reach the Kubernetes API server: http://127\\.0\\.0\\.1:${refusedPort} \\(ECONNREFUSED\\) \\(check target\\.kubeconfig`,
        ),
      );
    });

    it(`experiment ${command}: a server that never answers fails after target.requestTimeout, in one line`, async () => {
      const started = Date.now();
      const args = [
        'experiment',
        command,
        join(root, 'silent.yaml'),
        ...extra.map((a) => a.replace('OUT', join(root, `out-${command}-silent`))),
      ];
      const r = await runKosTest(args, join(root, `${command}-silent.log`));
      const tookS = (Date.now() - started) / 1000;
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, 70, `not an unexpected error: ${r.text}`);
      assert.deepEqual(lines(r.text).length, 1, r.text);
      assert.match(
        r.text,
        /did not answer \w+ in 2 s: http:\/\/127\.0\.0\.1:\d+ \(.*or raise target\.requestTimeout\)/,
      );
      assert.ok(sockets.size > 0, 'the CLI connected to the silent server');
      // node's start and the CLI's loading take a few seconds on a loaded machine; no hang.
      assert.ok(tookS < 30, `took ${tookS} s`);
    });
  }
});
