import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { pullForCreate } from '../image/image-pull.js';
import { addCreateFlags, createRequest, type CreateFlags } from './create-flags.js';

export function register(parent: Command, app: App, name = 'create'): void {
  const cmd = addCreateFlags(
    parent
      .command(name)
      .description('Create a new container without starting it')
      .argument('<IMAGE>')
      .argument('[COMMAND...]', 'command and arguments')
      .passThroughOptions(),
  ).action(async (image: string, command: string[], f: CreateFlags) => {
    await pullForCreate(app, image, f.pull);
    const { id } = await (await app.engine()).containers.create(createRequest(image, command, f));
    app.print(id);
  });
  examples(cmd, ['skiff create --name job busybox sh -c "echo done"', 'skiff start -a job']);
}
