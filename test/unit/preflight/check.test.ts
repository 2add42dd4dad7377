import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  preflightProblems,
  type PreflightFacts,
  type PreflightNeeds,
} from '../../../src/preflight/preflight-check.js';

const MIB = 1024 * 1024;
const needs: PreflightNeeds = {
  binaries: [
    { name: 'etcd', fix: 'install etcd' },
    { name: 'prometheus', fix: 'install prometheus' },
  ],
  listen: [{ host: '127.1.0.1', port: 0, what: 'netcd nodes' }],
  minMemoryBytes: 400 * MIB,
  disk: { dir: '/out', minBytes: 1024 * MIB },
  minOpenFiles: 1024,
  testbedDir: '/tb',
};
const healthy: PreflightFacts = {
  missingBinaries: [],
  unbindable: [],
  availableMemoryBytes: 8192 * MIB,
  freeDiskBytes: 10_000 * MIB,
  openFiles: 20_000,
};

describe('preflight problems, one short line each', () => {
  const cases: [string, Partial<PreflightFacts>, string[]][] = [
    ['a healthy machine', {}, []],
    [
      'missing binaries',
      { missingBinaries: ['etcd', 'prometheus'] },
      ['etcd is missing: install etcd', 'prometheus is missing: install prometheus'],
    ],
    [
      'a port in use',
      { unbindable: [{ host: '127.0.0.1', port: 9376, what: "the driver's /metrics", code: 'EADDRINUSE' }] },
      ["127.0.0.1:9376 (the driver's /metrics) is in use: stop what holds it or choose another port"],
    ],
    [
      'a loopback address that cannot be bound',
      { unbindable: [{ host: '127.1.0.1', port: 0, what: 'netcd nodes', code: 'EADDRNOTAVAIL' }] },
      [
        'address 127.1.0.1 (netcd nodes) cannot be bound (EADDRNOTAVAIL): the testbed needs all of 127.0.0.0/8 on lo, as Linux has',
      ],
    ],
    [
      'too little memory',
      { availableMemoryBytes: 300 * MIB },
      ['300 MiB of memory available, at least 400 MiB needed: free some memory'],
    ],
    [
      'too little disk',
      { freeDiskBytes: 512 * MIB },
      ['512 MiB free on the disk of /out, at least 1024 MiB needed: free some space or write elsewhere'],
    ],
    [
      'a low open-file limit',
      { openFiles: 512 },
      ['ulimit -n is 512, at least 1024 needed: raise it (ulimit -n 4096)'],
    ],
    [
      'a testbed still up',
      { leftover: { supervisorPid: 42, orphanPids: [] } },
      ['a testbed is up in /tb (supervisor pid 42): kos-test testbed down --dir /tb'],
    ],
    [
      'etcd and Prometheus left by a killed testbed',
      { leftover: { orphanPids: [7, 8] } },
      ['a testbed in /tb left etcd/Prometheus running (pids 7, 8): kos-test testbed down --dir /tb'],
    ],
    ['a stopped testbed that left nothing', { leftover: { orphanPids: [] } }, []],
  ];
  for (const [name, facts, lines] of cases)
    it(name, () => {
      const problems = preflightProblems(needs, { ...healthy, ...facts });
      assert.deepEqual(problems, lines);
      for (const p of problems) assert.ok(!p.includes('\n') && p.length < 160, p);
    });

  it('lets a sweep resume over what a killed runner left: its testbed stops those on start', () => {
    const resume = { ...needs, resumesAfterCrash: true };
    assert.deepEqual(preflightProblems(resume, { ...healthy, leftover: { orphanPids: [7, 8] } }), []);
    assert.deepEqual(
      preflightProblems(resume, { ...healthy, leftover: { supervisorPid: 42, orphanPids: [] } }),
      ['a testbed is up in /tb (supervisor pid 42): kos-test testbed down --dir /tb'],
    );
  });

  it('reports every problem found, not only the first', () => {
    const all = preflightProblems(needs, {
      ...healthy,
      missingBinaries: ['etcd'],
      openFiles: 512,
      freeDiskBytes: 0,
    });
    assert.equal(all.length, 3);
  });
});
