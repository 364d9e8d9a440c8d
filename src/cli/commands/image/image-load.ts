import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inputStream } from '../common.js';

export function register(parent: Command, app: App, name = 'load'): void {
  const cmd = parent
    .command(name)
    .description('Load images from a docker-archive or oci-archive (standard input by default)')
    .option('-i, --input <file>', 'read from a file instead of standard input')
    .option('-q, --quiet', 'suppress progress output')
    .option('--signature-policy <path>', 'policy.json to enforce (default: $SKIFF_SIGNATURE_POLICY, /etc/skiff/policy.json, /etc/containers/policy.json)')
    .action(async (o: { input?: string; signaturePolicy?: string }) => {
      const res = await (await app.engine()).images.load(inputStream(o.input), {
        ...(o.input ? { path: o.input } : {}),
        ...(o.signaturePolicy ? { signaturePolicy: o.signaturePolicy } : {}),
      });
      for (const img of res.loaded) {
        if (img.names.length === 0) app.print(`Loaded image ID: ${img.id}`);
        for (const n of img.names) app.print(`Loaded image: ${n}`);
      }
    });
  examples(cmd, ['skiff load -i busybox.tar', 'skiff load < images.tar']);
}
