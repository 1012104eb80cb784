import type { Context } from 'hono';
import type { Actor } from '../src/audit/audit-log.js';

/**
 * Who sent a request, for the audit trail: on API Gateway, from the Lambda event's request context
 * (REST API: the IAM caller's ARN, a Cognito authorizer's subject, a Lambda authorizer's principal;
 * HTTP API: the IAM caller's ARN or the JWT's subject); on the local server, `local`.
 */
interface RequestContext {
  identity?: { userArn?: string | null; sourceIp?: string };
  http?: { sourceIp?: string };
  authorizer?: {
    iam?: { userArn?: string };
    jwt?: { claims?: Record<string, unknown> };
    claims?: Record<string, unknown>;
    principalId?: string;
  };
}

export function callerOf(c: Context): Actor {
  const env = c.env as { event?: { requestContext?: RequestContext } } | undefined;
  const context = env?.event?.requestContext;
  if (context === undefined) return { actor: 'local', actorType: 'local' };
  const sourceIp = context.identity?.sourceIp ?? context.http?.sourceIp;
  const ip = sourceIp !== undefined ? { sourceIp } : {};
  const iam = context.identity?.userArn ?? context.authorizer?.iam?.userArn;
  if (typeof iam === 'string' && iam !== '') return { actor: iam, actorType: 'iam', ...ip };
  const subject = context.authorizer?.jwt?.claims?.sub ?? context.authorizer?.claims?.sub;
  if (typeof subject === 'string' && subject !== '') return { actor: subject, actorType: 'jwt', ...ip };
  const principal = context.authorizer?.principalId;
  if (typeof principal === 'string' && principal !== '')
    return { actor: principal, actorType: 'authorizer', ...ip };
  return { actor: 'anonymous', actorType: 'anonymous', ...ip };
}
