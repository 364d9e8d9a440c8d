// What a test needs from the machine. On a developer's machine an unmet need skips the test and
// names the need; under CI it fails instead, so a green CI run means every test ran. The switch is
// the CI variable (any value but "", "0" or "false"), which CI services set; SKIFF_TEST_STRICT=1
// asks for the same anywhere.
import type { TestContext } from 'node:test';
import { basename } from 'node:path';
import { hasBinary } from './env.js';
import { overlaySupported } from '../../src/impl/layers/index.js';

const on = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
/** True when an unmet need fails the test rather than skipping it. */
export const STRICT = on(process.env.CI) || on(process.env.SKIFF_TEST_STRICT);

export interface Need {
  met: boolean;
  what: string;
  /** How to meet it. */
  fix: string;
}

// The Debian package scripts/setup.sh installs each tool from (`dpkg -S` on the tool's path).
const PACKAGE: Record<string, string> = {
  bzip2: 'bzip2',
  clang: 'clang',
  busybox: 'busybox-static',
  conmon: 'conmon',
  curl: 'curl',
  docker: 'docker.io',
  dockerd: 'docker.io',
  'docker-compose': 'docker-compose',
  'podman-compose': 'podman-compose',
  'docker-registry': 'docker-registry',
  gcc: 'gcc',
  gpg: 'gnupg',
  htpasswd: 'apache2-utils',
  openssl: 'openssl',
  podman: 'podman',
  runc: 'runc',
  skopeo: 'skopeo',
  slirp4netns: 'slirp4netns',
  'systemd-socket-activate': 'systemd',
  tmux: 'tmux',
  wat2wasm: 'wabt',
  xz: 'xz-utils',
  zstd: 'zstd',
};

/** A program on PATH, or an absolute path to one. */
export function tool(name: string): Need {
  const pkg = PACKAGE[basename(name)];
  const fix = pkg ? `scripts/setup.sh installs it from the Debian package ${pkg}` : 'install it';
  return { met: hasBinary(name), what: name, fix };
}

export const root = (): Need => ({ met: process.getuid?.() === 0, what: 'root', fix: 'run the tests as root, as CI does' });

export const overlay = (): Need => ({ met: overlaySupported(), what: 'overlayfs', fix: 'a kernel with overlayfs (modprobe overlay)' });

/** Any other condition, named. */
export const need = (met: boolean, what: string, fix: string): Need => ({ met, what, fix });

function describe(missing: Need[]): string {
  return 'needs ' + missing.map((n) => `${n.what} (${n.fix})`).join(', ');
}

/**
 * The value for a test's `skip` option: false when every need is met, else the reason. Under CI it
 * throws instead, which fails the test file that asked.
 */
export function unmet(...needs: Need[]): string | false {
  const missing = needs.filter((n) => !n.met);
  if (missing.length === 0) return false;
  const reason = describe(missing);
  if (STRICT) throw new Error(`${reason}: under CI a test fails rather than skip (CI=${process.env.CI ?? ''})`);
  return reason;
}

/** Inside a running test: true (and the test skipped) when a need is unmet; under CI the test fails. */
export function skipped(t: TestContext, ...needs: Need[]): boolean {
  const reason = unmet(...needs);
  if (reason) t.skip(reason);
  return reason !== false;
}
