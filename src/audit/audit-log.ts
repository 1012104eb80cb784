import type { Logger } from '../logger.js';

/**
 * The audit trail: one structured log line (`"audit": true`) for every request that creates,
 * deletes or changes the status of a device, a template or a task, and for every answer that
 * hands out private keys: who (`actor`), what (`action`), which task or thing, and the outcome.
 * Never a key: entries carry counts and ids only (and the logger's redaction is in front anyway).
 * It is written at `info` whatever LOG_LEVEL says, so turning the service's logs down never
 * turns the audit off.
 */
export type AuditAction =
  | 'device.provision'
  | 'certificate.rotate'
  | 'certificates.rotate'
  | 'bulk.submit'
  | 'bulk.retry'
  | 'bulk.cancel'
  | 'thing.delete'
  | 'certificates.status'
  | 'template.put'
  | 'template.delete'
  | 'keys.read'
  | 'keys.purge';

export interface Actor {
  /** The IAM principal's ARN, the JWT subject, the authorizer's principal, `local`, or `anonymous`. */
  actor: string;
  actorType: 'iam' | 'jwt' | 'authorizer' | 'local' | 'anonymous' | 'queue';
  sourceIp?: string;
}

export interface AuditEntry extends Actor {
  action: AuditAction;
  /** `succeeded`, `refused` (a 4xx: nothing done), or `failed` (the service could not do it). */
  outcome: 'succeeded' | 'refused' | 'failed';
  via: 'api' | 'queue';
  /** The client tag an upstream sender put on its queue message (its `client` attribute). */
  client?: string;
  status?: number;
  code?: string;
  taskId?: string;
  bulkTaskId?: string;
  thingName?: string;
  templateId?: string;
  /** Private keys the answer carried. */
  keysReturned?: number;
  keysPurged?: number;
  dryRun?: boolean;
}

export class AuditLog {
  constructor(private readonly logger: Logger) {}

  record(entry: AuditEntry): void {
    this.logger.info('audit', { audit: true, ...entry });
  }
}
