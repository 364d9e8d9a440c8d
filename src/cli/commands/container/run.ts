import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { addCreateFlags, createRequest, type CreateFlags } from './create-flags.js';
import { TerminalIo, followAttached } from './attach-io.js';
import { pullForCreate } from '../image/image-pull.js';
import { addSystemdFlags, commandLine, replaceByName, withSystemd, writeCidfile, type SystemdFlags } from './systemd-flags.js';

interface RunFlags extends CreateFlags, SystemdFlags {
  detach?: boolean;
  detachKeys?: string;
  sigProxy: boolean;
}

export function register(parent: Command, app: App, name = 'run'): void {
  const cmd = addSystemdFlags(addCreateFlags(
    parent
      .command(name)
      .description('Run a command in a new container')
      .argument('<IMAGE>')
      .argument('[COMMAND...]', 'command and arguments')
      .passThroughOptions()
      .option('-d, --detach', 'run the container in the background and print its ID')
      .option('--detach-keys <keys>', 'override the key sequence for detaching (default ctrl-p,ctrl-q)')
      .option('--no-sig-proxy', 'do not proxy received signals to the process'),
  )).action(async (image: string, command: string[], f: RunFlags) => {
    const engine = await app.engine();
    const req = withSystemd(createRequest(image, command, f), f, commandLine());
    // As dockerd: a request it would refuse fails before the image is looked for or pulled.
    await engine.containers.check(req);
    await pullForCreate(app, image, f.pull);
    await replaceByName(app, req.name, f);
    const { id } = await engine.containers.create(req);
    writeCidfile(f, id);
    if (f.detach) {
      await startOrRemove(app, id, !!f.rm);
      app.print(id);
      return;
    }
    const io = new TerminalIo(!!f.tty, !!f.interactive);
    // Without stdin nobody can detach, so this process sees the exit and cleans up itself.
    let session;
    try {
      session = (await engine.containers.start(id, { attach: io.streams(f.detachKeys), callerCleansUp: !f.interactive, notifySocket: process.env.NOTIFY_SOCKET })).attach;
    } catch (e) {
      if (f.rm) await engine.containers.remove(id, { force: true }).catch(() => undefined);
      throw e;
    }
    await followAttached(engine, id, session, io, { proxySignals: !f.tty && f.sigProxy });
  });
  examples(cmd, [
    'skiff run --rm busybox echo hello',
    'skiff run -it --name shell busybox sh',
    'skiff run -d --name web --memory 64m busybox httpd -f -p 8080',
  ]);
}

async function startOrRemove(app: App, id: string, rm: boolean): Promise<void> {
  const engine = await app.engine();
  try {
    await engine.containers.start(id, { notifySocket: process.env.NOTIFY_SOCKET });
  } catch (e) {
    if (rm) await engine.containers.remove(id, { force: true }).catch(() => undefined);
    throw e;
  }
}
