import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { driveSummarySchema, type DriveSummary } from '../../../../src/driver/drive-summary.js';
import { mergeSummaries } from '../../../../src/driver/shards/merge-summaries.js';
import { shardSummary } from '../../../support/drive-summary-fixture.js';

const cli = fileURLToPath(new URL('../../../../../bin/kos-test.js', import.meta.url));

function kosTest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

describe('kos-test merge', () => {
  let dir = '';
  const shards: DriveSummary[] = [0, 1, 2].map((index) =>
    shardSummary({
      index,
      count: 3,
      phases: { cruise: { startMs: 5, endMs: 65_000, issued: 90, valuesMs: [index, 4, 8] } },
    }),
  );
  const shardDir = (i: number): string => join(dir, `shard-${i}`, '1201-1200-abcd');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-merge-'));
    for (const [i, s] of shards.entries()) {
      await mkdir(shardDir(i), { recursive: true });
      await writeFile(join(shardDir(i), 'summary.json'), JSON.stringify(s));
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the merged summary.json of every shard directory', async () => {
    const out = join(dir, 'merged');
    const r = await kosTest('merge', shardDir(2), shardDir(0), shardDir(1), '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const written = driveSummarySchema.parse(JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')));
    assert.deepEqual(written, mergeSummaries(shards));
    assert.deepEqual(await readdir(out), ['summary.json'], 'no temporary file left');
  });

  it('takes a run directory for all its shard-<i>/ (as the driver writes them) and merges beside them', async () => {
    const run = join(dir, 'run', '1201-1200-abcd');
    for (const [i, s] of shards.entries()) {
      await mkdir(join(run, `shard-${i}`), { recursive: true });
      await writeFile(join(run, `shard-${i}`, 'summary.json'), JSON.stringify(s));
    }
    const r = await kosTest('merge', run, '--out', run);
    assert.equal(r.code, 0, r.stderr);
    const written = driveSummarySchema.parse(JSON.parse(await readFile(join(run, 'summary.json'), 'utf8')));
    assert.deepEqual(written, mergeSummaries(shards));
    // Merging again reads the merged summary, not the shards twice.
    assert.equal((await kosTest('merge', run, '--out', join(dir, 'again'))).code, 0);
  });

  it('refuses a missing shard with one line, non-zero exit and nothing written', async () => {
    const out = join(dir, 'partial');
    const r = await kosTest('merge', shardDir(0), shardDir(2), '--out', out);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr,
      'kos-test: shards missing from run 1201-1200-abcd: 1/3 (give the directory of every shard; a missing one may still be running, or have failed)\n',
    );
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });

  it('refuses a directory without a summary, naming it', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const r = await kosTest('merge', shardDir(0), empty, '--out', join(dir, 'x'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^kos-test: cannot read the shard summary: .*empty\/summary\.json: ENOENT.*\n$/);
  });

  it('refuses a file that is not a drive summary, naming the field', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'summary.json'), JSON.stringify({ ...shards[1], runId: 7 }));
    const r = await kosTest('merge', shardDir(0), bad, '--out', join(dir, 'y'));
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /^kos-test: shard summary does not match kos-test\/drive-summary\/v1: .*bad\/summary\.json: runId: /,
    );
  });
});
