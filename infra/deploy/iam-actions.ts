import type { SdkCall } from './sdk-calls.js';

/**
 * The IAM actions an AWS SDK command needs. Usually `<service prefix>:<operation>`; the table
 * below lists the commands whose action is named otherwise (AWS Service Authorization Reference),
 * and the commands that need none. A package or command this file does not know is reported, not
 * guessed: add it here with the action AWS documents for it.
 */
const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-acm-pca': 'acm-pca',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-iot': 'iot',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
};

// A write transaction is authorised per item, by the item operation's own action.
const TRANSACT_ITEM: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};
const TRANSACT_WRITE = Object.values(TRANSACT_ITEM);

const NOT_BY_NAME: Record<string, Record<string, string[]>> = {
  // The document client's commands wrap the low-level item operations.
  '@aws-sdk/lib-dynamodb': {
    GetCommand: ['dynamodb:GetItem'],
    PutCommand: ['dynamodb:PutItem'],
    UpdateCommand: ['dynamodb:UpdateItem'],
    DeleteCommand: ['dynamodb:DeleteItem'],
    QueryCommand: ['dynamodb:Query'],
    ScanCommand: ['dynamodb:Scan'],
    BatchGetCommand: ['dynamodb:BatchGetItem'],
    BatchWriteCommand: ['dynamodb:BatchWriteItem'],
    TransactGetCommand: ['dynamodb:GetItem'],
    TransactWriteCommand: TRANSACT_WRITE,
  },
  '@aws-sdk/client-dynamodb': {
    TransactGetItemsCommand: ['dynamodb:GetItem'],
    TransactWriteItemsCommand: TRANSACT_WRITE,
  },
  '@aws-sdk/client-sqs': {
    SendMessageBatchCommand: ['sqs:SendMessage'],
    DeleteMessageBatchCommand: ['sqs:DeleteMessage'],
    ChangeMessageVisibilityBatchCommand: ['sqs:ChangeMessageVisibility'],
  },
  // Reading an object that may be missing also needs s3:ListBucket on its bucket: without it S3
  // answers 403 AccessDenied instead of 404 NoSuchKey, and an unknown template or bulk input file
  // would no longer be told apart from a refused one. Our GetObject may name a VersionId (the
  // template version a task was accepted with), which S3 authorises as s3:GetObjectVersion.
  '@aws-sdk/client-s3': {
    GetObjectCommand: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
    HeadObjectCommand: ['s3:GetObject', 's3:ListBucket'],
    HeadBucketCommand: ['s3:ListBucket'],
    ListObjectsCommand: ['s3:ListBucket'],
    ListObjectsV2Command: ['s3:ListBucket'],
    ListObjectVersionsCommand: ['s3:ListBucketVersions'],
    DeleteObjectsCommand: ['s3:DeleteObject'],
    CopyObjectCommand: ['s3:GetObject', 's3:PutObject'],
    CreateMultipartUploadCommand: ['s3:PutObject'],
    UploadPartCommand: ['s3:PutObject'],
    UploadPartCopyCommand: ['s3:GetObject', 's3:PutObject'],
    CompleteMultipartUploadCommand: ['s3:PutObject'],
    ListPartsCommand: ['s3:ListMultipartUploadParts'],
    SelectObjectContentCommand: ['s3:GetObject'],
  },
  // Anyone may ask who they are; STS needs no permission for it.
  '@aws-sdk/client-sts': { GetCallerIdentityCommand: [] },
};

/** Commands whose IAM action cannot be told from the code: they fail the check until mapped. */
const UNMAPPED: Record<string, string[]> = {
  '@aws-sdk/client-dynamodb': [
    'ExecuteStatementCommand',
    'BatchExecuteStatementCommand',
    'ExecuteTransactionCommand',
  ],
  '@aws-sdk/lib-dynamodb': [
    'ExecuteStatementCommand',
    'BatchExecuteStatementCommand',
    'ExecuteTransactionCommand',
  ],
};

export interface ActionsOf {
  actions: string[];
  problem?: string;
}

export function iamActionsOf(call: Pick<SdkCall, 'command' | 'pkg' | 'transactItems'>): ActionsOf {
  const prefix = SERVICE_PREFIX[call.pkg];
  if (prefix === undefined) {
    return {
      actions: [],
      problem: `no IAM service prefix known for ${call.pkg}: add it to infra/deploy/iam-actions.ts`,
    };
  }
  if (UNMAPPED[call.pkg]?.includes(call.command) === true) {
    return {
      actions: [],
      problem: `${call.command} (${call.pkg}) needs IAM actions that depend on the statement: map it in infra/deploy/iam-actions.ts`,
    };
  }
  const renamed = NOT_BY_NAME[call.pkg]?.[call.command];
  // The items the sending code writes, when it spells them out; all four when it does not.
  if (renamed === TRANSACT_WRITE && call.transactItems !== undefined && call.transactItems.length > 0) {
    return { actions: call.transactItems.flatMap((kind) => TRANSACT_ITEM[kind] ?? []) };
  }
  if (renamed !== undefined) return { actions: renamed };
  if (!call.command.endsWith('Command')) {
    return { actions: [], problem: `${call.command} (${call.pkg}) is not a command class name` };
  }
  return { actions: [`${prefix}:${call.command.slice(0, -'Command'.length)}`] };
}

/** What AWS itself does with a function's role, beyond what our code sends. */
export const LAMBDA_LOGGING = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** The SQS event source mapping polls and deletes with the function's role. */
export const SQS_EVENT_SOURCE = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/**
 * The only actions a role may grant on `"Resource": "*"`: those that make a new certificate, whose
 * ARN (derived from its hash) nobody can know before the call and some of which AWS authorises
 * only on `*`; iot:ListCertificates, which has no resource-level permissions (the workers list the
 * certificates made while a create's answer was lost, to remove those nobody owns); and
 * ssm:DescribeParameters, which has none either (it shows parameter names and types, never a
 * value). Every other action must name its resources
 * (this account and region at the widest).
 */
export const ANY_RESOURCE_ACTIONS = new Set([
  'iot:CreateKeysAndCertificate',
  'iot:CreateCertificateFromCsr',
  'iot:RegisterCertificate',
  'iot:RegisterCertificateWithoutCA',
  'iot:ListCertificates',
  'ssm:DescribeParameters',
]);

export interface Need {
  action: string;
  /** Why, for a person reading a failed check. */
  because: string;
}

/** Every IAM action a runtime needs: its code's commands, plus what AWS does with its role. */
export function neededActions(
  calls: SdkCall[],
  runtime: { kind: 'lambda' | 'container'; eventSource: boolean },
): { needs: Need[]; problems: string[] } {
  const needs = new Map<string, string[]>();
  const problems: string[] = [];
  const need = (action: string, because: string) =>
    needs.set(action, [...(needs.get(action) ?? []), because]);
  for (const call of calls) {
    const { actions, problem } = iamActionsOf(call);
    if (problem !== undefined) problems.push(problem);
    for (const action of actions)
      need(action, `${call.command} (${call.pkg}) in ${call.sentFrom.join(', ')}`);
  }
  if (runtime.kind === 'lambda') for (const a of LAMBDA_LOGGING) need(a, 'Lambda writes the function log');
  if (runtime.eventSource) for (const a of SQS_EVENT_SOURCE) need(a, 'the SQS event source mapping');
  return {
    needs: [...needs]
      .map(([action, reasons]) => ({ action, because: reasons.join('; ') }))
      .sort((a, b) => a.action.localeCompare(b.action)),
    problems,
  };
}
