import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, TokenCache, tokenKey } from './auth.js';

test('challenges: quoted and bare values, several schemes', () => {
  const [b] = parseChallenges('Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push"');
  assert.deepEqual(b, { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg.example', scope: 'repository:a/b:pull,push' } });
  const two = parseChallenges(['Basic realm=x', 'Bearer realm="r",error="insufficient_scope"']);
  assert.deepEqual(two.map((c) => c.scheme), ['basic', 'bearer']);
  assert.equal(two[1]!.params.error, 'insufficient_scope');
});

test('tokens: one fetch for concurrent callers, reuse, a refused token replaced once', async () => {
  const cache = new TokenCache();
  let n = 0;
  const fetch = async () => {
    await new Promise((r) => setTimeout(r, 10));
    return { token: `t${++n}`, expiresIn: 300 };
  };
  const key = tokenKey('reg', { username: 'u', password: 'p' }, ['repository:a:pull']);
  assert.deepEqual(await Promise.all([cache.obtain(key, fetch), cache.obtain(key, fetch)]), ['t1', 't1']);
  assert.equal(await cache.obtain(key, fetch), 't1');
  // Two requests both refused t1: the first fetches t2, the second gets t2 without a fetch.
  assert.deepEqual(await Promise.all([cache.obtain(key, fetch, 't1'), cache.obtain(key, fetch, 't1')]), ['t2', 't2']);
  assert.equal(await cache.obtain(key, fetch, 't1'), 't2');
  assert.equal(n, 2);
});

test('tokens: a failed fetch is not cached', async () => {
  const cache = new TokenCache();
  await assert.rejects(cache.obtain('k', () => Promise.reject(new Error('no'))), /no/);
  assert.equal(await cache.obtain('k', async () => ({ token: 'ok' })), 'ok');
});

test('token keys: scope order does not matter; credentials do', () => {
  const c = { username: 'u', password: 'p' };
  assert.equal(tokenKey('r', c, ['b', 'a', 'a']), tokenKey('r', c, ['a', 'b']));
  assert.notEqual(tokenKey('r', c, ['a']), tokenKey('r', { username: 'u', password: 'q' }, ['a']));
  assert.notEqual(tokenKey('r', c, ['a']), tokenKey('r', undefined, ['a']));
  assert.doesNotMatch(tokenKey('r', c, ['a']), /\bp\b/);
});
