import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildClusterConfig, JOB_NAMES } from '../../../src/metrics-config/cluster-config.js';
import { parseMetricsOptions } from '../../../src/metrics-config/cluster-config-options.js';
import { fileSdForm } from '../../support/file-sd-form.js';

const run = promisify(execFile);

async function promtoolCheck(path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const r = await run('promtool', ['check', 'config', path]);
    return { ok: true, output: r.stdout + r.stderr };
  } catch (e: unknown) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('promtool check config on the generated cluster config', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-promtool-'));
    // promtool checks that every TLS and credentials file exists.
    for (const f of ['ca.pem', 'cert.pem', 'key.pem', 'ca.crt', 'token']) await writeFile(join(dir, f), '');
    for (const j of Object.values(JOB_NAMES)) await writeFile(join(dir, `${j}.json`), '[]');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes with the TLS files where the options point', async () => {
    const o = parseMetricsOptions({ etcdTlsDir: dir, serviceAccountDir: dir });
    const path = join(dir, 'prometheus.yml');
    await writeFile(path, fileSdForm(buildClusterConfig(o), dir));
    const r = await promtoolCheck(path);
    assert.ok(r.ok, r.output);
    assert.match(r.output, /SUCCESS/);
  });

  it('fails when the etcd client key is missing (the check looks at the files)', async () => {
    const o = parseMetricsOptions({ etcdTlsDir: join(dir, 'absent'), serviceAccountDir: dir });
    const path = join(dir, 'missing-key.yml');
    await writeFile(path, fileSdForm(buildClusterConfig(o), dir));
    const r = await promtoolCheck(path);
    assert.equal(r.ok, false);
    assert.match(r.output, /absent\/(ca|cert|key)\.pem/);
  });

  it('fails on a broken relabel rule (the check reads the rules)', async () => {
    const o = parseMetricsOptions({ etcdTlsDir: dir, serviceAccountDir: dir });
    const config = buildClusterConfig(o);
    const rule = config.scrape_configs[2]?.relabel_configs[0];
    assert.ok(rule);
    rule.regex = '(unclosed';
    const path = join(dir, 'bad-regex.yml');
    await writeFile(path, fileSdForm(config, dir));
    const r = await promtoolCheck(path);
    assert.equal(r.ok, false);
    assert.match(r.output, /missing closing \)/);
  });
});
