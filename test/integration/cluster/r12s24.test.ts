import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  createNodes,
  kosTest,
  startFront,
  storedNodes,
  toolMetadata,
  versions,
  type FrontForTest,
} from '../../support/cluster-cli.js';
import { r12s24Nodes, vmMemory } from '../../support/r12s24-nodes.js';
import { connectNodeApi } from '../../../src/cluster/kube-nodes.js';

const run = promisify(execFile);
const SHOWN =
  'kos-role/ketcd,kos-role/kapi,kos-role/kctrl,kos-role/netcd,kos-role/napi,kos-role/nctrl,kos-role/netcd-op,kos-role/comp,kos-role/data';

/** Cells of a kubectl-style table, cut at the header's column starts. */
function cells(table: string): string[][] {
  const [header = '', ...rows] = table.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => m.index);
  return [header, ...rows].map((line) => starts.map((s, i) => line.slice(s, starts[i + 1]).trim()));
}

/** What the seed's conventions say each r12s24 node is (purpose = name without its digits). */
function expectedMetadata(name: string): string[] {
  const purpose = name.replace(/[0-9]+$/, '');
  const labels = [`kos-role/${purpose}=true`, ...(purpose === 'nctrl' ? ['kos-role/netcd-op=true'] : [])];
  const annotations = [
    'prometheus.io/scrape=true',
    ...(purpose === 'ketcd' ? ['prometheus.io/scrape-etcd=true'] : []),
  ];
  return [...labels, ...annotations].sort();
}

describe('kos-test cluster on the kube front with the r12s24 node set', () => {
  let front: FrontForTest;
  let env: NodeJS.ProcessEnv;
  let inventoryDir: string;
  const fixtures = r12s24Nodes();
  const names = fixtures.map((n) => n.metadata.name).sort();

  before(async () => {
    front = await startFront();
    env = { ...process.env, KUBECONFIG: front.kubeconfig };
    inventoryDir = await mkdtemp(join(tmpdir(), 'kos-test-inventory-'));
    await createNodes(front.url, fixtures);
  });
  after(async () => {
    await front.stop();
    await rm(inventoryDir, { recursive: true, force: true });
  });

  it('check finds the cluster matching r12s24 and exits 0', async () => {
    const r = await kosTest(['cluster', 'check', '--profile', 'r12s24'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^15 nodes; per purpose: ketcd: 3, kapi: 1, kctrl: 1, netcd: 3, napi: 1, nctrl: 1, netcd-op: 1, comp: 3, data: 1, base: 1$/m,
    );
    assert.match(r.stdout, /the cluster matches profile r12s24/);
  });

  it('check against scaletest lists every difference and exits 1', async () => {
    const r = await kosTest(['cluster', 'check', '--profile', 'scaletest'], env);
    assert.equal(r.code, 1);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    // Nine purposes with no node, and twelve nodes no scaletest rule classifies (the comp nodes are fine).
    assert.equal(listed.length, 8 + 12, r.stdout);
    assert.match(r.stdout, /^ {2}kapi0: unclassified: no rule of profile scaletest matches its name$/m);
    assert.equal(
      r.stderr,
      'kos-test: the cluster differs from profile scaletest: 20 difference(s), listed above\n',
    );
  });

  it('label --dry-run prints the plan as a table and changes nothing', async () => {
    const before = versions(await storedNodes(front.url));
    const r = await kosTest(['cluster', 'label', '--dry-run'], env);
    assert.equal(r.code, 0, r.stderr);
    const table = cells(r.stdout.split('\ndry run:')[0] ?? '');
    assert.deepEqual(table[0], ['NODE', 'PURPOSES', 'SET LABELS', 'SET ANNOTATIONS']);
    assert.deepEqual(
      table.slice(1).map((row) => row[0]),
      names,
    );
    assert.deepEqual(
      table.find((row) => row[0] === 'nctrl0'),
      ['nctrl0', 'nctrl,netcd-op', 'kos-role/nctrl=true,kos-role/netcd-op=true', 'prometheus.io/scrape=true'],
    );
    assert.match(r.stdout, /^dry run: would change 15 of 15 nodes$/m);
    assert.deepEqual(versions(await storedNodes(front.url)), before);
  });

  it('label sets each node its purpose labels and the scrape annotations; a second run changes nothing and says so', async () => {
    const first = await kosTest(['cluster', 'label'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'changed 15 of 15 nodes\n');
    const labelled = await storedNodes(front.url);
    assert.deepEqual(toolMetadata(labelled), Object.fromEntries(names.map((n) => [n, expectedMetadata(n)])));
    // The patches were merges: what kubelet registered is still there.
    assert.ok(labelled.every((n) => n.metadata.labels?.['kubernetes.io/hostname'] === n.metadata.name));

    const second = await kosTest(['cluster', 'label'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'nothing to change: all 15 nodes already labelled and annotated\n');
    assert.deepEqual(versions(await storedNodes(front.url)), versions(labelled));
  });

  it('show prints what kubectl get Node -L kos-role/... prints (all but the AGE column)', async () => {
    const ours = await kosTest(['cluster', 'show'], env);
    assert.equal(ours.code, 0, ours.stderr);
    const { stdout: theirs } = await run('kubectl', ['get', 'Node', '-L', SHOWN], { env });
    const withoutAge = (t: string) => cells(t).map((row) => row.filter((_, i) => i !== 3));
    assert.deepEqual(withoutAge(ours.stdout), withoutAge(theirs));
    assert.deepEqual(
      cells(ours.stdout)
        .find((row) => row[0] === 'nctrl0')
        ?.slice(5),
      ['', '', '', '', '', 'true', 'true', '', ''],
    );
  });

  it('inventory writes <dir>/<cluster>_L1, which ansible-inventory reads as the L1 group with host variables', async () => {
    const r = await kosTest(['cluster', 'inventory', 'r12s24', '--dir', inventoryDir], env);
    assert.equal(r.code, 0, r.stderr);
    const file = join(inventoryDir, 'r12s24_L1');
    assert.equal(r.stdout, `wrote ${file}: group [r12s24_L1], 15 hosts\n`);
    assert.deepEqual(await readdir(inventoryDir), ['r12s24_L1']);
    const { stdout } = await run('ansible-inventory', ['-i', file, '--list'], { env });
    const inv = JSON.parse(stdout) as {
      all: { children: string[] };
      r12s24_L1: { hosts: string[] };
      _meta: { hostvars: Record<string, Record<string, string>> };
    };
    assert.ok(inv.all.children.includes('r12s24_L1'));
    const byAddress = Object.fromEntries(
      fixtures.map((n) => [n.status.addresses[0]?.address ?? '', n.metadata.name]),
    );
    assert.deepEqual([...inv.r12s24_L1.hosts].sort(), Object.keys(byAddress).sort());
    for (const [address, name] of Object.entries(byAddress)) {
      const purpose = name.replace(/[0-9]+$/, '');
      const roles = {
        [`kos_role_${purpose}`]: 'yes',
        ...(purpose === 'nctrl' ? { kos_role_netcd_op: 'yes' } : {}),
      };
      assert.deepEqual(inv._meta.hostvars[address], { nodename: name, ...roles }, name);
    }
    assert.match(await readFile(file, 'utf8'), /^127\.5\.0\.1 nodename=kapi0 kos_role_kapi=yes$/m);
  });

  it('diff-kctl runs the playbook on the inventory: kapi and kctrl nodes get their tasks, others skip', async () => {
    const ip = (name: string) =>
      fixtures.find((n) => n.metadata.name === name)?.status.addresses[0]?.address ?? '';
    // Check mode on this machine (connection local, no become): nothing is changed anywhere.
    const r = await kosTest(
      [
        'cluster',
        'diff-kctl',
        'r12s24',
        '--dir',
        inventoryDir,
        '--',
        '--check',
        '-e',
        'ansible_connection=local',
        '-e',
        'ansible_become=false',
        '-e',
        'ansible_python_interpreter=/usr/bin/python3',
        '--limit',
        [ip('kapi0'), ip('kctrl0'), ip('comp0')].join(','),
      ],
      env,
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const recap = (name: string) =>
      new RegExp(
        `^${ip(name).replaceAll('.', '\\.')}\\s+: ok=(\\d+)\\s+changed=0\\s+unreachable=0\\s+failed=0\\s+skipped=(\\d+)`,
        'm',
      )
        .exec(r.stdout)
        ?.slice(1);
    assert.deepEqual(recap('kapi0'), ['2', '1'], r.stdout);
    assert.deepEqual(recap('kctrl0'), ['1', '2'], r.stdout);
    assert.deepEqual(recap('comp0'), ['0', '3'], r.stdout);
  });

  it('lists nodes page by page through client-node', async () => {
    const listed = await connectNodeApi(front.kubeconfig, { pageSize: 4 }).listNodes();
    assert.deepEqual(listed.map((n) => n.name).sort(), names);
    assert.deepEqual(listed.find((n) => n.name === 'base0')?.memoryCapacity, vmMemory(32));
  });

  it('reaches a plain-http server whose kubeconfig does not turn TLS verification off, as kubectl does', async () => {
    const kubeconfig = join(inventoryDir, '..', `${basename(inventoryDir)}.kubeconfig`);
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: '${front.url}'}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    try {
      const r = await kosTest(['cluster', 'show', '--kubeconfig', kubeconfig], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trimEnd().split('\n').length, 1 + 15);
    } finally {
      await rm(kubeconfig, { force: true });
    }
  });

  it('diff-kctl without Ansible says in one line how to install it', async () => {
    const emptyPath = await mkdtemp(join(tmpdir(), 'kos-test-path-'));
    try {
      const r = await kosTest(['cluster', 'diff-kctl', 'r12s24', '--dir', inventoryDir], {
        ...env,
        PATH: emptyPath,
      });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        'kos-test: ansible-playbook is not installed: not on PATH (install Ansible, e.g. apt-get install -y ansible)\n',
      );
    } finally {
      await rm(emptyPath, { recursive: true, force: true });
    }
  });
});
