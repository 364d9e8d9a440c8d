import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { pullForCreate } from '../image/image-pull.js';
import { addCreateFlags, createRequest, type CreateFlags } from './create-flags.js';
import { addSystemdFlags, commandLine, replaceByName, withSystemd, writeCidfile, type SystemdFlags } from './systemd-flags.js';

export function register(parent: Command, app: App, name = 'create'): void {
  const cmd = addSystemdFlags(addCreateFlags(
    parent
      .command(name)
      .description('Create a new container without starting it')
      .argument('<IMAGE>')
      .argument('[COMMAND...]', 'command and arguments')
      .passThroughOptions(),
  )).action(async (image: string, command: string[], f: CreateFlags & SystemdFlags) => {
    await pullForCreate(app, image, f.pull);
    const req = withSystemd(createRequest(image, command, f), f, commandLine());
    await replaceByName(app, req.name, f);
    const { id } = await (await app.engine()).containers.create(req);
    writeCidfile(f, id);
    app.print(id);
  });
  examples(cmd, ['skiff create --name job busybox sh -c "echo done"', 'skiff start -a job']);
}
