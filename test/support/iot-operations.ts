import * as iot from '@aws-sdk/client-iot';

/**
 * Names the AWS IoT operation of an HTTP request (`POST /keys-and-certificate` →
 * `CreateKeysAndCertificate`), from the HTTP bindings the SDK itself serialises requests with (its
 * exported operation schemas), so proxies in tests and benchmarks match operations exactly as the
 * client sends them, without a hand-kept table.
 */
interface Route {
  operation: string;
  method: string;
  pattern: RegExp;
  /** Literal characters in the path template: the more, the more specific the route. */
  literal: number;
}

type OperationSchema = [9, string, string, { http?: [string, string, number] }, ...unknown[]];

const isOperationSchema = (value: unknown): value is OperationSchema =>
  Array.isArray(value) && value[0] === 9 && typeof value[2] === 'string' && typeof value[3] === 'object';

const routes: Route[] = Object.entries(iot as Record<string, unknown>)
  .flatMap(([name, value]) => (name.endsWith('$') && isOperationSchema(value) ? [value] : []))
  .flatMap(([, , operation, traits]) => {
    const http = traits.http;
    if (http === undefined) return [];
    const [method, template] = http;
    const path = template.split('?')[0] ?? template;
    const source = path
      .split(/(\{[^}]+\})/)
      .map((part) =>
        part.startsWith('{')
          ? part.endsWith('+}')
            ? '.+'
            : '[^/]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    return [
      {
        operation,
        method,
        pattern: new RegExp(`^${source}$`),
        literal: path.replace(/\{[^}]+\}/g, '').length,
      },
    ];
  })
  .sort((a, b) => b.literal - a.literal);

/** The operation's name, or `undefined` for a request no IoT operation makes. */
export function iotOperationOf(method: string, url: string): string | undefined {
  const path = url.split('?')[0] ?? url;
  return routes.find((r) => r.method === method && r.pattern.test(path))?.operation;
}
