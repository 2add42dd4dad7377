import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4, parseCidr, parseIPv4 } from '../../../../src/api/ipv4-cidr.js';
import { pickAddress, rangeSize, usableRange } from '../../../../src/testbed/nctrl/address-range.js';

function range(cidr: string): { first: number; last: number } {
  const parsed = parseCidr(cidr);
  if (parsed === undefined) throw new Error(`bad test CIDR ${cidr}`);
  return usableRange(parsed);
}

const ip = (text: string): number => parseIPv4(text) ?? -1;

describe('usableRange skips the network and broadcast addresses', () => {
  const cases: { cidr: string; first: string; last: string; size: number }[] = [
    { cidr: '10.0.0.0/24', first: '10.0.0.1', last: '10.0.0.254', size: 254 },
    { cidr: '10.1.8.0/21', first: '10.1.8.1', last: '10.1.15.254', size: 2046 },
    { cidr: '192.168.5.77/30', first: '192.168.5.77', last: '192.168.5.78', size: 2 },
    { cidr: '172.16.0.0/31', first: '172.16.0.0', last: '172.16.0.1', size: 2 },
    { cidr: '172.16.0.9/32', first: '172.16.0.9', last: '172.16.0.9', size: 1 },
  ];
  for (const c of cases) {
    it(`${c.cidr} -> ${c.first}..${c.last}`, () => {
      const r = range(c.cidr);
      assert.equal(formatIPv4(r.first), c.first);
      assert.equal(formatIPv4(r.last), c.last);
      assert.equal(rangeSize(r), c.size);
    });
  }
});

describe('pickAddress', () => {
  const r = range('10.0.0.0/29'); // .1 .. .6
  const cases: { name: string; taken: string[]; from?: string; want: string | undefined }[] = [
    { name: 'the first address when all are free', taken: [], want: '10.0.0.1' },
    { name: 'skips taken ones', taken: ['10.0.0.1', '10.0.0.2'], want: '10.0.0.3' },
    { name: 'starts at the cursor', taken: [], from: '10.0.0.4', want: '10.0.0.4' },
    { name: 'wraps round past the end', taken: ['10.0.0.5', '10.0.0.6'], from: '10.0.0.5', want: '10.0.0.1' },
    { name: 'treats a cursor past the range as its start', taken: [], from: '10.0.0.7', want: '10.0.0.1' },
    {
      name: 'finds the one hole',
      taken: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.5', '10.0.0.6'],
      from: '10.0.0.5',
      want: '10.0.0.4',
    },
    {
      name: 'gives undefined when the subnet is full',
      taken: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'],
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const taken = new Set(c.taken.map(ip));
      const got = pickAddress(r, (a) => taken.has(a), c.from === undefined ? undefined : ip(c.from));
      assert.equal(got === undefined ? undefined : formatIPv4(got), c.want);
    });
  }
});
