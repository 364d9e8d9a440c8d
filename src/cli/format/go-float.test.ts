import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFloat } from './go-float.js';
import { sprintf } from './go-fmt.js';

// Expected values are Go's strconv.FormatFloat / fmt.Sprintf output.

test('shortest forms switch to exponents below 1e-4 and from 1e21 (%v is %g)', () => {
  assert.equal(formatFloat(1e6, 'g', -1), '1e+06');
  assert.equal(formatFloat(123456, 'g', -1), '123456');
  assert.equal(formatFloat(0.0001, 'g', -1), '0.0001');
  assert.equal(formatFloat(0.00001, 'g', -1), '1e-05');
  assert.equal(formatFloat(1.7976931348623157e308, 'g', -1), '1.7976931348623157e+308');
  assert.equal(formatFloat(5e-324, 'e', -1), '5e-324');
  assert.equal(formatFloat(-0, 'g', -1), '-0');
  assert.equal(formatFloat(NaN, 'g', -1), 'NaN');
  assert.equal(formatFloat(-Infinity, 'f', 2), '-Inf');
});

test('fixed precision rounds the exact binary value, ties to even', () => {
  assert.equal(formatFloat(2.5, 'f', 0), '2');
  assert.equal(formatFloat(3.5, 'f', 0), '4');
  assert.equal(formatFloat(0.125, 'f', 2), '0.12');
  assert.equal(formatFloat(0.375, 'f', 2), '0.38');
  // 1.005 is 1.00499999999999989… in binary
  assert.equal(formatFloat(1.005, 'f', 2), '1.00');
  assert.equal(formatFloat(0.05, 'f', 1), '0.1');
  assert.equal(formatFloat(1.125, 'g', 3), '1.12');
  assert.equal(formatFloat(9.995, 'g', 3), '9.99');
  assert.equal(formatFloat(999.9, 'g', 3), '1e+03');
  assert.equal(formatFloat(0, 'e', 3), '0.000e+00');
  assert.equal(formatFloat(123456.789, 'e', 6), '1.234568e+05');
  // %f prints every digit of the binary value, as Go does
  assert.equal(formatFloat(1e100, 'f', 0), '10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104');
});

test('Sprintf sign, zero padding and width around floats', () => {
  assert.equal(sprintf('%08.3f|%+.2e|% .1f|%-8.2f|', [-3.14159, 12345.678, 2, 1.5]), '-003.142|+1.23e+04| 2.0|1.50    |');
  assert.equal(sprintf('%6.2f%%', [12.3456]), ' 12.35%');
  assert.equal(sprintf('%05.1f|%5.1f', [Infinity, NaN]), ' +Inf|  NaN');
});
