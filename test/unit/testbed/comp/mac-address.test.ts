import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifcName, macAddress, macBytes } from '../../../../src/testbed/comp/mac-address.js';

describe('KOS guest MAC address and interface name', () => {
  const cases: { vni: number; ip: string; mac: string; name: string; why: string }[] = [
    {
      vni: 1,
      ip: '10.0.0.1',
      mac: '06:00:00:01:00:01',
      name: 'kos060000010001',
      why: 'bit 1 of ip0 moves to bit 2',
    },
    {
      vni: 2097151,
      ip: '192.168.1.2',
      mac: 'fa:a8:01:02:ff:ff',
      name: 'kosfaa80102ffff',
      why: 'largest VNI',
    },
    {
      vni: 8192,
      ip: '172.16.5.9',
      mac: '02:10:05:09:20:00',
      name: 'kos021005092000',
      why: 'VNI bit 13 is dropped (0xF8 mask)',
    },
    {
      vni: 65536,
      ip: '11.22.33.44',
      mac: '0e:16:21:2c:00:00',
      name: 'kos0e16212c0000',
      why: 'VNI bit 16 lands in byte 0',
    },
    { vni: 0x1e3456, ip: '3.4.5.6', mac: 'f6:04:05:06:34:56', name: 'kosf60405063456', why: 'all parts set' },
    {
      vni: 300,
      ip: '10.255.0.254',
      mac: '06:ff:00:fe:01:2c',
      name: 'kos06ff00fe012c',
      why: 'two-digit hex, zero padded',
    },
  ];
  for (const c of cases) {
    it(`VNI ${c.vni}, ${c.ip} → ${c.mac} (${c.why})`, () => {
      assert.equal(macAddress(c.vni, c.ip), c.mac);
      assert.equal(ifcName(c.mac), c.name);
      assert.equal(c.name.length, 15, 'fits IFNAMSIZ');
    });
  }

  it('marks every MAC locally administered unicast', () => {
    for (const c of cases) {
      const b0 = macBytes(c.vni, c.ip)?.[0] ?? -1;
      assert.equal(b0 & 0x03, 0x02, c.mac);
    }
  });

  for (const ip of ['10.0.0', '10.0.0.256', '', 'a.b.c.d', '10.0.0.01']) {
    it(`gives no MAC for the malformed address ${JSON.stringify(ip)}`, () => {
      assert.equal(macAddress(7, ip), undefined);
    });
  }
});
