import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigToIp6, cidr6String, contains6, ip6ToBig, overlaps6, parseCidr6 } from './ip6.js';

test('IPv6 addresses round-trip to RFC 5952 text', () => {
  const cases: [string, string][] = [
    ['fd00::1', 'fd00::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fd00:ab:0:0:1::', 'fd00:ab:0:0:1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['FD00:AB::12', 'fd00:ab::12'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
  ];
  for (const [a, b] of cases) assert.equal(bigToIp6(ip6ToBig(a)), b, a);
});

test('an IPv6 prefix is masked to its network and tests containment and overlap', () => {
  const c = parseCidr6('fd00:ab::77/64');
  assert.equal(cidr6String(c), 'fd00:ab::/64');
  assert.equal(contains6(c, ip6ToBig('fd00:ab::5')), true);
  assert.equal(contains6(c, ip6ToBig('fd00:ac::5')), false);
  assert.equal(overlaps6(c, parseCidr6('fd00::/16')), true);
  assert.equal(overlaps6(c, parseCidr6('fd00:ac::/64')), false);
  assert.throws(() => parseCidr6('10.0.0.0/24'));
});
