import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleName } from '../../infra/deploy/bundles.js';
import { packageService } from '../../infra/deploy/sls.js';

/** The parts of a CloudFormation template the deploy tests read. */
export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  DependsOn?: string | string[];
}
export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** `serverless package` of this service, offline, in a scratch directory; the template it wrote. */
export async function packagedTemplate(params: Record<string, string> = {}): Promise<Template> {
  const dir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  try {
    const path = await packageService({
      serviceDir: join(dir, 'service'),
      outDir: join(dir, 'out'),
      stage: 'test',
      params,
      bundles: 'placeholder',
    });
    return JSON.parse(await readFile(path, 'utf8')) as Template;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function resource(template: Template, id: string): Resource {
  const found = template.Resources[id];
  if (found === undefined) throw new Error(`The template has no resource '${id}'`);
  return found;
}

export function ofType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** `{"Fn::GetAtt": ["X", "Arn"]}` → `X`; `{"Ref": "X"}` → `X`; anything else → undefined. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  if (Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string') return v['Fn::GetAtt'][0];
  return undefined;
}

/** What runs with a role: a Lambda function of serverless.yml, or the container. */
export interface Runtime {
  name: string;
  kind: 'lambda' | 'container';
  bundle: BundleName;
  roleId: string;
  /** Logical ids of the queues its SQS event source mappings read. */
  eventSourceQueues: string[];
}

export const CONTAINER_ROLE = 'WorkerContainerTaskRole';

export function runtimes(template: Template): Runtime[] {
  const mappings = ofType(template, 'AWS::Lambda::EventSourceMapping');
  const lambdas = ofType(template, 'AWS::Lambda::Function').map(([id, fn]): Runtime => {
    const handler = String(fn.Properties?.Handler);
    const bundle = /^dist\/([a-z]+)\/index\.\w+$/.exec(handler)?.[1];
    if (bundle === undefined)
      throw new Error(`${id}: handler '${handler}' is not dist/<bundle>/index.<export>`);
    const roleId = referencedId(fn.Properties?.Role);
    if (roleId === undefined) throw new Error(`${id}: its role is not a role of this template`);
    const eventSourceQueues = mappings
      .filter(([, m]) => referencedId(m.Properties?.FunctionName) === id)
      .map(([, m]) => referencedId(m.Properties?.EventSourceArn) ?? '?');
    const name = id.replace(/LambdaFunction$/, '');
    return {
      name: name.charAt(0).toLowerCase() + name.slice(1),
      kind: 'lambda',
      bundle: bundle as BundleName,
      roleId,
      eventSourceQueues,
    };
  });
  const container: Runtime = {
    name: 'container',
    kind: 'container',
    bundle: 'container',
    roleId: CONTAINER_ROLE,
    eventSourceQueues: [],
  };
  return [...lambdas, container];
}

export interface Grant {
  sid: string | undefined;
  effect: string;
  actions: string[];
  resources: unknown[];
}

/** Every statement of a role's inline policies. */
export function grants(template: Template, roleId: string): Grant[] {
  const policies = (resource(template, roleId).Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: Record<string, unknown>[] };
  }[];
  const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return policies.flatMap((p) =>
    p.PolicyDocument.Statement.map((s) => ({
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      effect: String(s.Effect),
      actions: list(s.Action).map(String),
      resources: list(s.Resource),
    })),
  );
}
