import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { certificateFacts } from './certificate-facts.js';
import {
  CERTIFICATE_ITEM,
  certificatePartition,
  lifecycleKeys,
  type LifecycleKeys,
} from './lifecycle-index.js';
import { DELETED, OUT_OF_SERVICE, RETIRED, type CertificateToRecord } from './model.js';

/**
 * Writes inventory records, each with one UpdateItem (`CERT#<id>` / `CERT`). What is known about a
 * certificate only at its making (mode, CA, task) is written `if_not_exists`, so recording a
 * certificate again (a redelivered task, a template that names an existing certificate, the
 * backfill) never overwrites a better account of where it came from.
 */
export class InventoryWriter {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(certificate: CertificateToRecord): Promise<void> {
    await this.send(recordUpdate(certificate, this.now().toISOString()));
  }

  /** Records a certificate the inventory does not have yet; false when it has it. */
  async recordIfAbsent(certificate: CertificateToRecord): Promise<boolean> {
    const update = recordUpdate(certificate, this.now().toISOString());
    return this.conditional({ ...update, condition: 'attribute_not_exists(pk)' });
  }

  /**
   * Marks a certificate retired: out of the expiry index, with the time it was retired (the first
   * time, if it is retired again). A certificate the inventory did not know is recorded with what
   * its PEM says and mode `unknown`.
   */
  async retired(certificate: {
    certificateId: string;
    certificateArn: string;
    certificatePem: string;
    thingName: string;
    retiredAt: string;
  }): Promise<void> {
    const update = recordUpdate(
      { ...certificate, origin: { mode: 'unknown' }, status: RETIRED, source: 'retirement' },
      certificate.retiredAt,
    );
    update.set.push(['retiredAt', certificate.retiredAt, 'if_not_exists']);
    await this.send(update);
  }

  /**
   * Marks a certificate deleted from AWS IoT. The record stays until `expiresAt` (the table's
   * time to live), so what happened to it can still be read for a while. False when the
   * inventory has no record of it (nothing to mark).
   */
  async deleted(certificateId: string, deletedAt: string, expiresAt: number): Promise<boolean> {
    return this.conditional({
      certificateId,
      set: [
        ['status', DELETED, 'always'],
        ['deletedAt', deletedAt, 'always'],
        ['updatedAt', deletedAt, 'always'],
        ['expiresAt', expiresAt, 'always'],
      ],
      remove: ['lifecyclePk', 'lifecycleSk'],
      condition: 'attribute_exists(pk)',
    });
  }

  private async send(update: Update): Promise<void> {
    await this.dynamo.send(new UpdateCommand(this.command(update)));
  }

  private async conditional(update: Update & { condition: string }): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({ ...this.command(update), ConditionExpression: update.condition }),
      );
      return true;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  private command(update: Update) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set = update.set.map(([attribute, value, when], i) => {
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = value;
      return when === 'always' ? `#a${i} = :v${i}` : `#a${i} = if_not_exists(#a${i}, :v${i})`;
    });
    const remove = update.remove.map((attribute, i) => {
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });
    return {
      TableName: this.tableName,
      Key: { pk: certificatePartition(update.certificateId), sk: CERTIFICATE_ITEM },
      UpdateExpression: [
        `SET ${set.join(', ')}`,
        ...(remove.length > 0 ? [`REMOVE ${remove.join(', ')}`] : []),
      ].join(' '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}

type When = 'always' | 'if_not_exists';
interface Update {
  certificateId: string;
  set: [attribute: string, value: unknown, when: When][];
  remove: string[];
}

function recordUpdate(certificate: CertificateToRecord, now: string): Update {
  const facts = certificateFacts(certificate.certificatePem);
  const { origin, status } = certificate;
  const set: Update['set'] = [
    ['certificateId', certificate.certificateId, 'always'],
    ['certificateArn', certificate.certificateArn, 'always'],
    ['notBefore', facts.notBefore, 'always'],
    ['notAfter', facts.notAfter, 'always'],
    ['issuer', facts.issuer, 'always'],
    ['updatedAt', now, 'always'],
    ['recordedAt', now, 'if_not_exists'],
    ['source', certificate.source, 'if_not_exists'],
    ['mode', origin.mode, 'if_not_exists'],
  ];
  const optional: [string, unknown, When][] = [
    ['keyAlgorithm', facts.keyAlgorithm, 'always'],
    ['thingName', certificate.thingName, 'always'],
    ['caId', origin.caId, 'if_not_exists'],
    ['pcaArn', origin.pcaArn, 'if_not_exists'],
    ['deviceKey', origin.deviceKey, 'if_not_exists'],
    ['taskId', certificate.taskId, 'if_not_exists'],
    ['backfillJobId', certificate.backfillJobId, 'if_not_exists'],
  ];
  for (const entry of optional) if (entry[1] !== undefined) set.push(entry);

  const keys: LifecycleKeys = lifecycleKeys('EXPIRY', facts.notAfter, certificate.certificateId);
  const remove: string[] = [];
  if (status === undefined) {
    // Not known here: a known record keeps its status and its place in the index.
    set.push(['status', 'ACTIVE', 'if_not_exists']);
    set.push(['lifecyclePk', keys.lifecyclePk, 'if_not_exists']);
    set.push(['lifecycleSk', keys.lifecycleSk, 'if_not_exists']);
  } else {
    set.push(['status', status, 'always']);
    if (OUT_OF_SERVICE.has(status)) remove.push('lifecyclePk', 'lifecycleSk');
    else {
      set.push(['lifecyclePk', keys.lifecyclePk, 'always']);
      set.push(['lifecycleSk', keys.lifecycleSk, 'always']);
    }
  }
  return { certificateId: certificate.certificateId, set, remove };
}
