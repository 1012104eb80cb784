import type { Context, MiddlewareHandler } from 'hono';
import type { AuditAction, AuditEntry, AuditLog } from '../src/audit/audit-log.js';
import { callerOf } from './caller.js';
import { asServiceError } from './http-status.js';

type Details = Partial<Omit<AuditEntry, 'action' | 'actor' | 'actorType' | 'via'>>;
const noted = new WeakMap<Context, Details | 'elsewhere' | 'not-audited'>();

/**
 * Writes the request's audit line once it is answered: the action, the caller, the outcome (from
 * the answer's status, or what the handler noted) and whatever the handler noted about it
 * (`noteAudit`). A handler whose answer only sometimes needs a line (a read that may hand out keys)
 * says so with `notAudited`; one that streams writes its own line when the stream ends.
 */
export function audited(audit: AuditLog, action: AuditAction): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const details = noted.get(c);
    if (details === 'elsewhere' || details === 'not-audited') return;
    const status = c.res.status;
    const error = c.error === undefined ? undefined : asServiceError(c.error);
    audit.record({
      action,
      ...callerOf(c),
      via: 'api',
      outcome: status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'succeeded',
      status,
      ...(error !== undefined ? { code: error.code } : {}),
      ...details,
    });
  };
}

export function noteAudit(c: Context, details: Details): void {
  const before = noted.get(c);
  noted.set(c, { ...(typeof before === 'object' ? before : {}), ...details });
}

export function notAudited(c: Context): void {
  noted.set(c, 'not-audited');
}

/** The handler writes the line itself (a stream, when it ends): `auditNow`. */
export function auditedElsewhere(c: Context): void {
  noted.set(c, 'elsewhere');
}

export function auditNow(c: Context, audit: AuditLog, action: AuditAction, details: Details): void {
  audit.record({ action, ...callerOf(c), via: 'api', outcome: 'succeeded', ...details });
}
