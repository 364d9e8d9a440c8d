import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inspectEach } from '../common.js';
import { tlsVerifyOf } from './transfer-progress.js';

interface Flags {
  format?: string;
  remote?: boolean;
  tlsVerify?: string | boolean;
  certDir?: string;
  authfile?: string;
  platform?: string;
}

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display the configuration of one or more images')
    .argument('<IMAGE...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .option('--remote', 'inspect the image in its registry without pulling it (as skopeo inspect)')
    .option('--tls-verify [bool]', 'with --remote: require HTTPS and verify certificates')
    .option('--cert-dir <path>', 'with --remote: CAs (*.crt) and client certificate (*.cert + *.key) to use instead of certs.d/HOST:PORT')
    .option('--authfile <path>', 'with --remote: credentials file')
    .option('--platform <os/arch[/variant]>', 'with --remote: the image to inspect from a multi-platform index')
    .action(async (refs: string[], o: Flags) => {
      const engine = await app.engine();
      if (o.remote) {
        const opts = { tlsVerify: tlsVerifyOf(o.tlsVerify), authfile: o.authfile, certDir: o.certDir, ...(o.platform ? { platform: o.platform } : {}) };
        await inspectEach(app, refs, o.format, (r) => engine.images.inspectRemote(r, opts));
        return;
      }
      await inspectEach(app, refs, o.format, (r) => engine.images.inspect(r));
    });
  examples(cmd, [
    'skiff image inspect busybox',
    "skiff image inspect --format '{{.Id}} {{.Size}}' busybox",
    "skiff image inspect --remote --format '{{.Digest}}' docker://localhost:5000/app:1",
  ]);
}
