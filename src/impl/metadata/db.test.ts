// Writes that find another connection's write lock: with a short busy timeout, writeTxAsync waits
// on timers (the event loop keeps running) and writeTx still succeeds by falling back to the long wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, writeTx, writeTxAsync } from './db.js';

function scratch(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-db-'));
  return { path: join(dir, 'skiff.db'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('writeTxAsync waits for a held lock on timers, then writes', async () => {
  const { path, done } = scratch();
  const holder = openDatabase(path);
  const db = openDatabase(path, { busyTimeoutMs: 5 });
  try {
    holder.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const tick = setInterval(() => ticks++, 5);
    const release = setTimeout(() => holder.exec('COMMIT'), 300);
    const row = await writeTxAsync(db, () => {
      db.prepare("INSERT INTO networks (id, name, driver, interface, subnet, gateway, internal, dns_enabled, labels, options, created) VALUES ('n1', 'n1', 'bridge', 'x0', '10.0.0.0/24', '10.0.0.1', 0, 0, '{}', '{}', '')").run();
      return db.prepare('SELECT count(*) AS n FROM networks').get() as { n: number };
    });
    clearInterval(tick);
    clearTimeout(release);
    assert.equal(row.n, 1);
    // The loop ran timers while the write waited: the release above is one of them.
    assert.ok(ticks > 0);
  } finally {
    db.close();
    holder.close();
    done();
  }
});

test('writeTx with a short busy timeout still waits out another process holding the lock', async () => {
  const { path, done } = scratch();
  const db = openDatabase(path, { busyTimeoutMs: 5 });
  const req = createRequire(import.meta.url);
  const script = `
    const Database = require(${JSON.stringify(req.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
    });
    const n = writeTx(db, () => db.prepare("INSERT INTO networks (id, name, driver, interface, subnet, gateway, internal, dns_enabled, labels, options, created) VALUES ('n2', 'n2', 'bridge', 'x1', '10.0.1.0/24', '10.0.1.1', 0, 0, '{}', '{}', '')").run().changes);
    assert.equal(n, 1);
    // The short timeout is back for the next write.
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5);
    // An autocommit write outside any transaction waits the same way.
    const child2 = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child2.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    assert.equal(db.prepare("UPDATE networks SET gateway = '10.0.1.2' WHERE id = 'n2'").run().changes, 1);
    child2.kill();
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5);
  } finally {
    child.kill();
    db.close();
    done();
  }
});

test("a short-timeout (service) database hands out one prepared statement per SQL text, which reads each call's parameters", () => {
  const { path, done } = scratch();
  const db = openDatabase(path, { busyTimeoutMs: 5 });
  try {
    const sql = 'SELECT ? + 1 AS n';
    const a = db.prepare(sql);
    assert.equal(db.prepare(sql), a);
    assert.equal((a.get(1) as { n: number }).n, 2);
    assert.equal((db.prepare(sql).get(41) as { n: number }).n, 42);
  } finally {
    db.close();
    done();
  }
});
