/** Fails a data-plane test at once, naming what is missing, on a machine that cannot run it. */
import assert from 'node:assert/strict';
import { dataPlaneSupport } from '../../src/testbed/data-plane/support.js';

export function assertDataPlaneSupported(): void {
  const support = dataPlaneSupport();
  assert.ok(
    support.ok,
    `the testbed's data plane needs root, ip, nsenter and ping: ${support.ok ? '' : support.reason}`,
  );
}
