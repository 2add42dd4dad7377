import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFreePort } from '../../../src/net/free-port.js';
import { renderKubeconfig } from '../../../src/testbed/kubeconfig.js';
import {
  createNodes,
  kosTest,
  startFront,
  storedNodes,
  versions,
  type FrontForTest,
  type Result,
} from '../../support/cluster-cli.js';
import { r12s24Nodes } from '../../support/r12s24-nodes.js';

function oneLine(r: Result, message: RegExp): void {
  assert.notEqual(r.code, 0, 'exit code');
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.match(r.stderr, /^kos-test: [^\n]+\n$/, 'one line on stderr');
  assert.match(r.stderr, message);
}

describe('kos-test cluster: bad input gets one line, a non-zero exit and no partial result', () => {
  let front: FrontForTest;
  let env: NodeJS.ProcessEnv;
  let scratch: string;

  before(async () => {
    front = await startFront();
    env = { ...process.env, KUBECONFIG: front.kubeconfig };
    scratch = await mkdtemp(join(tmpdir(), 'kos-test-bad-'));
    await createNodes(front.url, r12s24Nodes());
  });
  after(async () => {
    await front.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('an unknown profile', async () => {
    const r = await kosTest(['cluster', 'check', '--profile', 'r13s25'], env);
    oneLine(
      r,
      /^kos-test: unknown profile: r13s25 \(use one of r12s24, scaletest, or the path of a profile file\)$/m,
    );
  });

  it('a profile with an unknown purpose: label changes no node', async () => {
    const file = join(scratch, 'mine.yaml');
    await writeFile(file, 'name: mine\npurposes:\n  comp: { count: 3 }\n  compute: { count: 3 }\n');
    const before = versions(await storedNodes(front.url));
    for (const command of ['check', 'label']) {
      const r = await kosTest(['cluster', command, '--profile', file], env);
      oneLine(
        r,
        /^kos-test: bad profile .*mine\.yaml: unknown purpose "compute" \(use one of ketcd, kapi, kctrl, netcd, napi, nctrl, netcd-op, comp, data, base, obs\)$/m,
      );
    }
    assert.deepEqual(versions(await storedNodes(front.url)), before);
  });

  it('an inventory dir that cannot be written: nothing is left behind', async () => {
    const notADir = join(scratch, 'hosts');
    await writeFile(notADir, 'the file Debian ships as /etc/ansible/hosts\n');
    for (const dir of [notADir, join(notADir, 'sub')]) {
      const r = await kosTest(['cluster', 'inventory', 'r12s24', '--dir', dir], env);
      oneLine(
        r,
        /^kos-test: cannot write the inventory: .*hosts\/(sub\/)?r12s24_L1 \(.*\/hosts is a file, not a directory\) \(--dir must be a directory you can write/m,
      );
    }
    assert.equal(await readFile(notADir, 'utf8'), 'the file Debian ships as /etc/ansible/hosts\n');
    assert.deepEqual((await readdir(scratch)).sort(), ['hosts', 'mine.yaml']);
  });

  it('a bad cluster name', async () => {
    const r = await kosTest(['cluster', 'inventory', 'r12-s24', '--dir', scratch], env);
    oneLine(r, /^kos-test: bad cluster name: "r12-s24" \(start with a letter/m);
  });

  it('an unreachable API server, for every command that needs one: no inventory is written', async () => {
    const port = await findFreePort('127.0.0.1');
    const kubeconfig = join(scratch, 'unreachable.kubeconfig');
    await writeFile(kubeconfig, renderKubeconfig([{ name: 'gone', server: `http://127.0.0.1:${port}` }]));
    const dir = join(scratch, 'inventory');
    const commands = [
      ['check'],
      ['label'],
      ['label', '--dry-run'],
      ['show'],
      ['inventory', 'r12s24', '--dir', dir],
    ];
    for (const args of commands) {
      const r = await kosTest(['cluster', ...args, '--kubeconfig', kubeconfig], env);
      oneLine(
        r,
        new RegExp(
          `^kos-test: cannot reach the Kubernetes API server: http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\) \\(check the kubeconfig`,
          'm',
        ),
      );
    }
    await assert.rejects(readdir(dir), /ENOENT/);
  });

  it('an API server that accepts connections but never answers: the request times out', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const kubeconfig = join(scratch, 'silent.kubeconfig');
    const server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    await writeFile(kubeconfig, renderKubeconfig([{ name: 'silent', server }]));
    try {
      const r = await kosTest(
        ['cluster', 'label', '--kubeconfig', kubeconfig, '--request-timeout', '1'],
        env,
      );
      oneLine(
        r,
        new RegExp(
          `^kos-test: the Kubernetes API server did not answer in 1 s: ${server.replaceAll('.', '\\.')} \\(check the server`,
          'm',
        ),
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
      await rm(kubeconfig, { force: true });
    }
  });

  it('a bad --request-timeout', async () => {
    const r = await kosTest(['cluster', 'show', '--request-timeout', 'soon'], env);
    oneLine(r, /^kos-test: bad --request-timeout: soon \(give a whole number from 0 to 3600\)$/m);
  });

  it('a kubeconfig file that does not exist', async () => {
    const r = await kosTest(['cluster', 'show', '--kubeconfig', join(scratch, 'nope')], env);
    oneLine(r, /^kos-test: cannot load the kubeconfig: .*nope \(ENOENT/m);
  });
});
