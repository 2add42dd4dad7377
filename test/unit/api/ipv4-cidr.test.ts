import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, isRfc1918, parseCidr, parseIPv4 } from '../../../src/api/ipv4-cidr.js';

describe('parseIPv4', () => {
  const cases: { text: string; want: number | undefined }[] = [
    { text: '0.0.0.0', want: 0 },
    { text: '10.0.0.1', want: 0x0a000001 },
    { text: '192.168.1.254', want: 0xc0a801fe },
    { text: '255.255.255.255', want: 0xffffffff },
    { text: '256.0.0.0', want: undefined },
    { text: '1.2.3', want: undefined },
    { text: '1.2.3.4.5', want: undefined },
    { text: '1.2.3.', want: undefined },
    { text: '.1.2.3', want: undefined },
    { text: '1..2.3', want: undefined },
    { text: '01.2.3.4', want: undefined },
    { text: '1.2.3.0004', want: undefined },
    { text: '1.2.3.4 ', want: undefined },
    { text: ' 1.2.3.4', want: undefined },
    { text: '+1.2.3.4', want: undefined },
    { text: '1.2.3.4/8', want: undefined },
    { text: '::1', want: undefined },
    { text: '', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.want === undefined ? 'rejects' : 'reads'} ${JSON.stringify(c.text)}`, () => {
      assert.equal(parseIPv4(c.text), c.want);
    });
  }
});

describe('formatIPv4', () => {
  for (const text of ['0.0.0.0', '10.0.0.1', '172.31.255.255', '255.255.255.255']) {
    it(`round-trips ${text}`, () => {
      assert.equal(formatIPv4(parseIPv4(text) ?? -1), text);
    });
  }
});

describe('parseCidr', () => {
  const cases: { text: string; want: { base: string; last: string; prefix: number } | undefined }[] = [
    { text: '10.0.0.0/8', want: { base: '10.0.0.0', last: '10.255.255.255', prefix: 8 } },
    { text: '10.1.2.3/8', want: { base: '10.0.0.0', last: '10.255.255.255', prefix: 8 } },
    { text: '192.168.7.9/24', want: { base: '192.168.7.0', last: '192.168.7.255', prefix: 24 } },
    { text: '1.2.3.4/32', want: { base: '1.2.3.4', last: '1.2.3.4', prefix: 32 } },
    { text: '1.2.3.4/0', want: { base: '0.0.0.0', last: '255.255.255.255', prefix: 0 } },
    { text: '172.20.1.1/12', want: { base: '172.16.0.0', last: '172.31.255.255', prefix: 12 } },
    { text: '10.0.0.0/08', want: { base: '10.0.0.0', last: '10.255.255.255', prefix: 8 } },
    { text: '10.0.0.0/33', want: undefined },
    { text: '10.0.0.0/', want: undefined },
    { text: '10.0.0.0', want: undefined },
    { text: '10.0.0.0/-1', want: undefined },
    { text: '10.0.0.0/8/8', want: undefined },
    { text: '10.0.0.0/ 8', want: undefined },
    { text: '10.0.0/8', want: undefined },
    { text: '10.0.0.256/8', want: undefined },
    { text: 'fd00::/8', want: undefined },
    { text: '/8', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.want === undefined ? 'rejects' : 'reads'} ${JSON.stringify(c.text)}`, () => {
      const got = parseCidr(c.text);
      assert.deepEqual(
        got === undefined
          ? undefined
          : { base: formatIPv4(got.base), last: formatIPv4(got.last), prefix: got.prefix },
        c.want,
      );
    });
  }
});

describe('isRfc1918', () => {
  const cases: { cidr: string; want: boolean }[] = [
    { cidr: '10.0.0.0/8', want: true },
    { cidr: '10.255.255.255/32', want: true },
    { cidr: '10.0.0.0/7', want: false },
    { cidr: '11.0.0.0/8', want: false },
    { cidr: '9.255.255.255/32', want: false },
    { cidr: '172.16.0.0/12', want: true },
    { cidr: '172.16.0.0/11', want: false },
    { cidr: '172.15.255.0/24', want: false },
    { cidr: '172.31.255.0/24', want: true },
    { cidr: '172.32.0.0/24', want: false },
    { cidr: '192.168.0.0/16', want: true },
    { cidr: '192.168.255.255/32', want: true },
    { cidr: '192.168.0.0/15', want: false },
    { cidr: '192.169.0.0/24', want: false },
    { cidr: '0.0.0.0/0', want: false },
  ];
  for (const c of cases) {
    it(`${c.want ? 'accepts' : 'rejects'} ${c.cidr}`, () => {
      const cidr = parseCidr(c.cidr);
      assert.ok(cidr !== undefined);
      assert.equal(isRfc1918(cidr.base, cidr.last), c.want);
    });
  }
});
