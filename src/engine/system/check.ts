/**
 * @module engine/system/check
 * `system check [--repair]`: what processes killed between two steps left, found from the
 * rows, the directories and the locks (an object whose lock is held is being worked on and is
 * left alone). Podman 5's verb is the model: report, and with repair, undo or finish.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from '../context.js';
import type { ContainerContext } from '../containers/context.js';
import { leftoversOf, undoInterruptedStart } from '../containers/recover.js';
import { isActive } from '../containers/state.js';
import { deleteContainer, refreshContainer } from '../containers/sync.js';
import { unmount } from '../../sys/mount.js';
import { releaseAddresses, leasesOf, type Lease } from '../networks/store.js';
import { removeWorkDir } from '../build/run-build.js';
import { dataDir, getVolume, volumeDir } from '../volumes/store.js';
import { inUse, releaseIfUnused, removeVolumeDir, volumeMounted } from '../volumes/data-mount.js';

export interface CheckFinding {
  /** container, volume, lease, directory, build, lock */
  kind: string;
  /** What it is about: an ID, a name or a path. */
  name: string;
  problem: string;
  repaired: boolean;
}

export interface CheckReport {
  findings: CheckFinding[];
  /** Something found and not repaired. */
  errors: boolean;
}

const ls = (d: string) => (existsSync(d) ? readdirSync(d) : []);

function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
}

function removeTree(dir: string): void {
  for (const m of mountsBelow(dir)) unmount(m, { detach: true });
  rmSync(dir, { recursive: true, force: true });
}

export async function systemCheck(ctx: EngineContext, cc: ContainerContext, opts: { repair?: boolean } = {}): Promise<CheckReport> {
  const findings: CheckFinding[] = [];
  const found = async (kind: string, name: string, problem: string, repair: () => unknown) => {
    let repaired = false;
    if (opts.repair) {
      await repair();
      repaired = true;
    }
    findings.push({ kind, name, problem, repaired });
  };

  // Containers: what a killed start, rm or build left. Each under its lock, skipped when busy.
  const rows = cc.records.list();
  for (const row of rows) {
    const lock = ctx.locks.tryLock('container', row.id);
    if (!lock) continue;
    try {
      const c = await refreshContainer(cc, row);
      if (!cc.records.get(c.id)) continue;
      const short = c.id.slice(0, 12);
      if (c.config.build && !ctx.locks.busy('build', c.config.build)) {
        await found('container', short, `working container of build ${c.config.build}, whose process is gone`, () =>
          deleteContainer(cc, c, { volumes: true }),
        );
        continue;
      }
      if (c.state.status === 'removing') {
        await found('container', short, 'an interrupted rm left it', () => deleteContainer(cc, c, { volumes: false }));
        continue;
      }
      if (isActive(c.state.status)) continue;
      const left = await leftoversOf(cc, c);
      const leases = leasesOf(ctx, { container: c.id });
      if (left.length || leases.length) {
        const what = [...left, ...leases.map((l) => `lease ${l.ip}`)].join(', ');
        await found('container', short, `not running but holds ${what}`, () => undoInterruptedStart(cc, c));
      }
    } finally {
      lock.release();
    }
  }

  // Leases of containers without a row (the foreign key drops most; a lease is cheap to check).
  const ids = new Set(cc.records.list().map((r) => r.id));
  for (const l of ctx.db.prepare('SELECT * FROM network_leases').all() as Lease[]) {
    if (ids.has(l.container)) continue;
    await found('lease', l.ip, `held by container ${l.container.slice(0, 12)}, which does not exist`, () => releaseAddresses(ctx, l.container));
  }

  // Image-store leases whose writer is gone (GC drops them too; here they are named).
  for (const l of ctx.records.leases()) {
    if (ctx.locks.busy('lease', l.id)) continue;
    await found('lease', l.id.slice(0, 12), `image store lease of process ${l.pid}, which holds it no more`, () => ctx.records.deleteLease(l.id));
  }

  // Container directories without rows: the row is written first and deleted last.
  for (const base of [join(ctx.root, 'containers'), join(ctx.runroot, 'containers')]) {
    for (const id of ls(base)) {
      if (ids.has(id) || cc.records.get(id)) continue;
      const lock = ctx.locks.tryLock('container', id);
      if (!lock) continue;
      try {
        if (cc.records.get(id)) continue;
        await found('directory', join(base, id), 'container directory without a container', () => removeTree(join(base, id)));
      } finally {
        lock.release({ unlink: true });
      }
    }
  }

  // Build work dirs of builds whose process is gone.
  const buildRoot = join(ctx.runroot, 'build');
  for (const b of ls(buildRoot)) {
    const lock = ctx.locks.tryLock('build', b);
    if (!lock) continue;
    try {
      await found('build', join(buildRoot, b), 'work directory of a build whose process is gone', () => removeWorkDir(join(buildRoot, b)));
    } finally {
      lock.release({ unlink: true });
    }
  }

  // Volumes: a directory whose row is gone (an interrupted rm), a copy-up cut short, a
  // filesystem mounted for a start or left by an exit that died before unmounting it.
  const volRoot = join(ctx.root, 'volumes');
  for (const name of ls(volRoot)) {
    const lock = ctx.locks.tryLock('volume', name);
    if (!lock) continue;
    try {
      if (!getVolume(ctx, name)) {
        await found('volume', name, 'directory without a volume', () => removeVolumeDir(ctx, name));
      } else if (volumeMounted(ctx, name) && !inUse(ctx, name)) {
        await found('volume', name, 'mounted while no container uses it', () => releaseIfUnused(ctx, name));
      } else if (existsSync(join(volumeDir(ctx, name), 'copyup-pending'))) {
        await found('volume', name, 'copy-up from an image was cut short', () => {
          for (const f of ls(dataDir(ctx, name))) rmSync(join(dataDir(ctx, name), f), { recursive: true, force: true });
          rmSync(join(volumeDir(ctx, name), 'copyup-pending'), { force: true });
        });
      }
    } finally {
      lock.release({ unlink: !getVolume(ctx, name) });
    }
  }

  // Lock files of objects that are gone (harmless, but they would pile up).
  if (opts.repair) {
    ctx.locks.sweep('container', (id) => !!cc.records.get(id));
    ctx.locks.sweep('volume', (n) => !!getVolume(ctx, n));
    ctx.locks.sweep('build', (b) => existsSync(join(buildRoot, b)));
    const leases = new Set(ctx.records.leases().map((l) => l.id));
    ctx.locks.sweep('lease', (id) => leases.has(id));
  }
  return { findings, errors: findings.some((f) => !f.repaired) };
}
