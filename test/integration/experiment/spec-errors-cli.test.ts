import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { runKosTest } from '../../support/kos-test-process.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'bin', 'kos-test.js');

const good = `X: 20
factors: {OPS: [10], NCA: [20], POP: [1X, 3X], NNA: [1]}
cruise: 20s
`;

describe('kos-test experiment run with a bad spec: one line, non-zero exit, nothing started', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-spec-cli-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const cases: { name: string; spec: string; line: RegExp }[] = [
    {
      name: 'a bad factor name',
      spec: good.replace('NNA: [1]', 'NNA: [1], NCX: [3]'),
      line: /unknown factor: NCX \(factors are OPS, NCA, POP, NNA, NKA/,
    },
    {
      name: 'a level of the wrong type',
      spec: good.replace('NCA: [20]', 'NCA: [twenty]'),
      line: /factors\.NCA\[0\] is bad .*"twenty" \(give factors\.NCA\[0\] as a/,
    },
    {
      name: 'a POP not a multiple of X',
      spec: good.replace('POP: [1X, 3X]', 'POP: [1X, 30]'),
      line: /factors\.POP\[1\] is not a multiple of X=20: 30 \(write POP levels as multiples of X/,
    },
    {
      name: 'a cluster target without a kubeconfig',
      spec: `${good}target: {kind: cluster, prometheusUrl: 'http://127.0.0.1:9090'}\n`,
      line: /a cluster target needs a kubeconfig: target\.kubeconfig is missing \(add target\.kubeconfig/,
    },
    {
      name: 'a plan the testbed cannot hold',
      spec: good.replace('NNA: [1]', 'NNA: [12]'),
      line: /the testbed cannot hold this plan: NNA 12 > 9/,
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(`refuses ${c.name}`, async () => {
      const spec = join(root, `bad${i}.yaml`);
      await writeFile(spec, c.spec);
      const out = join(root, `out${i}`);
      const log = join(root, `bad${i}.log`);
      const child = spawnManaged({
        name: 'experiment run',
        command: process.execPath,
        args: [cli, 'experiment', 'run', spec, '--out', out],
        logFile: log,
      });
      const exit = await child.exited;
      const text = await readFile(log, 'utf8');
      assert.equal(exit.code, 1, text);
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 1, text);
      assert.match(lines[0] ?? '', /^kos-test: /);
      assert.match(lines[0] ?? '', c.line);
      // Nothing started: no sweep directory, so no testbed and no records either.
      await assert.rejects(stat(out), /ENOENT/);
    });
  }
});

describe('kos-test with a path it cannot use: one line naming the path and the fix, exit 1', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-path-cli-'));
    await writeFile(join(root, 'good.yaml'), good);
    await writeFile(join(root, 'empty.yaml'), '');
    await writeFile(join(root, 'a-file'), 'not a directory\n');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const cases: { name: string; args: (root: string) => string[]; line: RegExp }[] = [
    {
      name: 'an empty spec file',
      args: (r) => ['experiment', 'run', join(r, 'empty.yaml'), '--out', join(r, 'out-empty')],
      line: /^kos-test: .*empty\.yaml: the spec is empty \(write it as YAML options/,
    },
    {
      name: 'an --out below a file',
      args: (r) => ['experiment', 'run', join(r, 'good.yaml'), '--out', join(r, 'a-file', 'sweep')],
      line: /^kos-test: cannot mkdir .*a-file\/sweep\/runs: ENOTDIR \(a part of that path is a file, not a directory: give a directory path\)$/,
    },
    {
      name: 'a report of a file, not a sweep directory',
      args: (r) => ['report', join(r, 'a-file')],
      line: /^kos-test: not a sweep directory \(no results\.jsonl\): .*a-file \(give the directory/,
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(`refuses ${c.name}`, async () => {
      const r = await runKosTest(c.args(root), join(root, `path${i}.log`));
      assert.equal(r.code, 1, r.text);
      const lines = r.text.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.text);
      assert.match(lines[0] ?? '', c.line);
    });
  }
});
