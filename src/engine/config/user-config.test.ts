import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userPaths } from '../../core/config/user-paths.js';
import { loadConfig } from './load.js';
import { mappedRootOf } from '../../sys/linux/rootless-uid.js';

test('user paths: XDG directories when set, ~/.local/share, ~/.config and /tmp/skiff-UID otherwise', () => {
  assert.deepEqual(userPaths(1234, '/home/u', {}), {
    root: '/home/u/.local/share/skiff',
    runroot: '/tmp/skiff-1234',
    configFile: '/home/u/.config/skiff/skiff.conf',
    authFile: '/tmp/skiff-1234/containers/auth.json',
    socket: '/tmp/skiff-1234/skiff.sock',
    pauseFile: '/tmp/skiff-1234/pause.pid',
  });
  const env = { XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c', XDG_RUNTIME_DIR: '/run/user/1234' };
  assert.deepEqual(userPaths(1234, '/home/u', env), {
    root: '/d/skiff',
    runroot: '/run/user/1234/skiff',
    configFile: '/c/skiff/skiff.conf',
    authFile: '/run/user/1234/containers/auth.json',
    socket: '/run/user/1234/skiff/skiff.sock',
    pauseFile: '/run/user/1234/skiff/pause.pid',
  });
  // The XDG spec ignores relative values.
  assert.equal(userPaths(1, '/h', { XDG_DATA_HOME: 'rel' }).root, '/h/.local/share/skiff');
});

test('rootless config: the user file over the system one, whose storage paths stay root\'s; SKIFF_CONFIG alone when set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-userconf-'));
  try {
    const system = join(dir, 'system.conf');
    writeFileSync(system, '[storage]\nroot = "/var/lib/other"\ndriver = "vfs"\n[containers]\npids_limit = 10\nshm_size = "1m"\n');
    mkdirSync(join(dir, 'cfg', 'skiff'), { recursive: true });
    writeFileSync(join(dir, 'cfg', 'skiff', 'skiff.conf'), '[containers]\npids_limit = 20\n');
    const env = { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'cfg') };
    const cfg = loadConfig({ env, rootlessUid: 4321, systemPath: system });
    assert.equal(cfg.storage.root, join(dir, 'home', '.local', 'share', 'skiff'));
    assert.equal(cfg.storage.runroot, '/tmp/skiff-4321');
    assert.equal(cfg.storage.driver, 'vfs');
    assert.equal(cfg.containers.shmSize, '1m');
    assert.equal(cfg.containers.pidsLimit, 20);
    // root reads the system file alone, storage paths included
    const rootCfg = loadConfig({ env, rootlessUid: null, systemPath: system });
    assert.equal(rootCfg.storage.root, '/var/lib/other');
    assert.equal(rootCfg.containers.pidsLimit, 10);
    // an explicit file is the only one read; a user's storage paths still default to theirs
    const only = join(dir, 'only.conf');
    writeFileSync(only, '[containers]\npids_limit = 30\n');
    const explicit = loadConfig({ env: { ...env, SKIFF_CONFIG: only }, rootlessUid: 4321, systemPath: system });
    assert.equal(explicit.containers.pidsLimit, 30);
    assert.equal(explicit.containers.shmSize, '64m');
    assert.equal(explicit.storage.root, join(dir, 'home', '.local', 'share', 'skiff'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the host uid of a namespace\'s root is read from its uid map', () => {
  assert.equal(mappedRootOf('         0       1001          1\n         1     300000      65536\n'), 1001);
  assert.equal(mappedRootOf('         0          0 4294967295\n'), 0);
  assert.equal(mappedRootOf('      1000       1000          1\n'), undefined);
});
