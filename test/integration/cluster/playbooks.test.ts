import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { opsDir } from '../../../src/util/ops-dir.js';

const run = promisify(execFile);
const plays = join(opsDir(), 'plays');

describe('the shipped playbooks', async () => {
  const files = (await readdir(plays)).filter((f) => f.endsWith('.yaml')).sort();

  it('are diff-kctl, install-cadvisor and install-test-scripts', () => {
    assert.deepEqual(files, ['diff-kctl.yaml', 'install-cadvisor.yaml', 'install-test-scripts.yaml']);
  });

  for (const file of files) {
    it(`${file} passes ansible-playbook --syntax-check`, async () => {
      const { stdout } = await run('ansible-playbook', [
        '--syntax-check',
        '-i',
        'localhost,',
        '-e',
        'clustername=c',
        join(plays, file),
      ]);
      assert.match(stdout, new RegExp(`playbook: .*${file}`));
    });
  }

  it('install-test-scripts puts executable TestByPing and RemoveNetNS on comp nodes only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kos-bin-'));
    try {
      // Two local hosts of group c_L1, one of them a comp node, each with its own directory.
      const inventory = join(dir, 'hosts');
      await writeFile(
        inventory,
        `[c_L1]\ncomp0 ansible_connection=local kos_role_comp=yes kos_bin=${dir}/comp0\n` +
          `napi0 ansible_connection=local kos_role_napi=yes kos_bin=${dir}/napi0\n`,
      );
      await run('ansible-playbook', [
        '-i',
        inventory,
        '-e',
        'clustername=c',
        join(plays, 'install-test-scripts.yaml'),
      ]);
      await assert.rejects(stat(join(dir, 'napi0')), 'a node that is not a comp node gets nothing');
      for (const script of ['TestByPing', 'RemoveNetNS']) {
        const s = await stat(join(dir, 'comp0', script));
        assert.equal(s.mode & 0o777, 0o755, script);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the cAdvisor unit serves port 4194 without the per-CPU, process, scheduler and socket metrics', async () => {
    const unit = await readFile(join(plays, 'files', 'cadvisor.service'), 'utf8');
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    assert.equal(exec[0], '/opt/cadvisor');
    assert.ok(exec.includes('--port=4194'), exec.join(' '));
    const disabled = exec
      .find((a) => a.startsWith('--disable_metrics='))
      ?.split('=')[1]
      ?.split(',')
      .sort();
    assert.deepEqual(disabled, ['percpu', 'process', 'sched', 'tcp', 'udp']);
    assert.match(unit, /^WantedBy=multi-user\.target$/m);
  });
});
