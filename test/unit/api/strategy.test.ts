import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KosObject, ObjectWrite } from '../../../src/api/meta.js';
import type { ResourceType } from '../../../src/api/resource-type.js';
import { ipLocks, networkAttachments, subnets } from '../../../src/api/resource-types.js';
import {
  prepareForCreate,
  prepareForStatusUpdate,
  prepareForUpdate,
  setWrite,
  validateUpdate,
  writeTime,
} from '../../../src/api/strategy.js';

// Server times are opaque strings to the strategy; distinct, ordered values make stamps traceable.
const T0 = '2026-01-01T00:00:00.000000Z';
const T1 = '2026-01-01T00:00:01.000000Z';
const T2 = '2026-01-01T00:00:02.000000Z';
const NOW = '2026-01-01T00:00:09.000000Z';

function w(section: string, serverTime: string): ObjectWrite {
  return { section, serverTime };
}

function object(
  type: ResourceType,
  spec: Record<string, unknown>,
  rest: Partial<Pick<KosObject, 'status' | 'extendedMetadata'>> & { generation?: number } = {},
): KosObject {
  const obj: KosObject = {
    apiVersion: 'network.example.com/v1alpha1',
    kind: type.kind,
    metadata: { name: 'x', namespace: 'ns', uid: 'u-1' },
    spec,
  };
  if (rest.generation !== undefined) obj.metadata.generation = rest.generation;
  if (rest.status !== undefined) obj.status = rest.status;
  if (rest.extendedMetadata !== undefined) obj.extendedMetadata = rest.extendedMetadata;
  return obj;
}

const naSpec = { node: 'comp0', subnet: 's1', postCreateExec: ['echo', 'up'] };
const subnetSpec = { ipv4: '10.1.0.0/16', vni: 42 };
const lockSpec = { subnetName: 's1' };

describe('setWrite', () => {
  const cases: { what: string; writes: ObjectWrite[] | undefined; section: string; want: ObjectWrite[] }[] = [
    { what: 'starts a missing write set', writes: undefined, section: 'spec', want: [w('spec', NOW)] },
    { what: 'starts an empty write set', writes: [], section: 'spec', want: [w('spec', NOW)] },
    {
      what: 'puts a new section first and keeps the others in order',
      writes: [w('status.impl', T2), w('spec', T0)],
      section: 'status.address',
      want: [w('status.address', NOW), w('status.impl', T2), w('spec', T0)],
    },
    {
      what: 'moves a rewritten section to the front with its new time, once',
      writes: [w('status.impl', T2), w('status.address', T1), w('spec', T0)],
      section: 'status.address',
      want: [w('status.address', NOW), w('status.impl', T2), w('spec', T0)],
    },
    {
      what: 'replaces a section that is already first',
      writes: [w('spec', T1), w('status', T0)],
      section: 'spec',
      want: [w('spec', NOW), w('status', T0)],
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const before = structuredClone(c.writes);
      assert.deepEqual(setWrite(c.writes, c.section, NOW), c.want);
      // KOS's SetWrite does not side-effect its input; neither may ours (prev objects share it).
      assert.deepEqual(c.writes, before);
    });
  }
});

describe('writeTime', () => {
  const stamped = object(networkAttachments, naSpec, {
    extendedMetadata: { writes: [w('status.impl', T2), w('spec', T0)] },
  });
  const cases: { what: string; obj: KosObject; section: string; want: string | undefined }[] = [
    { what: 'the spec stamp', obj: stamped, section: 'spec', want: T0 },
    { what: 'a status stamp', obj: stamped, section: 'status.impl', want: T2 },
    { what: 'nothing for an unwritten section', obj: stamped, section: 'status.address', want: undefined },
    {
      what: 'nothing without extendedMetadata',
      obj: object(subnets, subnetSpec),
      section: 'spec',
      want: undefined,
    },
    {
      what: 'nothing without writes',
      obj: object(subnets, subnetSpec, { extendedMetadata: {} }),
      section: 'spec',
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(`reads ${c.what}`, () => {
      assert.equal(writeTime(c.obj, c.section), c.want);
    });
  }
});

describe('prepareForCreate', () => {
  const cases: { type: ResourceType; spec: Record<string, unknown>; status: Record<string, unknown> }[] = [
    { type: subnets, spec: subnetSpec, status: { validated: true, errors: ['forged'] } },
    { type: networkAttachments, spec: naSpec, status: { ipv4: '10.1.0.5', macAddress: 'aa:bb:cc:dd:ee:ff' } },
    { type: ipLocks, spec: lockSpec, status: { anything: 1 } },
  ];
  for (const c of cases) {
    it(`${c.type.kind}: clears client status and extendedMetadata, stamps only spec, generation 1`, () => {
      const obj = object(c.type, structuredClone(c.spec), {
        status: c.status,
        extendedMetadata: { writes: [w('status.impl', T1), w('spec', T0)] },
        generation: 7,
      });
      prepareForCreate(c.type, obj, NOW);
      assert.deepEqual(obj.extendedMetadata, { writes: [w('spec', NOW)] });
      // Types with a status subresource start with an empty one; IPLock has none at all.
      if (c.type.hasStatus) assert.deepEqual(obj.status, {});
      else assert.equal('status' in obj, false);
      assert.equal(obj.metadata.generation, 1);
      assert.deepEqual(obj.spec, c.spec);
    });
  }
});

describe('prepareForUpdate', () => {
  const prevWrites = [w('status.impl', T2), w('spec', T0)];
  const cases: {
    what: string;
    type: ResourceType;
    prevSpec: Record<string, unknown>;
    nextSpec: Record<string, unknown>;
    prevGeneration: number | undefined;
    specChanged: boolean;
    wantGeneration: number;
  }[] = [
    {
      what: 'NetworkAttachment: adding postDeleteExec stamps spec and bumps generation',
      type: networkAttachments,
      prevSpec: naSpec,
      nextSpec: { ...naSpec, postDeleteExec: ['echo', 'down'] },
      prevGeneration: 3,
      specChanged: true,
      wantGeneration: 4,
    },
    {
      what: 'NetworkAttachment: changing postDeleteExec stamps spec',
      type: networkAttachments,
      prevSpec: { ...naSpec, postDeleteExec: ['a'] },
      nextSpec: { ...naSpec, postDeleteExec: ['b'] },
      prevGeneration: 1,
      specChanged: true,
      wantGeneration: 2,
    },
    {
      what: 'NetworkAttachment: an identical spec is not a spec write',
      type: networkAttachments,
      prevSpec: naSpec,
      nextSpec: { ...naSpec },
      prevGeneration: 3,
      specChanged: false,
      wantGeneration: 3,
    },
    {
      what: 'NetworkAttachment: an empty postDeleteExec equals an omitted one',
      type: networkAttachments,
      prevSpec: naSpec,
      nextSpec: { ...naSpec, postDeleteExec: [] },
      prevGeneration: 2,
      specChanged: false,
      wantGeneration: 2,
    },
    {
      what: 'Subnet: the same spec in another key order is unchanged',
      type: subnets,
      prevSpec: subnetSpec,
      nextSpec: { vni: 42, ipv4: '10.1.0.0/16' },
      prevGeneration: 1,
      specChanged: false,
      wantGeneration: 1,
    },
    {
      what: 'IPLock: a new subnetName stamps spec',
      type: ipLocks,
      prevSpec: lockSpec,
      nextSpec: { subnetName: 's2' },
      prevGeneration: 1,
      specChanged: true,
      wantGeneration: 2,
    },
    {
      what: 'a stored object without generation counts as generation 1 (changed)',
      type: ipLocks,
      prevSpec: lockSpec,
      nextSpec: { subnetName: 's2' },
      prevGeneration: undefined,
      specChanged: true,
      wantGeneration: 2,
    },
    {
      what: 'a stored object without generation counts as generation 1 (unchanged)',
      type: ipLocks,
      prevSpec: lockSpec,
      nextSpec: lockSpec,
      prevGeneration: undefined,
      specChanged: false,
      wantGeneration: 1,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const prevStatus = c.type.hasStatus ? { validated: true, ipv4: '10.1.0.5' } : undefined;
      const prev = object(c.type, c.prevSpec, {
        ...(prevStatus === undefined ? {} : { status: prevStatus }),
        extendedMetadata: { writes: prevWrites },
        ...(c.prevGeneration === undefined ? {} : { generation: c.prevGeneration }),
      });
      const prevSnapshot = structuredClone(prev);
      // A main-resource update may not touch status or extendedMetadata: the client's are forged.
      const next = object(c.type, structuredClone(c.nextSpec), {
        status: { forged: true },
        extendedMetadata: { writes: [w('status.address', T1)] },
        generation: 99,
      });
      prepareForUpdate(c.type, next, prev, NOW);
      if (prevStatus === undefined) assert.equal('status' in next, false);
      else assert.deepEqual(next.status, prevStatus);
      assert.deepEqual(
        next.extendedMetadata?.writes,
        c.specChanged ? [w('spec', NOW), w('status.impl', T2)] : prevWrites,
      );
      assert.equal(writeTime(next, 'spec'), c.specChanged ? NOW : T0);
      assert.equal(next.metadata.generation, c.wantGeneration);
      assert.deepEqual(next.spec, c.nextSpec);
      assert.deepEqual(prev, prevSnapshot, 'the stored object must not be modified');
    });
  }

  it('keeps no status or extendedMetadata when the stored object has none', () => {
    const prev = object(subnets, subnetSpec);
    const next = object(subnets, subnetSpec, {
      status: { validated: true },
      extendedMetadata: { writes: [] },
    });
    prepareForUpdate(subnets, next, prev, NOW);
    assert.equal('status' in next, false);
    assert.equal('extendedMetadata' in next, false);
  });
});

describe('prepareForStatusUpdate', () => {
  const fullReport = { command: ['echo', 'up'], exitStatus: 1, stdOut: 'x', stdErr: 'y' };
  const naStatus: Record<string, unknown> = {
    lockUID: 'lock-1',
    addressVNI: 42,
    ipv4: '10.1.0.5',
    addressContention: true,
    subnetCreationTime: '2026-01-01T00:00:00Z',
    errors: { ipam: ['ipam-e'], host: ['host-e'] },
    macAddress: 'aa:bb:cc:dd:ee:ff',
    ifcName: 'kosaabbccddeeff',
    hostIP: '192.168.0.7',
    postCreateExecReport: fullReport,
  };
  const naWrites = [w('status.impl', T2), w('status.address', T1), w('spec', T0)];

  const naCases: { what: string; status: Record<string, unknown>; stamped: string[] }[] = [
    { what: 'an identical status', status: { ...naStatus }, stamped: [] },
    { what: 'lockUID', status: { ...naStatus, lockUID: 'lock-2' }, stamped: ['status.address'] },
    { what: 'addressVNI', status: { ...naStatus, addressVNI: 43 }, stamped: ['status.address'] },
    { what: 'ipv4', status: { ...naStatus, ipv4: '10.1.0.6' }, stamped: ['status.address'] },
    {
      what: 'addressContention',
      status: { ...naStatus, addressContention: false },
      stamped: ['status.address'],
    },
    {
      what: 'subnetCreationTime',
      status: { ...naStatus, subnetCreationTime: '2026-01-02T00:00:00Z' },
      stamped: ['status.address'],
    },
    {
      what: 'errors.ipam',
      status: { ...naStatus, errors: { ipam: ['other'], host: ['host-e'] } },
      stamped: ['status.address'],
    },
    {
      what: 'macAddress',
      status: { ...naStatus, macAddress: 'aa:bb:cc:dd:ee:00' },
      stamped: ['status.impl'],
    },
    { what: 'ifcName', status: { ...naStatus, ifcName: 'kos000000000000' }, stamped: ['status.impl'] },
    { what: 'hostIP', status: { ...naStatus, hostIP: '192.168.0.8' }, stamped: ['status.impl'] },
    {
      what: 'errors.host',
      status: { ...naStatus, errors: { ipam: ['ipam-e'] } },
      stamped: ['status.impl'],
    },
    {
      what: 'postCreateExecReport',
      status: { ...naStatus, postCreateExecReport: { ...fullReport, exitStatus: 0 } },
      stamped: ['status.execReport'],
    },
    {
      what: 'ipv4 and macAddress together',
      status: { ...naStatus, ipv4: '10.1.0.6', macAddress: 'aa:bb:cc:dd:ee:00' },
      stamped: ['status.address', 'status.impl'],
    },
    {
      what: 'every section at once',
      status: { ...naStatus, lockUID: 'l', hostIP: '192.168.0.9', postCreateExecReport: null },
      stamped: ['status.address', 'status.impl', 'status.execReport'],
    },
  ];
  for (const c of naCases) {
    const name =
      c.stamped.length === 0
        ? `NetworkAttachment: ${c.what} stamps no section`
        : `NetworkAttachment: a change of ${c.what} stamps ${c.stamped.join(' and ')}`;
    it(name, () => {
      const prev = object(networkAttachments, naSpec, {
        status: structuredClone(naStatus),
        extendedMetadata: { writes: naWrites },
        generation: 2,
      });
      const next = object(
        networkAttachments,
        { node: 'elsewhere', subnet: 's9' },
        { status: structuredClone(c.status), extendedMetadata: { writes: [] }, generation: 50 },
      );
      prepareForStatusUpdate(networkAttachments, next, prev, NOW);
      const writes = next.extendedMetadata?.writes ?? [];
      // Stamped sections come first at NOW; the untouched ones keep their times and order.
      const fresh = writes.filter((x) => x.serverTime === NOW).map((x) => x.section);
      assert.deepEqual([...fresh].sort(), [...c.stamped].sort());
      assert.deepEqual(
        writes.slice(fresh.length),
        naWrites.filter((x) => !c.stamped.includes(x.section)),
      );
      assert.equal(new Set(writes.map((x) => x.section)).size, writes.length, 'a section at most once');
      assert.deepEqual(next.spec, naSpec, 'a status update keeps the stored spec');
      assert.equal(next.metadata.generation, 2, 'a status update keeps the generation');
    });
  }

  it('NetworkAttachment: empty values equal omitted ones and stamp nothing', () => {
    const prev = object(networkAttachments, naSpec, {
      status: { ipv4: '10.1.0.5' },
      extendedMetadata: { writes: [w('status.address', T1), w('spec', T0)] },
    });
    const next = object(networkAttachments, naSpec, {
      status: {
        ipv4: '10.1.0.5',
        lockUID: '',
        addressVNI: 0,
        addressContention: false,
        subnetCreationTime: null,
        errors: { ipam: [], host: null },
        macAddress: '',
        postCreateExecReport: null,
      },
    });
    prepareForStatusUpdate(networkAttachments, next, prev, NOW);
    assert.deepEqual(next.extendedMetadata, { writes: [w('status.address', T1), w('spec', T0)] });
    // Stored as Go's omitempty would emit it.
    assert.deepEqual(next.status, { ipv4: '10.1.0.5' });
  });

  it('NetworkAttachment: successive writes keep the newest first and each section once', () => {
    const obj = object(networkAttachments, naSpec);
    prepareForCreate(networkAttachments, obj, T0);
    const steps: { status: Record<string, unknown>; at: string; want: ObjectWrite[] }[] = [
      { status: { ipv4: '10.1.0.5' }, at: T1, want: [w('status.address', T1), w('spec', T0)] },
      {
        status: { ipv4: '10.1.0.5', macAddress: 'aa:bb:cc:dd:ee:ff' },
        at: T2,
        want: [w('status.impl', T2), w('status.address', T1), w('spec', T0)],
      },
      {
        status: { ipv4: '10.1.0.6', macAddress: 'aa:bb:cc:dd:ee:ff' },
        at: NOW,
        want: [w('status.address', NOW), w('status.impl', T2), w('spec', T0)],
      },
    ];
    let prev = obj;
    for (const step of steps) {
      const next = object(networkAttachments, naSpec, { status: step.status });
      prepareForStatusUpdate(networkAttachments, next, prev, step.at);
      assert.deepEqual(next.extendedMetadata?.writes, step.want, `after the write at ${step.at}`);
      prev = next;
    }
  });

  it('NetworkAttachment: a successful exec report (exit 0) still decodes after storing', () => {
    const prev = object(networkAttachments, naSpec);
    prepareForCreate(networkAttachments, prev, T0);
    const report = { command: ['true'], exitStatus: 0, stdOut: '', stdErr: '' };
    const next = object(networkAttachments, naSpec, { status: { postCreateExecReport: report } });
    prepareForStatusUpdate(networkAttachments, next, prev, NOW);
    assert.equal(writeTime(next, 'status.execReport'), NOW);
    // The stored form omits the zero exit status; reading it back must give 0, not a 400.
    const decoded = networkAttachments.schema.safeParse(next);
    assert.equal(decoded.success, true, JSON.stringify(decoded.error?.issues));
    assert.deepEqual((decoded.data as KosObject).status?.postCreateExecReport, report);
  });

  const subnetCases: {
    what: string;
    prev: Record<string, unknown>;
    next: Record<string, unknown>;
    stamped: boolean;
  }[] = [
    { what: 'validated becoming true', prev: {}, next: { validated: true }, stamped: true },
    { what: 'new errors', prev: { errors: ['a'] }, next: { errors: ['a', 'b'] }, stamped: true },
    { what: 'errors cleared', prev: { errors: ['a'] }, next: {}, stamped: true },
    { what: 'the same status', prev: { validated: true }, next: { validated: true }, stamped: false },
    { what: 'false and [] for absent', prev: {}, next: { validated: false, errors: [] }, stamped: false },
  ];
  for (const c of subnetCases) {
    it(`Subnet: ${c.what} ${c.stamped ? 'stamps' : 'does not stamp'} status`, () => {
      const prevWrites = [w('spec', T0)];
      const prev = object(subnets, subnetSpec, { status: c.prev, extendedMetadata: { writes: prevWrites } });
      const next = object(subnets, { ipv4: '10.9.0.0/16', vni: 7 }, { status: structuredClone(c.next) });
      prepareForStatusUpdate(subnets, next, prev, NOW);
      assert.deepEqual(
        next.extendedMetadata?.writes,
        c.stamped ? [w('status', NOW), w('spec', T0)] : prevWrites,
      );
      assert.deepEqual(next.spec, subnetSpec);
    });
  }
});

describe('validateUpdate', () => {
  it('checks the immutable fields each resource type declares', () => {
    assert.deepEqual(subnets.immutableSpecFields, ['ipv4', 'vni']);
    assert.deepEqual(networkAttachments.immutableSpecFields, ['node', 'subnet', 'postCreateExec']);
    assert.deepEqual(ipLocks.immutableSpecFields, []);
  });

  const cases: {
    what: string;
    type: ResourceType;
    prev: Record<string, unknown>;
    next: Record<string, unknown>;
    fields: string[];
  }[] = [
    {
      what: 'a new Subnet CIDR',
      type: subnets,
      prev: subnetSpec,
      next: { ...subnetSpec, ipv4: '10.2.0.0/16' },
      fields: ['spec.ipv4'],
    },
    {
      what: 'a new Subnet VNI',
      type: subnets,
      prev: subnetSpec,
      next: { ...subnetSpec, vni: 43 },
      fields: ['spec.vni'],
    },
    {
      what: 'a new Subnet CIDR and VNI',
      type: subnets,
      prev: subnetSpec,
      next: { ipv4: '10.2.0.0/16', vni: 43 },
      fields: ['spec.ipv4', 'spec.vni'],
    },
    { what: 'an unchanged Subnet', type: subnets, prev: subnetSpec, next: { ...subnetSpec }, fields: [] },
    {
      what: 'a new node',
      type: networkAttachments,
      prev: naSpec,
      next: { ...naSpec, node: 'comp1' },
      fields: ['spec.node'],
    },
    {
      what: 'a new subnet',
      type: networkAttachments,
      prev: naSpec,
      next: { ...naSpec, subnet: 's2' },
      fields: ['spec.subnet'],
    },
    {
      what: 'a changed postCreateExec',
      type: networkAttachments,
      prev: naSpec,
      next: { ...naSpec, postCreateExec: ['echo', 'down'] },
      fields: ['spec.postCreateExec'],
    },
    {
      what: 'a removed postCreateExec',
      type: networkAttachments,
      prev: naSpec,
      next: { node: 'comp0', subnet: 's1' },
      fields: ['spec.postCreateExec'],
    },
    {
      what: 'a postCreateExec added later',
      type: networkAttachments,
      prev: { node: 'comp0', subnet: 's1' },
      next: { node: 'comp0', subnet: 's1', postCreateExec: ['x'] },
      fields: ['spec.postCreateExec'],
    },
    {
      what: 'every immutable attachment field',
      type: networkAttachments,
      prev: naSpec,
      next: { node: 'n', subnet: 's', postCreateExec: ['y'] },
      fields: ['spec.node', 'spec.subnet', 'spec.postCreateExec'],
    },
    {
      what: 'a new postDeleteExec (mutable)',
      type: networkAttachments,
      prev: naSpec,
      next: { ...naSpec, postDeleteExec: ['echo', 'bye'] },
      fields: [],
    },
    {
      what: 'an empty postCreateExec for an omitted one',
      type: networkAttachments,
      prev: { node: 'comp0', subnet: 's1' },
      next: { node: 'comp0', subnet: 's1', postCreateExec: [] },
      fields: [],
    },
    {
      what: 'a new IPLock subnetName',
      type: ipLocks,
      prev: lockSpec,
      next: { subnetName: 's2' },
      fields: [],
    },
  ];
  for (const c of cases) {
    it(`${c.fields.length === 0 ? 'accepts' : 'refuses'} ${c.what}${c.fields.length === 0 ? '' : ` (${c.fields.join(', ')})`}`, () => {
      const errors = validateUpdate(c.type, object(c.type, c.next), object(c.type, c.prev));
      assert.deepEqual(
        errors,
        c.fields.map((field) => ({
          type: 'FieldValueForbidden',
          field,
          message: 'attempt to update immutable field',
        })),
      );
    });
  }
});
