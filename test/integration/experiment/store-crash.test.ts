import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { ResultsStore } from '../../../src/experiment/store/results-store.js';
import { parseSpecText } from '../../../src/experiment/spec/spec-load.js';
import { CRASH_SPEC } from '../../fixtures/crash-spec.js';
import { recordFixture } from '../../fixtures/run-record-fixture.js';

const writer = fileURLToPath(new URL('../../fixtures/store-crash-writer.js', import.meta.url));

async function recordedLines(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('recorded ')).length;
}

describe('the results store survives SIGKILL of its writer', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  for (const round of [1, 2, 3]) {
    it(`loses at most the run in progress (round ${round})`, async () => {
      const root = await mkdtemp(join(tmpdir(), 'kos-test-crash-'));
      dirs.push(root);
      const dir = join(root, 'sweep');
      const log = join(root, 'writer.log');
      const child = spawnManaged({
        name: 'store-writer',
        command: process.execPath,
        args: [writer, dir],
        logFile: log,
      });
      // Kill it at a different moment each round, after some records are surely durable.
      const target = 5 + round * 3;
      while ((await recordedLines(log)) < target) {
        assert.ok(child.isRunning(), `writer died early: ${await readFile(log, 'utf8')}`);
        await new Promise((r) => setTimeout(r, 2 + round));
      }
      child.kill('SIGKILL');
      const exit = await child.exited;
      assert.equal(exit.signal, 'SIGKILL');
      const acknowledged = await recordedLines(log);

      const { spec } = parseSpecText('crash.yaml', CRASH_SPEC);
      const store = await ResultsStore.open({ dir, spec });
      const records = store.records();
      // Every acknowledged record is there (fsync before the ack), at most one more, each once.
      assert.ok(
        records.length >= acknowledged && records.length <= acknowledged + 1,
        `${records.length} vs ${acknowledged}`,
      );
      assert.deepEqual(
        records.map((r) => r.index),
        [...Array(records.length).keys()],
      );
      records.forEach((r, i) => {
        assert.deepEqual(r, recordFixture(i));
      });
      // At most the run in progress is interrupted; it is the next one.
      const interrupted = store.interrupted();
      assert.ok(interrupted.length <= 1);
      for (const m of interrupted) assert.equal(m.key, `c${records.length}-r0`);
      // The CSV was regenerated from the jsonl on open: one row per record.
      const csv = (await readFile(store.csvPath, 'utf8')).trimEnd().split('\n');
      assert.equal(csv.length, records.length + 1);
    });
  }
});
