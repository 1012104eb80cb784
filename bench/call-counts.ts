/** What the emulator received per device, by service, from a counting proxy's counts (counting-proxy.ts). */
export interface Row {
  template: string;
  iot: number;
  iotCalls: Record<string, number>;
  dynamoReads: number;
  dynamoWrites: number;
  writeUnits: number;
  sqs: number;
  s3: number;
  kms: number;
  acmPca: number;
  sts: number;
}

/** Per device: the counts divided by `devices`, two decimals. */
export function rowOf(
  template: string,
  counts: Map<string, number>,
  writeUnits: number,
  devices: number,
): Row {
  const per = (n: number) => Math.round((n / devices) * 100) / 100;
  const sum = (test: (op: string) => boolean) =>
    per([...counts].filter(([op]) => test(op)).reduce((s, [, n]) => s + n, 0));
  const service = (name: string) => (op: string) => op.startsWith(`${name}:`);
  const dynamoReads = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
  const dynamoWrites = new Set([
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
    'TransactWriteItems',
  ]);
  return {
    template,
    iot: sum(service('iot')),
    iotCalls: Object.fromEntries(
      [...counts].filter(([op]) => op.startsWith('iot:')).map(([op, n]) => [op.slice(4), per(n)]),
    ),
    dynamoReads: sum((op) => dynamoReads.has(op.replace('dynamodb:', ''))),
    dynamoWrites: sum((op) => dynamoWrites.has(op.replace('dynamodb:', ''))),
    writeUnits: per(writeUnits),
    sqs: sum(service('sqs')),
    s3: sum(service('s3')),
    kms: sum(service('kms')),
    acmPca: sum(service('acm-pca')),
    sts: sum(service('sts')),
  };
}
