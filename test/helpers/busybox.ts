// Test images made offline from Debian's busybox-static.
import { mkdirSync, writeFileSync, copyFileSync, symlinkSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const BUSYBOX = '/bin/busybox';

/** A minimal root filesystem: busybox and its applet links, passwd/group, tmp. */
export function makeBusyboxRootfs(dir: string, opts: { applets?: string[] } = {}): string {
  if (!existsSync(BUSYBOX)) throw new Error('busybox-static is not installed (/bin/busybox)');
  for (const d of ['bin', 'etc', 'tmp', 'root', 'home', 'var', 'usr/bin', 'proc', 'sys', 'dev']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets =
    opts.applets ??
    execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
      .split('\n')
      .filter((a) => a && a !== 'busybox');
  for (const a of applets) {
    const p = join(dir, 'bin', a);
    if (!existsSync(p)) symlinkSync('busybox', p);
  }
  writeFileSync(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
  );
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n');
  return dir;
}

/** Packs a directory as an uncompressed tar with numeric owners (GNU tar). */
export function tarDir(dir: string, out: string, opts: { gzip?: boolean } = {}): string {
  execFileSync('tar', ['--numeric-owner', opts.gzip ? '-czf' : '-cf', out, '-C', dir, '.']);
  return out;
}

/** A busybox rootfs tar at `out`, made in `work`. */
export function makeBusyboxTar(work: string, out: string): string {
  const dir = join(work, 'busybox-rootfs');
  mkdirSync(dir, { recursive: true });
  makeBusyboxRootfs(dir);
  return tarDir(dir, out);
}
