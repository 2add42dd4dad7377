import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { validateKubeObject } from '../../support/kube-schema.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));

function kosTest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('kos-test drive --emit-job', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-emit-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints schema-valid objects whose pods run this drive as shard k of 3', async () => {
    const before = Date.now();
    const r = await kosTest(
      'drive',
      '--emit-job',
      '3',
      'registry.example/kos-test:1',
      '--rate',
      '300',
      '--num-attachments',
      '900',
      '--round-robin',
      '--seed',
      '42',
      '--runid',
      'emit-test',
      '--job-start-in',
      '90s',
    );
    assert.equal(r.code, 0, r.stderr);
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string });
    for (const o of objects) validateKubeObject(o);
    const job = objects.find((o) => o.kind === 'Job') as IJob;
    const c = job.spec?.template.spec?.containers[0];
    assert.ok(c !== undefined);
    assert.equal(c.image, 'registry.example/kos-test:1');
    const args = c.args ?? [];
    const startAt = Number(args[args.indexOf('--start-at') + 1]);
    assert.ok(startAt >= before + 90_000 && startAt <= Date.now() + 90_000, 'start 90 s from now');
    // The options the user gave, repeated; defaults are left to each shard's own parsing.
    assert.deepEqual(args.slice(args.indexOf('--metrics-port') + 2), [
      '--num-attachments',
      '900',
      '--rate',
      '300',
      '--round-robin',
    ]);
    assert.equal(job.spec?.completions, 3);
  });

  it('each pod`s args, as the kubelet expands them, are a valid drive of shard k/N', async () => {
    const r = await kosTest(
      'drive',
      '--emit-job',
      '2',
      '--num-nets',
      '3',
      '--top-net-size',
      '4',
      '--seed',
      '7',
      '--runid',
      'emit-two',
    );
    assert.equal(r.code, 0, r.stderr);
    const job = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as { kind: string })
      .find((o): o is IJob => o.kind === 'Job');
    const args = job?.spec?.template.spec?.containers[0]?.args ?? [];
    for (const k of [0, 1]) {
      const pod = args.map((a) => a.replaceAll('$(JOB_COMPLETION_INDEX)', String(k)).replace(/^\/out$/, dir));
      // --estimate: the real drive command parses every flag, plans, and creates nothing.
      const e = await kosTest(...pod, '--estimate');
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout, /POP 8 in 3 VNs/);
      assert.equal(pod[pod.indexOf('--shard') + 1], `${k}/2`);
      assert.deepEqual(await readdir(dir), ['emit-two'], 'outputs on the volume');
    }
  });

  const refusals: { what: string; args: string[]; says: RegExp }[] = [
    {
      what: 'a shard count of 0',
      args: ['--emit-job', '0'],
      says: /^kos-test: bad --emit-job: 0 \(give a whole number from 1 to 10000\)\n$/,
    },
    {
      what: 'a bad drive option, before any pod would see it',
      args: ['--emit-job', '2', '--rate', '-1'],
      says: /^kos-test: bad drive option rate: -1/,
    },
    {
      what: '--shard beside --emit-job',
      args: ['--emit-job', '2', '--shard', '0/2'],
      says: /^kos-test: --shard with --emit-job: 0\/2/,
    },
    {
      what: 'an image without --emit-job',
      args: ['some/image'],
      says: /^kos-test: unexpected argument: some\/image/,
    },
    {
      what: 'a bad node selector',
      args: ['--emit-job', '2', '--job-node-selector', 'a!=b'],
      says: /^kos-test: bad --job-node-selector/,
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.what} with one line and prints nothing`, async () => {
      const r = await kosTest('drive', ...c.args);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, c.says);
      assert.equal(r.stdout, '');
    });
  }
});
