import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

/** The account and partition the service runs in, for ARNs it must build (e.g. the events topic). */
export interface CallerIdentity {
  accountId: string;
  /** `aws`, `aws-cn`, `aws-us-gov`: the second field of the caller's own ARN. */
  partition: string;
}

/** Asks STS once (GetCallerIdentity needs no permission); a failure is retried on the next call. */
export function callerIdentity(sts: STSClient): () => Promise<CallerIdentity> {
  const load = async (): Promise<CallerIdentity> => {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const partition = out.Arn?.split(':')[1];
    if (out.Account === undefined || partition === undefined || partition === '')
      throw new Error('STS did not return the account id and ARN');
    return { accountId: out.Account, partition };
  };
  let value: Promise<CallerIdentity> | undefined;
  return () => {
    value ??= load().catch((e: unknown) => {
      value = undefined;
      throw e;
    });
    return value;
  };
}

/** `arn:<partition>:sns:<region>:<account>:<name>`: SNS looks topics up by ARN only. */
export function topicArn(identity: CallerIdentity, region: string, name: string): string {
  return `arn:${identity.partition}:sns:${region}:${identity.accountId}:${name}`;
}
