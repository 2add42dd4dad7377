import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { driveSummarySchema, type DriveSummary } from '../../../src/driver/drive-summary.js';
import { accountingProblems } from '../../../src/experiment/run/accounting.js';
import { CSV_COLUMNS } from '../../../src/experiment/store/results-csv.js';
import { runRecordSchema } from '../../../src/experiment/store/run-record.js';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { verdictExitCode } from '../../support/verdict-exit.js';
import { processesMentioning } from '../../support/kos-test-process.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'bin', 'kos-test.js');
const PHASES = ['warmup', 'cruise', 'cooldown'] as const;

// examples/shards-and-phases.yaml: 20 slots; warm-up 20 creates in 4 s (5/s, not POP/OPS = 1 s),
// cruise 4 s at 20/s, cool-down 20 deletes in 2 s (10/s), driven by two shard processes.
const SPEC = join(repo, 'examples', 'shards-and-phases.yaml');

async function summaryAt(path: string): Promise<DriveSummary> {
  return driveSummarySchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

describe('an experiment with driver.shards 2 and a given warm-up and cool-down, on the testbed', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('records one run whose shards add up to it, at the planned rate of every phase, and leaves no process running', async (t) => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-shards-'));
    const out = join(root, 'sweep');
    const log = join(root, 'run.log');
    const child = spawnManaged({
      name: 'experiment run',
      command: process.execPath,
      args: [cli, 'experiment', 'run', SPEC, '--out', out, '--json'],
      logFile: log,
      cwd: repo,
    });
    const exit = await child.exited;
    const text = await readFile(log, 'utf8');
    const pids = /driver: 2 shards \(pids (\d+), (\d+)\)/.exec(text);
    assert.ok(pids !== null, 'the runner started two shard processes');

    const lines = (await readFile(join(out, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const r = runRecordSchema.parse(JSON.parse(lines[0] ?? ''));
    // 0, or 5 when the shared host made the run invalid (its reasons are in the log); never 6.
    assert.equal(exit.code, verdictExitCode([r]), text.slice(-3000));
    assert.notEqual(exit.code, VERDICT_EXIT_CODES.failed, text.slice(-3000));
    assert.equal(r.status, 'completed', r.error ?? '');
    assert.deepEqual(accountingProblems(r), []);
    assert.equal(r.driver.shards, 2);
    assert.deepEqual([r.driver.warmupRate, r.driver.rate, r.driver.cooldownRate], [5, 20, 10]);
    assert.deepEqual(r.phases, { warmupS: 4, cruiseS: 4, cooldownS: 2 });
    assert.ok(r.costs !== null, `no costs: ${r.costsError ?? ''}`);

    // The merged summary is what the record holds, and the two shards' counts add up to it.
    const dir = join(out, r.dir);
    const merged = await summaryAt(join(dir, 'summary.json'));
    const shards = await Promise.all([0, 1].map((i) => summaryAt(join(dir, `shard-${i}`, 'summary.json'))));
    assert.deepEqual(merged.shard, { indices: [0, 1], count: 2 });
    assert.equal(r.drive?.runId, merged.runId);
    assert.deepEqual(r.drive.cruise.window, merged.phases.cruise.window);
    assert.equal(merged.total.ops.issued, 2 * r.driver.numAttachments);
    for (const p of PHASES) {
      for (const k of ['planned', 'issued', 'creates', 'deletes', 'sentInWindow'] as const)
        assert.equal(
          merged.phases[p].ops[k],
          shards.reduce((a, s) => a + (s.phases[p].ops[k] ?? 0), 0),
          `${p}.${k}`,
        );
      assert.equal(
        merged.phases[p].outcomes.attempted,
        shards.reduce((a, s) => a + s.phases[p].outcomes.attempted, 0),
      );
    }
    assert.equal(
      PHASES.reduce((a, p) => a + (merged.phases[p].ops.sentInWindow ?? 0), 0),
      merged.total.ops.issued,
      'every op in exactly one window',
    );
    const fulfilled = merged.total.outcomes.fulfilled;
    assert.ok(fulfilled >= 0.9 * merged.total.outcomes.attempted, `only ${fulfilled} fulfilled`);

    // Every phase at its own planned rate: the shards' shares sum to it.
    const want = { warmup: 5, cruise: 20, cooldown: 10 };
    const seconds = { warmup: 4, cruise: 4, cooldown: 2 };
    for (const p of PHASES) {
      const ph = merged.phases[p];
      const len = (ph.window.endMs - ph.window.startMs) / 1000;
      t.diagnostic(
        `${p}: ${ph.ops.sentInWindow}/${ph.ops.planned} ops in ${len.toFixed(3)} s: ${ph.achievedRate.toFixed(2)}/s of ${ph.targetRate}/s; late ${ph.ops.late}`,
      );
      // Each shard's share, summed (floating-point sums of halves).
      assert.ok(Math.abs((ph.nominalRate ?? 0) - want[p]) < 1e-9, `${p} nominal ${ph.nominalRate}`);
      assert.ok(Math.abs(ph.targetRate - want[p]) < 1e-9, `${p} target ${ph.targetRate}`);
      // Ops are sent at or after their due times: at most one late across a phase's end.
      assert.ok(Math.abs((ph.ops.sentInWindow ?? 0) - ph.ops.planned) <= 1, `${p}: sent in window`);
      if (p === 'cooldown') {
        // It ends with the last answer, up to one gap before the planned end.
        assert.ok(len >= seconds[p] - 1 / want[p] - 0.01 && len <= seconds[p] + 1, `cool-down ${len} s`);
      } else {
        // One shared start and the global plan: the windows are the plan's phases exactly.
        assert.ok(Math.abs(len - seconds[p]) < 1e-3, `${p} window ${len} s`);
        // Within one op of the window (5% of the warm-up's 20, 1.25% of the cruise's 80).
        assert.ok(
          Math.abs(ph.achievedRate - want[p]) <= 1 / len + 1e-9,
          `${p} achieved ${ph.achievedRate}/s`,
        );
      }
    }

    // The raw data, kept by default: each shard's per-attachment rows, gzip-compressed.
    const rows = await Promise.all(
      [0, 1].map(async (i) => {
        const gz = await readFile(join(dir, `shard-${i}`, 'attachments.csv.gz'));
        return gunzipSync(gz).toString('utf8').trimEnd().split('\n');
      }),
    );
    for (const r2 of rows) assert.match(r2[0] ?? '', /^name,node,phase,outcome,plannedMs,sentMs,/);
    assert.equal(
      rows.reduce((a, r2) => a + r2.length - 1, 0),
      merged.total.outcomes.attempted,
      'one row per attempted attachment',
    );

    // results.csv: the same columns as any sweep, one row.
    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      (csv[0] ?? '').split(','),
      CSV_COLUMNS.map((c) => c.name),
    );
    assert.equal(csv.length, 2);

    // Neither the shards (their --out is in the sweep) nor the testbed (etcd, Prometheus) are left.
    assert.deepEqual(await processesMentioning(root), [], 'processes left running');
  });
});
