import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration, goList, goQuoteList, goQuoteRune } from './go-format.js';

test("goDuration writes Go's time.Duration String", () => {
  const cases: [number, string][] = [[0, '0s'], [1e6, '1ms'], [5e8, '500ms'], [1.5e9, '1.5s'], [3e10, '30s'], [9e10, '1m30s'], [3.6e12, '1h0m0s'], [1500, '1.5µs'], [-1e9, '-1s']];
  for (const [ns, want] of cases) assert.equal(goDuration(ns), want, String(ns));
});

test('goQuoteList, goList and goQuoteRune write %q and %v of Go values', () => {
  assert.equal(goQuoteList(['/bin/sh', '-c', 'echo "a"\tb\\']), '["/bin/sh" "-c" "echo \\"a\\"\\tb\\\\"]');
  assert.equal(goList(['/bin/sh', '-ec']), '[/bin/sh -ec]');
  assert.equal(goQuoteRune(0), "'\\x00'");
  assert.equal(goQuoteRune(3), "'\\x03'");
  assert.equal(goQuoteRune(10), "'\\n'");
  assert.equal(goQuoteRune(65), "'A'");
});
