import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { DeviceOutcome } from './device-outcome.js';
import { safeDirName } from './safe-name.js';

export const DEVICE_FILES = {
  certificate: 'certificate.pem',
  privateKey: 'private.key',
  chain: 'ca-chain.pem',
  device: 'device.json',
} as const;

/**
 * Writes one successful device's folder, `<root>/<thingName>/`: `certificate.pem`, `private.key`
 * (0600, only when the service made the key), `ca-chain.pem` (when the result has a chain) and
 * `device.json`, which is written last and so marks a complete folder. Writing the same outcome
 * again changes nothing. A key the service no longer returns (purged) is kept while the folder's
 * certificate is the same; a different certificate replaces the folder's files, so a key never
 * sits beside a certificate it does not belong to. Returns the folder's name.
 */
export async function writeDeviceFolder(root: string, outcome: DeviceOutcome): Promise<string | undefined> {
  if (outcome.status !== 'SUCCEEDED' || outcome.thingName === null || outcome.thingName === '')
    return undefined;
  const name = safeDirName(outcome.thingName);
  const dir = resolve(root, name);
  // Belt and braces: safeDirName cannot produce a path outside root; check anyway before writing.
  if (dirname(dir) !== resolve(root))
    throw new Error(`refusing to write outside ${root} for thing '${outcome.thingName}'`);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const previous = await previousCertificateId(join(dir, DEVICE_FILES.device));
  const sameIdentity = previous !== undefined && previous === (outcome.certificateId ?? null);
  const file = (f: string) => join(dir, f);

  if (outcome.certificatePem) await writeFileAtomic(file(DEVICE_FILES.certificate), outcome.certificatePem);
  else if (!sameIdentity) await rm(file(DEVICE_FILES.certificate), { force: true });
  if (outcome.privateKey) await writeFileAtomic(file(DEVICE_FILES.privateKey), outcome.privateKey, 0o600);
  else if (!sameIdentity) await rm(file(DEVICE_FILES.privateKey), { force: true });
  if (outcome.certificateChainPem)
    await writeFileAtomic(file(DEVICE_FILES.chain), outcome.certificateChainPem);
  else if (!sameIdentity) await rm(file(DEVICE_FILES.chain), { force: true });

  const arns = outcome.resourceArns ?? {};
  const device = {
    thingName: outcome.thingName,
    ...(outcome.line !== undefined ? { line: outcome.line } : {}),
    taskId: outcome.taskId,
    certificateId: outcome.certificateId ?? null,
    thingArn: arns.thing ?? null,
    certificateArn: arns.certificate ?? null,
    resourceArns: arns,
  };
  await writeFileAtomic(file(DEVICE_FILES.device), `${JSON.stringify(device, null, 2)}\n`);
  return name;
}

async function previousCertificateId(path: string): Promise<string | null | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as { certificateId?: unknown };
    return typeof parsed.certificateId === 'string' ? parsed.certificateId : null;
  } catch {
    return undefined;
  }
}
