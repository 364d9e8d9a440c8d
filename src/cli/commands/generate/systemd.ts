import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { skiffInvocation } from './invocation.js';

interface Flags {
  new?: boolean;
  name?: boolean;
  restartPolicy?: string;
  time?: string;
  files?: boolean;
}

export function register(parent: Command, app: App, name = 'systemd'): void {
  const cmd = parent
    .command(name)
    .description('Generate a systemd unit file for a container (as podman generate systemd)')
    .argument('<CONTAINER>')
    .option('--new', 'create a new container at each start, from the command that created this one')
    .option('-n, --name', 'use the container name instead of its ID for the unit and its commands')
    .option('--restart-policy <policy>', 'systemd restart policy: no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always', 'on-failure')
    .option('-t, --time <seconds>', 'stop timeout of the unit (default: the container\'s)')
    .option('-f, --files', 'write the units to files in the current directory and print their paths')
    .action(async (ref: string, f: Flags) => {
      let stopTimeout: number | undefined;
      if (f.time !== undefined) {
        stopTimeout = Number(f.time);
        if (!/^\d+$/.test(f.time)) throw invalidArgument(`invalid --time ${JSON.stringify(f.time)}: want whole seconds`);
      }
      const units = await (await app.engine()).containers.systemdUnits(ref, {
        invocation: skiffInvocation(app),
        new: !!f.new,
        useName: !!f.name,
        ...(f.restartPolicy ? { restartPolicy: f.restartPolicy } : {}),
        ...(stopTimeout !== undefined ? { stopTimeout } : {}),
      });
      for (const u of units) {
        if (!f.files) {
          app.out(u.text);
          continue;
        }
        const path = resolve(u.name);
        writeFileSync(path, u.text);
        app.print(path);
      }
    });
  examples(cmd, [
    'skiff generate systemd --name web > /etc/systemd/system/container-web.service',
    'skiff generate systemd --new --name --restart-policy always -t 5 web',
  ]);
}
