import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { remoteOptions, remoteOptionsOf, type RemoteFlags } from '../image/remote-flags.js';

interface Flags extends RemoteFlags {
  raw?: boolean;
}

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = remoteOptions(
    parent
      .command(name)
      .description('Show the manifest or manifest list of an image in a registry, without pulling it')
      .argument('<IMAGE>', 'docker://REF or NAME[:TAG|@DIGEST]'),
  )
    .option('--raw', 'print the document exactly as the registry holds it')
    .action(async (ref: string, f: Flags) => {
      const engine = await app.engine();
      const m = await engine.images.inspectRemoteManifest(ref, remoteOptionsOf(f));
      if (f.raw) return app.out(m.bytes.toString('utf8'));
      // Indented as podman prints it; --raw keeps the bytes whose digest the registry knows.
      app.print(JSON.stringify(JSON.parse(m.bytes.toString('utf8')), null, 4));
    });
  examples(cmd, ['skiff manifest inspect docker://quay.io/podman/stable:latest', 'skiff manifest inspect --raw localhost:5000/app:1 | sha256sum']);
}
