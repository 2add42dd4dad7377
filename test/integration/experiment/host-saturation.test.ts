/**
 * A small sweep on the testbed while CPU burners we start saturate the host on purpose: the run is
 * recorded invalid with host saturation among its reasons (what, by how much, what to lower),
 * everywhere it is shown, and `experiment run` exits 5. The burners run at nice 19 so the testbed
 * itself still gets the CPU it needs; they are killed by PID.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseJunit, type TestSuites } from 'junit2json';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { runRecordSchema } from '../../../src/experiment/store/run-record.js';
import { HOST_SATURATION_CODES } from '../../../src/experiment/verdict/validity.js';
import { runKosTest } from '../../support/kos-test-process.js';

const SPEC = `name: saturated
X: 20
factors: {OPS: [20], NCA: [10], POP: [1X], NNA: [1], NKA: [1]}
cruise: 6s
driver: {numNets: 4, graceWait: 1s}
target: {kind: testbed, agentsPerGroup: 10}
overheads: {perRun: 5s, reconfigure: 10s}
`;

describe('a sweep on a host saturated on purpose', () => {
  let root: string | undefined;
  const burners: ChildProcess[] = [];
  /** SIGKILLs each burner by its PID and waits until it is reaped. */
  const stopBurners = () =>
    Promise.all(
      burners.map((b) =>
        b.exitCode !== null || b.signalCode !== null
          ? Promise.resolve()
          : new Promise((done) => {
              b.once('exit', done);
              b.kill('SIGKILL');
            }),
      ),
    );
  after(async () => {
    await stopBurners();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('records the run invalid with host saturation among its reasons, and exits 5', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-saturated-'));
    const spec = join(root, 'saturated.yaml');
    await writeFile(spec, SPEC);
    // Twice as many busy loops as CPUs: always a task waiting for a CPU. nice execs node, same PID.
    for (let i = 0; i < 2 * availableParallelism(); i++)
      burners.push(spawn('nice', ['-n', '19', process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' }));
    const out = join(root, 'sweep');
    const log = join(root, 'run.log');
    const junit = join(root, 'junit.xml');
    const exit = await runKosTest(['experiment', 'run', spec, '--out', out, '--json', '--junit', junit], log);
    await stopBurners();
    const text = exit.text;
    assert.equal(exit.code, VERDICT_EXIT_CODES.invalid, text.slice(-3000));

    const [line = ''] = (await readFile(join(out, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    const r = runRecordSchema.parse(JSON.parse(line));
    assert.equal(r.status, 'completed', r.error ?? '');
    assert.equal(r.validity?.status, 'invalid');
    assert.ok(r.host !== null && r.host !== undefined, 'the host was sampled over the cruise');
    assert.ok(r.host.busyFraction > 0.9, `host busy ${r.host.busyFraction}`);
    // Samples come at Poisson times 250 ms apart on average: the first gap inside the 6 s cruise
    // exceeds 1 s one time in 55 (e^-4), 3 s one time in 160,000 (e^-12).
    const cruise = r.drive?.cruise.window;
    assert.ok(cruise !== undefined);
    assert.ok(
      r.host.fromMs >= cruise.startMs && r.host.fromMs <= cruise.startMs + 3000,
      `samples start with the cruise: first at +${r.host.fromMs - cruise.startMs} ms`,
    );
    assert.ok(r.host.samples >= 6, `${r.host.samples} samples over the cruise`);
    const host = r.validity.reasons.filter((x) => HOST_SATURATION_CODES.includes(x.code));
    assert.ok(host.length > 0, JSON.stringify(r.validity.reasons));
    const busy = host.find((x) => x.code === 'host-cpu-busy');
    assert.ok(busy !== undefined && busy.measured !== null && busy.threshold === 0.9);
    assert.ok(busy.measured > busy.threshold);
    assert.match(busy.message, /^host CPU busy \d+\.\d% over the cruise \(limit 90\.0%, \d+ CPUs/);
    assert.match(
      busy.message,
      /lower OPS, NNA or NCA \(now OPS 20, NNA 1, NCA 10\), or run this cell on a cluster/,
    );

    // The same verdict in the progress lines, results.csv, verdict.json, JUnit and the report.
    const end = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { kind: string; validity?: string; reasons?: string[] })
      .find((e) => e.kind === 'run-end');
    assert.equal(end?.validity, 'invalid');
    assert.ok(end.reasons?.includes('host-cpu-busy'));
    const [head = '', row = ''] = (await readFile(join(out, 'results.csv'), 'utf8')).split('\n');
    assert.equal(row.split(',')[head.split(',').indexOf('validity')], 'invalid');
    const verdict = JSON.parse(await readFile(join(out, 'verdict.json'), 'utf8')) as { outcome: string };
    assert.equal(verdict.outcome, 'invalid');
    const suite = ((await parseJunit(await readFile(junit, 'utf8'))) as TestSuites).testsuite?.[0];
    const validity = suite?.testcase?.find((c) => c.name === 'validity');
    assert.equal(validity?.failure?.[0]?.type, 'invalid');
    assert.match(validity.failure[0].message ?? '', /host-cpu-busy/);
    const report = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(report, /data-outcome="invalid"><b>INVALID RUNS/);
    assert.match(report, /data-code="host-cpu-busy"/);
    for (const b of burners) assert.equal(b.signalCode, 'SIGKILL', `burner ${b.pid} was not stopped`);
  });
});
