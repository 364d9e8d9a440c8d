/**
 * @module security-opts
 * `--security-opt` strings → SecurityOptions. A seccomp profile path is returned for the caller
 * to read (core does no I/O) and then pass back through `parseSeccompProfile`.
 */
import { invalidArgument } from '../errdefs.js';
import type { SecurityOptions } from './create-options.js';

export interface ParsedSecurityOpts {
  security: SecurityOptions;
  /** `seccomp=PATH`: read it, `parseSeccompProfile` it, and set `security.seccomp`. */
  seccompProfilePath?: string;
}

export function parseSecurityOpts(list: string[]): ParsedSecurityOpts {
  const security: SecurityOptions = {};
  let seccompProfilePath: string | undefined;
  for (const raw of list) {
    // Docker accepts both "key=value" and the older "key:value".
    const m = /^([a-z-]+)[=:](.*)$/.exec(raw);
    if (raw === 'no-new-privileges' || raw === 'no-new-privileges=true' || raw === 'no-new-privileges:true') {
      security.noNewPrivileges = true;
    } else if (raw === 'no-new-privileges=false' || raw === 'no-new-privileges:false') {
      security.noNewPrivileges = false;
    } else if (m?.[1] === 'seccomp') {
      if (m[2] === 'unconfined') security.seccomp = 'unconfined';
      else if (m[2]) seccompProfilePath = m[2];
      else throw invalidArgument(`invalid --security-opt ${JSON.stringify(raw)}`);
    } else if (m?.[1] === 'label') {
      if (m[2] === 'disable') security.labelDisable = true;
      // user:, role:, type:, level: only mean something under SELinux, which skiff does not drive.
      else if (!/^(user|role|type|level|filetype|nested):/.test(m[2] ?? '')) throw invalidArgument(`invalid --security-opt ${JSON.stringify(raw)}`);
    } else if (m?.[1] === 'apparmor' && m[2]) {
      security.apparmor = m[2];
    } else {
      throw invalidArgument(`invalid --security-opt ${JSON.stringify(raw)}`);
    }
  }
  return seccompProfilePath !== undefined ? { security, seccompProfilePath } : { security };
}
