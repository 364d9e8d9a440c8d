import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRestartPolicy, parseRestartFlag } from './restart-policy.js';

test("--restart parses as the docker CLI's opts.ParseRestartPolicy", () => {
  assert.deepEqual(parseRestartFlag('always'), { name: 'always', maximumRetryCount: 0 });
  assert.deepEqual(parseRestartFlag('on-failure:3'), { name: 'on-failure', maximumRetryCount: 3 });
  assert.equal(parseRestartFlag(''), undefined);
  assert.throws(() => parseRestartFlag(':3'), /^EngineError: invalid restart policy format: no policy provided before colon$/);
  assert.throws(() => parseRestartFlag('on-failure:x'), /maximum retry count must be an integer/);
  assert.throws(() => parseRestartFlag('on-failure:1.5'), /maximum retry count must be an integer/);
});

test("restart policies are checked with dockerd's ValidateRestartPolicy", () => {
  for (const name of ['', 'no', 'always', 'unless-stopped', 'on-failure']) checkRestartPolicy({ name, maximumRetryCount: 0 }, false);
  checkRestartPolicy({ name: 'on-failure', maximumRetryCount: 5 }, false);
  checkRestartPolicy({ name: 'no', maximumRetryCount: 0 }, true);
  const refused = (name: string, n: number, msg: string, autoRemove = false) =>
    assert.throws(() => checkRestartPolicy({ name, maximumRetryCount: n }, autoRemove), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'InvalidArgument');
      assert.equal(e.message, msg);
      return true;
    });
  refused('sometimes', 0, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
  refused('always', 3, "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  refused('no', -1, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative");
  refused('on-failure', -1, 'invalid restart policy: maximum retry count cannot be negative');
  refused('always', 0, "can't create 'AutoRemove' container with restart policy", true);
});
