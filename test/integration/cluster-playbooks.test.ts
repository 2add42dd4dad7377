import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { opsDir } from '../../src/cluster/ops-files.js';

const run = promisify(execFile);
const plays = join(opsDir(), 'plays');

describe('the shipped playbooks', async () => {
  const files = (await readdir(plays)).filter((f) => f.endsWith('.yaml')).sort();

  it('are diff-kctl and install-cadvisor', () => {
    assert.deepEqual(files, ['diff-kctl.yaml', 'install-cadvisor.yaml']);
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
