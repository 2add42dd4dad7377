import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  fileSdContent,
  sdFile,
  TESTBED_JOBS,
  testbedPrometheusConfig,
} from '../../../../src/testbed/prometheus/testbed-config.js';
import { findPrometheusBinary } from '../../../../src/testbed/prometheus/find-prometheus.js';
import { testbedTargets } from '../../../../src/testbed/prometheus/testbed-targets.js';
import { KosTestError } from '../../../../src/util/errors.js';

const run = promisify(execFile);

describe('the testbed Prometheus configuration', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-promconfig-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes promtool check config, with its file_sd target files', async () => {
    const sdDir = join(dir, 'sd');
    const targets = testbedTargets({
      processes: [
        { name: 'napi0', purpose: 'napi', endpoints: { metrics: 'http://127.2.0.1:4000/metrics' } },
        { name: 'netcd0', purpose: 'netcd', endpoints: { metrics: 'http://127.1.0.1:2381/metrics' } },
        { name: 'comp-group0', purpose: 'comp', endpoints: { metrics: 'http://127.10.0.1:4002/metrics' } },
      ],
      exporterMetrics: 'http://127.20.0.1:4194/metrics',
      driverMetrics: ['http://127.21.0.1:9376/metrics'],
    });
    await run('mkdir', ['-p', sdDir]);
    for (const job of TESTBED_JOBS) await writeFile(sdFile(sdDir, job), fileSdContent(targets[job]));
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, testbedPrometheusConfig({ sdDir }));
    const { stdout, stderr } = await run('promtool', ['check', 'config', config]);
    assert.match(`${stdout}${stderr}`, /SUCCESS/);
  });

  it('names the package to install when prometheus is missing, in one line', () => {
    const check = (env: NodeJS.ProcessEnv, what: RegExp) => {
      assert.throws(
        () => findPrometheusBinary(env),
        (e: unknown) =>
          e instanceof KosTestError &&
          what.test(e.message) &&
          e.message.includes('apt-get install -y prometheus') &&
          !e.message.includes('\n'),
      );
    };
    check(
      { PATH: join(dir, 'nowhere') },
      /^prometheus is missing: not on PATH, and KOS_TEST_PROMETHEUS is not set/,
    );
    check(
      { PATH: '/usr/bin', KOS_TEST_PROMETHEUS: join(dir, 'nope') },
      /KOS_TEST_PROMETHEUS is not an executable file/,
    );
    assert.equal(findPrometheusBinary({ PATH: `${join(dir, 'nowhere')}:/usr/bin` }), '/usr/bin/prometheus');
  });
});
