import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listHostDevices, parseProcLimits, readHostFacts } from './host-facts.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max stack size            8388608              unlimited            bytes     
Max processes             96551                96551                processes 
Max open files            1024                 20000                files     
Max realtime timeout      unlimited            unlimited            us        
`;

test('/proc/self/limits parsing', () => {
  const r = parseProcLimits(LIMITS);
  assert.deepEqual(r.RLIMIT_NOFILE, { soft: 1024, hard: 20000 });
  assert.deepEqual(r.RLIMIT_STACK, { soft: 8388608, hard: Infinity });
  assert.deepEqual(r.RLIMIT_CPU, { soft: Infinity, hard: Infinity });
  assert.equal(Object.keys(r).length, 5);
});

test('host devices carry major/minor from rdev', () => {
  const null_ = listHostDevices().find((d) => d.path === '/dev/null');
  assert.deepEqual(null_ && { type: null_.type, major: null_.major, minor: null_.minor }, { type: 'c', major: 1, minor: 3 });
  assert.ok(!listHostDevices().some((d) => d.path.startsWith('/dev/pts/')));
});

test('readHostFacts reads this host', () => {
  const f = readHostFacts();
  assert.ok(f.rlimits.RLIMIT_NOFILE && f.rlimits.RLIMIT_NOFILE.hard > 0);
  assert.ok(f.cgroupVersion === 1 || f.cgroupVersion === 2);
  assert.ok(f.lastCap >= 35);
  assert.equal(typeof f.seccomp, 'boolean');
});
