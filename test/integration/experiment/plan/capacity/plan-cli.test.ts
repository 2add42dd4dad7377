/**
 * `experiment plan` and `run` through bin/kos-test.js against the CPU prediction (ADR 0019): the
 * seed's corner cell is marked and refused on this machine, `--force` lets a predicted shortfall
 * run (and the run is recorded), and nothing starts when a run is refused.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CostModel } from '../../../../../src/experiment/plan/capacity/cost-model.js';
import { defaultCostModel } from '../../../../../src/experiment/plan/capacity/default-model.js';
import { writeCostModel } from '../../../../../src/experiment/plan/capacity/model-file.js';
import { machineCpus } from '../../../../../src/experiment/target/local-machine.js';
import { runRecordSchema } from '../../../../../src/experiment/store/run-record.js';
import { verdictExitCode } from '../../../../support/verdict-exit.js';
import { runKosTest } from '../../../../support/kos-test-process.js';

// The seed's heaviest cell: OPS 60, NCA 1,800, POP 9X with X = 200, NNA 9, NKA 3, 40 VNs.
const CORNER = `name: corner
X: 200
factors: {OPS: [60], NCA: [1800], POP: [9X], NNA: [9], NKA: [3]}
cruise: 1m
driver: {numNets: 40, distribution: poisson}
target: {kind: testbed, netcd: 3, ketcd: 3}
`;

const TINY = `name: tiny
X: 5
factors: {OPS: [10], NCA: [5], POP: [2X], NNA: [1]}
cruise: 2s
driver: {numNets: 4, graceWait: 1s}
target: {kind: testbed, agentsPerGroup: 5}
overheads: {perRun: 5s, reconfigure: 10s}
`;

/** The plan table's row of run 0. */
const firstRunRow = (text: string): string => text.split('\n').find((l) => l.startsWith('0  c0-r0')) ?? '';

describe('the capacity-aware plan through the CLI', () => {
  let root: string;
  let noModel: string;
  let dearModel: string;
  let busyAgentsModel: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-capacity-cli-'));
    await writeFile(join(root, 'corner.yaml'), CORNER);
    await writeFile(join(root, 'tiny.yaml'), TINY);
    // No file: the built-in model, whatever `testbed calibrate` left in .kos-test.
    noModel = join(root, 'no-model.json');
    // This machine's model where every op costs a second of the agents' CPU: the tiny run cannot fit.
    dearModel = join(root, 'dear-model.json');
    const m: CostModel = defaultCostModel({ ...machineCpus(), measuredAt: '2026-12-06T21:00:00.000Z' });
    m.purposes.comp = { ...m.purposes.comp, cpuSecondsPerOp: 1 };
    await writeCostModel(dearModel, { ...m, source: 'calibrated' });
    // A tenth of a second an op: the tiny run's five agents, all in one process, need about a core.
    busyAgentsModel = join(root, 'busy-agents-model.json');
    m.purposes.comp = { ...m.purposes.comp, cpuSecondsPerOp: 0.1 };
    await writeCostModel(busyAgentsModel, { ...m, source: 'calibrated' });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('plan marks the corner cell as not fitting, names what to lower, and exits 1', async () => {
    const r = await runKosTest(
      ['experiment', 'plan', join(root, 'corner.yaml'), '--cost-model', noModel],
      join(root, 'plan.log'),
    );
    assert.equal(r.code, 1, r.text);
    const row = firstRunRow(r.text);
    assert.match(row, /\s1\.9\d\s+NO\s+napi 0\.6\d, comp 0\.6\d, netcd 0\.3\d$/);
    assert.match(r.text, /built-in default cost model \(no .*no-model\.json/);
    assert.match(
      r.text,
      /^kos-test: the testbed cannot hold this plan: predicted not to fit: needs ~1\.9\d cores .* lower OPS 60 to <= \d+(\.\d)?, or lower NCA or POP .* \[run 0\] \(change the spec as each reason says, or give --force to run it anyway\)$/m,
    );
  });

  it('plan --force lists it and exits 0', async () => {
    const r = await runKosTest(
      ['experiment', 'plan', join(root, 'corner.yaml'), '--force', '--cost-model', noModel],
      join(root, 'plan-force.log'),
    );
    assert.equal(r.code, 0, r.text);
    assert.match(
      r.text,
      /1 run\(s\) predicted not to fit \(experiment run refuses them unless --force\):\n {2}run 0: needs ~1\.9\d cores/,
    );
  });

  it('plan names the agents per process that fit when one agent process would need more than a core', async () => {
    const r = await runKosTest(
      ['experiment', 'plan', join(root, 'tiny.yaml'), '--cost-model', busyAgentsModel],
      join(root, 'plan-agents.log'),
    );
    assert.equal(r.code, 1, r.text);
    // The machine's cores would hold it; the run's row says it does not fit all the same.
    const row = firstRunRow(r.text);
    assert.match(row, /\s1\.\d\d\s+NO\s+comp 1\.\d\d/);
    assert.match(
      r.text,
      /predicted not to fit: the busiest agent process \(5 agents\) needs ~1\.\d\d cores, but one process runs on one core \(0\.75 usable\): lower target\.agentsPerGroup to <= [1-4] \[run 0\]/,
    );
  });

  it('run refuses the corner cell in one line and starts nothing', async () => {
    const out = join(root, 'corner-out');
    const r = await runKosTest(
      ['experiment', 'run', join(root, 'corner.yaml'), '--out', out, '--cost-model', noModel],
      join(root, 'run.log'),
    );
    assert.equal(r.code, 1, r.text);
    assert.equal(r.text.trimEnd().split('\n').length, 1, r.text);
    assert.match(
      r.text.trimEnd(),
      /^kos-test: the testbed cannot hold this plan: predicted not to fit: .*give --force to run it anyway\)$/,
    );
    await assert.rejects(stat(out), /ENOENT/);
  });

  it('run --force runs a run predicted not to fit, says so, and records it', async () => {
    const refused = await runKosTest(
      [
        'experiment',
        'run',
        join(root, 'tiny.yaml'),
        '--out',
        join(root, 'tiny-refused'),
        '--cost-model',
        dearModel,
      ],
      join(root, 'tiny-refused.log'),
    );
    assert.equal(refused.code, 1, refused.text);
    assert.match(refused.text, /predicted not to fit: needs ~10\.\d+ cores \(comp 10\.\d+/);

    const out = join(root, 'tiny-forced');
    const r = await runKosTest(
      [
        'experiment',
        'run',
        join(root, 'tiny.yaml'),
        '--out',
        out,
        '--json',
        '--force',
        '--cost-model',
        dearModel,
      ],
      join(root, 'tiny-forced.log'),
    );
    assert.match(r.text, /--force: running anyway, predicted not to fit: needs ~10\.\d+ cores/);
    const lines = (await readFile(join(out, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const record = runRecordSchema.parse(JSON.parse(lines[0] ?? ''));
    assert.equal(record.status, 'completed', record.error ?? '');
    // 0, or 5 when the shared host made the run invalid (its reasons are in the log); never 6.
    assert.equal(r.code, verdictExitCode([record]), r.text.slice(-3000));
  });
});
