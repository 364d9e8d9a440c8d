/**
 * Kubernetes resource quantities in their canonical strings (apimachinery's resource.Quantity),
 * so a generated limit reads as `kubectl` and Podman write it: `64Mi`, `500m`, `2`.
 */

const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Bytes in BinarySI: the largest power of 1024 that divides them, else plain bytes. */
export function memoryQuantity(bytes: number): string {
  let n = Math.round(bytes);
  let i = 0;
  while (n >= 1024 && n % 1024 === 0 && i < BINARY.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n}${BINARY[i]}`;
}

/** CPUs (1.5) in millicores, whole CPUs without a suffix as apimachinery canonicalises them. */
export function cpuQuantity(cpus: number): string {
  const milli = Math.max(1, Math.round(cpus * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
