/**
 * `--sdnotify`: telling systemd (a unit of Type=notify) that the container is up. The process
 * that starts the container under the unit has NOTIFY_SOCKET; the front passes it to start.
 */
import { join } from 'node:path';
import { notImplemented } from '../../core/errdefs.js';
import type { Spec } from '../../core/runtime/spec-types.js';
import { sdNotify } from '../../sys/linux/sd-notify.js';
import type { ContainerConfigRecord, ContainerCreateRequest, ContainerRecord } from './types.js';

/** What create keeps of the request for systemd. */
export function systemdConfig(req: ContainerCreateRequest): Pick<ContainerConfigRecord, 'createCommand' | 'sdNotify'> {
  // `healthy` waits for the first passing health check, which nothing here sends yet; a unit
  // that would never become ready is worse than a refusal.
  if (req.sdNotify === 'healthy') throw notImplemented('--sdnotify=healthy is not supported yet (readiness on the first passing health check): use --sdnotify=conmon');
  return {
    ...(req.createCommand?.length ? { createCommand: req.createCommand } : {}),
    ...(req.sdNotify && req.sdNotify !== 'ignore' ? { sdNotify: req.sdNotify } : {}),
  };
}

/** For `container` mode: the socket conmon relays the container's own messages to. */
export function containerNotifySocket(c: ContainerRecord, notifySocket: string | undefined): string | undefined {
  return c.config.sdNotify === 'container' ? notifySocket : undefined;
}

/**
 * `container` mode, as Podman does it: conmon binds its relay socket in `<bundle>/notify/`,
 * which the container sees at /run/notify, named by NOTIFY_SOCKET in its environment.
 */
export function addNotifyMount(spec: Spec, bundle: string): void {
  spec.mounts.push({ destination: '/run/notify', type: 'bind', source: join(bundle, 'notify'), options: ['bind', 'rw'] });
  spec.process.env = [...spec.process.env.filter((e) => !e.startsWith('NOTIFY_SOCKET=')), 'NOTIFY_SOCKET=/run/notify/notify.sock'];
}

/** For `conmon` mode, once the container runs: conmon (which outlives us) is the main PID. */
export function notifyStarted(c: ContainerRecord, notifySocket: string | undefined): void {
  if (c.config.sdNotify !== 'conmon' || !notifySocket) return;
  sdNotify(notifySocket, `MAINPID=${c.state.conmonPid}\nREADY=1\n`);
}
