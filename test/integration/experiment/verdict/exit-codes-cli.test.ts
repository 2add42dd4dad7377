/**
 * The exit codes through the real CLI (bin/kos-test.js): `experiment verdict` on recorded sweeps
 * that pass, break an SLO, hold an invalid run or a failed one; the JUnit file it writes, read by
 * junit2json; and the exit-code table in --help.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseJunit, type TestSuites } from 'junit2json';
import { VERDICT_EXIT_CODES } from '../../../../src/cli/exit.js';
import { sweepVerdictSchema } from '../../../../src/experiment/verdict/verdict.js';
import { kosTest as runCli } from '../../../support/cluster-cli.js';
import { writeSweepFixture, type FixtureRunOptions } from '../../../support/sweep-fixture.js';

const kosTest = (...args: string[]) => runCli(args, process.env);

// The spec the fixture sweeps were "run" from: its thresholds and SLOs are what verdict reads.
const SPEC = `name: fixture
X: 100
factors: {OPS: [10], NCA: [600, 1200], POP: [1X], NNA: [1]}
cruise: 20s
slos:
  - {check: achieved-ratio>=0.9, where: {NCA: 600}}
`;

describe('exit codes by verdict, through the real CLI', () => {
  let dir: string;
  const sweep = async (name: string, runs: Record<number, FixtureRunOptions> = {}): Promise<string> => {
    const d = join(dir, name);
    await writeSweepFixture(d, { sweepId: name, grid: { NCA: [600, 1200] }, replicates: 1, seed: 5, runs });
    await writeFile(join(d, 'spec.yaml'), SPEC);
    return d;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-verdict-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 when every run is valid and every SLO met, and writes verdict.json and JUnit XML', async () => {
    const d = await sweep('pass');
    const junit = join(dir, 'pass.xml');
    const r = await kosTest('experiment', 'verdict', d, '--slo', 'never-fulfilled<=0', '--junit', junit);
    assert.equal(r.code, VERDICT_EXIT_CODES.pass, r.stderr);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^verdict pass: 2 run\(s\), 2 valid, 0 invalid, 0 failed; SLOs 3 passed, 0 failed$/m,
    );
    const v = sweepVerdictSchema.parse(JSON.parse(await readFile(join(d, 'verdict.json'), 'utf8')));
    assert.equal(v.outcome, 'pass');
    const parsed = (await parseJunit(await readFile(junit, 'utf8'))) as TestSuites;
    const suite = parsed.testsuite?.[0];
    assert.equal(suite?.tests, 5, 'a validity testcase per run, and one per run and SLO that applies');
    assert.equal(suite.failures, 0);
    assert.equal(suite.errors, 0);
  });

  it('exits 4 when an SLO fails, with one line on stderr', async () => {
    const d = await sweep('slo');
    const junit = join(dir, 'slo.xml');
    const r = await kosTest('experiment', 'verdict', d, '--slo', 'fulfilment.p99<=1ms', '--junit', junit);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(
      r.stderr,
      'kos-test: verdict: slo-failed: 2 run(s), 2 valid, 0 invalid, 0 failed; SLOs 1 passed, 2 failed (the reasons are listed above and at the top of the report)\n',
    );
    assert.match(r.stdout, /SLO fulfilment\.p99<=1ms: fail: fulfilment\.p99 \d+(\.\d+)? ms breaks <= 1 ms/);
    const suite = ((await parseJunit(await readFile(junit, 'utf8'))) as TestSuites).testsuite?.[0];
    assert.equal(suite?.failures, 2);
    const failed = (suite.testcase ?? []).filter((c) => c.failure !== undefined);
    assert.deepEqual(
      failed.map((c) => c.name),
      ['slo fulfilment.p99<=1ms', 'slo fulfilment.p99<=1ms'],
    );
  });

  it('exits 5 when a run is invalid (here: no cost data), naming the run and the reason', async () => {
    const d = await sweep('invalid', { 1: { noCosts: true } });
    const r = await kosTest('experiment', 'verdict', d);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /^ {2}invalid-r1 invalid: costs-missing: no cost data/m);
  });

  it('exits 6 when a run failed, even with an invalid one beside it', async () => {
    const d = await sweep('failed', { 0: { fail: true }, 1: { late: 50 } });
    const r = await kosTest('experiment', 'verdict', d);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stdout, /failed-r0 failed: run-failed/);
    assert.match(r.stdout, /failed-r1 invalid: late-ops/);
  });

  it('refuses a bad --slo with one line and exit 1', async () => {
    const d = await sweep('bad');
    const r = await kosTest('experiment', 'verdict', d, '--slo', 'p99 below 2s');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^kos-test: bad SLO expression: "p99 below 2s" \(write metric<=value/);
  });

  for (const cmd of [['experiment', 'run'], ['experiment', 'verdict'], ['drive']])
    it(`documents the exit codes in ${cmd.join(' ')} --help`, async () => {
      const r = await kosTest(...cmd, '--help');
      assert.equal(r.code, 0, r.stderr);
      for (const line of [
        /^ {2}0 {3}every run valid/m,
        /^ {2}4 {3}an SLO failed/m,
        /^ {2}5 {3}a run is invalid/m,
        /^ {2}6 {3}a run failed/m,
      ])
        assert.match(r.stdout, line);
      assert.match(r.stdout, /--slo <expr>/);
      assert.match(r.stdout, /--junit <file>/);
    });
});
