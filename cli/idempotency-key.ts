import { requestHash } from '../src/tasks/new-task.js';

/**
 * The Idempotency-Key of a command's request, derived from everything that decides what the
 * request does: the same file (by content, not name) with the same options is the same key, and
 * so the same task, however often the command runs; any change is a different key. The prefix
 * scopes the keys (they are global to the service) and names the derivation's version.
 */
export type KeyPurpose = 'bulk' | 'dry-run' | 'retry' | 'device' | 'rotate';

export interface KeyInputs {
  purpose: KeyPurpose;
  templateId?: string;
  /** SHA-256 of the input file's bytes. */
  fileSha256?: string;
  /** Request-wide template parameters (`--param`), or a single device's parameters. */
  parameters?: Record<string, string>;
  cdfProvisioningParameters?: unknown;
  existingThings?: string;
  /** The task a retry is of. */
  retryOf?: string;
  /** The thing a rotation is of. */
  thingName?: string;
  /** One run of a command that must act anew each time it is run (a rotation). */
  run?: string;
}

const PREFIX = 'provision-cli-v1';

export function idempotencyKey(inputs: KeyInputs): string {
  // The service's own canonical request hash: key order and absent fields never change the key.
  return `${PREFIX}:${inputs.purpose}:${requestHash(inputs)}`;
}
