import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { remoteOptions, remoteOptionsOf, type RemoteFlags } from './remote-flags.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface LoginFlags extends RemoteFlags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

export function register(parent: Command, app: App, name = 'login'): void {
  const cmd = remoteOptions(
    parent
      .command(name)
      .description('Log in to a registry (credentials are checked, then stored in auth.json)')
      .argument('<REGISTRY>', 'host[:port]')
      .option('-u, --username <name>', 'user name')
      .option('-p, --password <password>', 'password (visible in the process list: prefer --password-stdin)')
      .option('--password-stdin', 'read the password from standard input'),
  )
    .action(async (registry: string, f: LoginFlags) => {
      let password = f.password;
      if (f.passwordStdin) {
        if (password !== undefined) throw invalidArgument('--password and --password-stdin are mutually exclusive');
        password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      }
      if (!f.username) throw invalidArgument('login: a username is needed (-u)');
      if (password === undefined) throw invalidArgument('login: a password is needed (-p or --password-stdin)');
      await (await app.engine()).images.login(registry, {
        username: f.username,
        password,
        ...remoteOptionsOf(f),
      });
      app.print('Login Succeeded!');
    });
  examples(cmd, ['skiff login -u alice --password-stdin registry.example.com < token.txt']);
}
