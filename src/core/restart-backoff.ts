/**
 * Docker's restart manager (restartmanager/restartmanager.go) as pure rules: whether an exit
 * restarts the container, and after how long.
 */

export interface RestartPolicyLike {
  name: string;
  maximumRetryCount: number;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A run at least this long resets the back-off. */
const RESET_AFTER_MS = 10_000;

export function hasRestartPolicy(p: RestartPolicyLike | undefined): boolean {
  return !!p && p.name !== '' && p.name !== 'no';
}

/**
 * Whether the policy restarts a container that exited with `code` after `restarts` restarts;
 * a user's stop or kill prevents every policy.
 */
export function shouldRestart(p: RestartPolicyLike | undefined, code: number, restarts: number, userStopped: boolean): boolean {
  if (!p || userStopped) return false;
  switch (p.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return code !== 0 && (p.maximumRetryCount === 0 || restarts < p.maximumRetryCount);
    default:
      return false;
  }
}

/** The next delay: 100 ms, doubling up to a minute, back to 100 ms after a run of 10 s. */
export function nextDelayMs(previousMs: number, ranMs: number): number {
  if (ranMs >= RESET_AFTER_MS || previousMs <= 0) return FIRST_DELAY_MS;
  return Math.min(previousMs * 2, MAX_DELAY_MS);
}

/**
 * Which stopped containers a boot brings back (`start --all --filter restart-policy=always`):
 * `always` ones, as dockerd's restore does, and `unless-stopped` ones no user stopped.
 */
export function restartsAtBoot(p: RestartPolicyLike | undefined, userStopped: boolean): boolean {
  return p?.name === 'always' || (p?.name === 'unless-stopped' && !userStopped);
}
