import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { renderClusterConfig } from '../../../src/metrics-config/cluster-config.js';
import { parseMetricsOptions } from '../../../src/metrics-config/cluster-config-options.js';
import { renderManifests } from '../../../src/metrics-config/grafana/stack-manifests.js';
import { shippedMetricsFiles } from '../../../src/metrics-config/shipped-files.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));
const run = promisify(execFile);

async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [cli, ...args]);
  } catch (e: unknown) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
  assert.fail(`kos-test ${args.join(' ')} succeeded`);
}

describe('kos-test metrics', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-metrics-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prometheus-config prints the config for the given options', async () => {
    const { stdout } = await run(process.execPath, [
      cli,
      'metrics',
      'prometheus-config',
      '--scrape-interval',
      '30s',
      '--cadvisor-port',
      '8080',
    ]);
    assert.equal(
      stdout,
      renderClusterConfig(parseMetricsOptions({ scrapeInterval: '30s', cadvisorPort: 8080 })),
    );
    assert.equal((parse(stdout) as { global: { scrape_interval: string } }).global.scrape_interval, '30s');
  });

  it('manifests --out writes the manifests and nothing to stdout', async () => {
    const out = join(dir, 'm', 'manifests.yaml');
    const { stdout } = await run(process.execPath, [
      cli,
      'metrics',
      'manifests',
      '--out',
      out,
      '--namespace',
      'monitoring',
    ]);
    assert.equal(stdout, '');
    assert.equal(
      await readFile(out, 'utf8'),
      renderManifests(parseMetricsOptions({ namespace: 'monitoring' })),
    );
  });

  it('generate writes every shipped file', async () => {
    const target = join(dir, 'gen');
    await run(process.execPath, [cli, 'metrics', 'generate', '--dir', target]);
    for (const f of shippedMetricsFiles(parseMetricsOptions())) {
      assert.equal(await readFile(join(target, f.path), 'utf8'), f.content, f.path);
    }
  });

  it('rejects a bad option in one line, exits non-zero and writes nothing', async () => {
    const cases: { args: string[]; message: RegExp }[] = [
      {
        args: ['--scrape-interval', 'often'],
        message: /bad metrics option scrapeInterval \(--scrape-interval\): "often"/,
      },
      {
        args: ['--driver-port', '99999'],
        message: /bad --driver-port: 99999 \(give a whole number from 1 to 65535\)/,
      },
      { args: ['--node-port', '80'], message: /bad --node-port: 80/ },
      { args: ['--purposes', 'comp,,napi'], message: /--purposes/ },
    ];
    for (const [i, c] of cases.entries()) {
      const out = join(dir, `bad-${i}.yaml`);
      const r = await fails(['metrics', 'manifests', '--out', out, ...c.args]);
      assert.equal(r.code, 1, c.args.join(' '));
      assert.match(r.stderr, c.message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('bad-')),
      [],
    );
  });
});
