/**
 * The seed README's operations commands, exactly as it writes them, against a running testbed
 * (its Nodes, through its kube front): ops/make-l1-inventory.sh $clustername, ops/label-nodes.sh
 * and ansible-playbook ops/plays/install-cadvisor.yaml -e clustername=$clustername -f 8 (check mode).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { opsDir } from '../../../src/util/ops-dir.js';
import { testbedNodes } from '../../../src/testbed/supervisor/testbed-layout.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';

const run = promisify(execFile);
const ops = opsDir();
const repo = join(ops, '..');
const CLUSTER = 'tb';
const CONFIG = { nca: 2, agentsPerGroup: 2, prometheus: false } as const;
/** What upstream's install-cadvisor play pins (the seed's ops/plays/install-cadvisor.yaml). */
const UPSTREAM_PIN = {
  cadvisor_version: 'v0.35.0',
  cadvisor_sha256: 'e9bb5513d9c49741a6ccf9ec0ce68a0ca5d25d8e75cb426c525b003fbf19cdd9',
};

interface JsonCallback {
  plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
}

/** task name -> host -> changed | ok | skipped | failed: <why>, from ansible's json callback. */
function playResults(stdout: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const play of (JSON.parse(stdout) as JsonCallback).plays)
    for (const t of play.tasks) {
      const byHost: Record<string, string> = {};
      for (const [host, r] of Object.entries(t.hosts)) {
        const msg = typeof r.msg === 'string' ? r.msg : '';
        byHost[host] =
          r.failed === true
            ? `failed: ${/has not been booted with systemd/.test(msg) ? 'not booted with systemd' : msg}`
            : r.skipped === true
              ? 'skipped'
              : r.changed === true
                ? 'changed'
                : 'ok';
      }
      out[t.task.name] = byHost;
    }
  return out;
}

describe("the seed's operations commands as written, against a running testbed", () => {
  let testbed: Testbed;
  let dir: string;
  let hostsDir: string;
  let env: NodeJS.ProcessEnv;
  const nodes = testbedNodes({ nca: CONFIG.nca, nna: 1, nka: 1, netcd: 1, ketcd: 1 });
  const kubectl = async (...args: string[]): Promise<string> => (await run('kubectl', args, { env })).stdout;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-seed-ops-'));
    hostsDir = join(dir, 'ansible-hosts');
    await mkdir(hostsDir);
    testbed = await Testbed.up({ dir: join(dir, 'testbed'), config: CONFIG });
    // KUBECONFIG is how the seed's "kubectl addressing your cluster" reaches the testbed; the
    // inventory directory moves out of /etc/ansible/hosts so the test leaves the machine alone.
    env = { ...process.env, KUBECONFIG: testbed.kubeconfigPath, ANSIBLE_HOSTS_DIR: hostsDir };
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  it('ops/make-l1-inventory.sh $clustername writes <dir>/<clustername>_L1 with every node', async () => {
    const { stdout } = await run(join(ops, 'make-l1-inventory.sh'), [CLUSTER], { env, cwd: repo });
    assert.match(
      stdout,
      new RegExp(`wrote .*${CLUSTER}_L1: group \\[${CLUSTER}_L1\\], ${nodes.length} hosts`),
    );
    const text = await readFile(join(hostsDir, `${CLUSTER}_L1`), 'utf8');
    assert.match(text, new RegExp(`^\\[${CLUSTER}_L1\\]$`, 'm'));
    assert.match(text, /^127\.4\.0\.1 nodename=ketcd0 kos_role_ketcd=yes$/m);
    assert.match(text, /^127\.3\.0\.1 nodename=nctrl0 kos_role_nctrl=yes kos_role_netcd_op=yes$/m);
    const { stdout: hosts } = await run('ansible-inventory', [
      '-i',
      join(hostsDir, `${CLUSTER}_L1`),
      '--list',
    ]);
    const group = (JSON.parse(hosts) as Record<string, { hosts?: string[] }>)[`${CLUSTER}_L1`];
    assert.equal(group?.hosts?.length, nodes.length);
  });

  it('ops/make-l1-inventory.sh without a cluster name prints its usage and exits 1', async () => {
    await assert.rejects(run(join(ops, 'make-l1-inventory.sh'), [], { env }), (e: unknown) => {
      const err = e as { code: number; stderr: string };
      return err.code === 1 && /usage: .*make-l1-inventory\.sh clustername/.test(err.stderr);
    });
  });

  it('ops/label-nodes.sh labels the nodes kos-role/<purpose>=true by their names', async () => {
    // Take two labels away (kubectl, as an operator would), so there is work to do.
    await kubectl('label', 'node', 'ketcd0', 'kos-role/ketcd-');
    await kubectl('label', 'node', 'nctrl0', 'kos-role/netcd-op-');
    const labels = async (node: string): Promise<Record<string, string>> =>
      (
        JSON.parse(await kubectl('get', 'node', node, '-o', 'json')) as {
          metadata: { labels: Record<string, string> };
        }
      ).metadata.labels;
    assert.equal((await labels('ketcd0'))['kos-role/ketcd'], undefined);
    await run(join(ops, 'label-nodes.sh'), [], { env, cwd: repo });
    assert.equal((await labels('ketcd0'))['kos-role/ketcd'], 'true');
    assert.equal((await labels('nctrl0'))['kos-role/netcd-op'], 'true');
    assert.equal((await labels('comp1'))['kos-role/comp'], 'true');
  });

  it('install-cadvisor defaults to the version and checksum upstream pins', async () => {
    const plays = parse(await readFile(join(ops, 'plays', 'install-cadvisor.yaml'), 'utf8')) as {
      vars?: Record<string, string>;
    }[];
    const vars = plays[0]?.vars ?? {};
    assert.deepEqual(
      { cadvisor_version: vars.cadvisor_version, cadvisor_sha256: vars.cadvisor_sha256 },
      UPSTREAM_PIN,
    );
  });

  it("install-cadvisor runs in check mode with the seed's command line on the written inventory", async () => {
    // The release URL points at a loopback server (check mode only asks for its headers), so no
    // traffic leaves the machine; the checksum stays the default.
    const heads: string[] = [];
    const server: Server = createServer((req, res) => {
      heads.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '0' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cadvisor`;
      const seedLine = ['ops/plays/install-cadvisor.yaml', '-e', `clustername=${CLUSTER}`, '-f', '8'];
      const out = await run(
        'ansible-playbook',
        [...seedLine, '--check', '-c', 'local', '-e', `cadvisor_url=${url}`],
        // The default inventory (/etc/ansible/hosts), moved: a directory holding <cluster>_L1.
        {
          env: { ...env, ANSIBLE_INVENTORY: hostsDir, ANSIBLE_STDOUT_CALLBACK: 'json' },
          cwd: repo,
          timeout: 300_000,
        },
      ).catch((e: unknown) => e as { stdout: string });
      const results = playResults(out.stdout);
      assert.ok(heads.includes('HEAD /cadvisor'), heads.join(', '));
      assert.deepEqual(results['Download and verify cAdvisor v0.35.0'], { localhost: 'changed' });
      const unit = results['Install the systemd unit'] ?? {};
      assert.equal(Object.keys(unit).length, nodes.length, 'every inventory host is a target');
      assert.ok(
        Object.values(unit).every((r) => r === 'changed'),
        JSON.stringify(unit),
      );
      // This test machine's PID 1 is not systemd, so only the service step cannot be checked here.
      const start = Object.values(results['Start cAdvisor now and on every boot'] ?? {});
      const expected = existsSync('/run/systemd/system') ? 'ok' : 'failed: not booted with systemd';
      assert.ok(
        start.length === nodes.length && start.every((r) => r === expected || r === 'changed'),
        JSON.stringify(start),
      );
    } finally {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
