import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLdd } from './node-host.js';

test("ldd's output: libraries by the path it resolved, the loader apart, the vDSO left out", () => {
  const out = [
    '\tlinux-vdso.so.1 (0x00007ffd)',
    '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f01)',
    '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f02)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f03)',
    '',
  ].join('\n');
  assert.deepEqual(parseLdd(out), {
    loader: '/lib64/ld-linux-x86-64.so.2',
    libraries: ['/lib/x86_64-linux-gnu/libdl.so.2', '/lib/x86_64-linux-gnu/libstdc++.so.6'],
  });
  assert.deepEqual(parseLdd(''), { libraries: [] });
});
