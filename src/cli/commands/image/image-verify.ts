import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { remoteOptions, remoteOptionsOf, type RemoteFlags } from './remote-flags.js';

interface VerifyFlags extends RemoteFlags {
  signaturePolicy?: string;
  'registries.d'?: string;
  format?: string;
}

/** `image verify`: would pull accept this registry image, and who signed it? Nothing is pulled. */
export function register(parent: Command, app: App, name = 'verify'): void {
  const cmd = remoteOptions(
    parent
      .command(name)
      .description('Check a registry image against the signature policy without pulling it, and show who signed what')
      .argument('<IMAGE>', 'registry image (docker:// optional)'),
  )
    .option('--signature-policy <path>', 'policy.json to check against (default: as pull)')
    .option('--registries.d <dir>', 'the only registries.d directory read (default: $SKIFF_REGISTRIES_D, else the system\'s)')
    .option('--format <format>', '"json" for the whole report')
    .action(async (image: string, f: VerifyFlags) => {
      const engine = await app.engine();
      const res = await engine.images.verify(image, {
        ...remoteOptionsOf(f),
        ...(f.signaturePolicy ? { signaturePolicy: f.signaturePolicy } : {}),
        ...(f['registries.d'] ? { registriesDir: f['registries.d'] } : {}),
      });
      if (f.format === 'json') {
        app.print(JSON.stringify(res, null, 2));
        return;
      }
      app.print(`Image:        ${res.image}`);
      app.print(`Digest:       ${res.digest}`);
      app.print(`Policy:       ${res.policy ?? '(none: every image accepted)'} ${res.scope}`);
      app.print(`Requirements: ${res.requirements.join(', ')}`);
      for (const s of res.signedBy) app.print(`Signed by:    GPG key ${s.fingerprint} as ${s.identity} (${s.url})`);
      for (const s of res.sigstore) app.print(`Signed by:    sigstore key ${s.key} as ${s.identity}`);
      app.print('Accepted');
    });
  examples(cmd, ['skiff image verify localhost:5000/app:1.0', 'skiff image verify --format json --signature-policy ./policy.json docker://registry.example.com/team/app:2']);
}
