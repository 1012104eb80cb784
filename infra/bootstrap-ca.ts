import {
  CreateCertificateAuthorityCommand,
  DeleteCertificateAuthorityCommand,
  DescribeCertificateAuthorityCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  UpdateCertificateAuthorityCommand,
  type ACMPCAClient,
} from '@aws-sdk/client-acm-pca';
import {
  DeleteCACertificateCommand,
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  RegisterCACertificateCommand,
  UpdateCACertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClients } from '../src/aws/clients.js';
import {
  createCsr,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  type DeviceKeyAlgorithm,
} from '../src/certificates/index.js';
import type { Config } from '../src/config.js';
import { aliasVariable } from '../src/provisioning/ca/aliases.js';
import { createSelfSignedCa } from '../src/provisioning/ca/self-signed-ca.js';

/**
 * Sample certificate authorities for the local stack, so every certificate mode of the CDF block
 * works right after `npm start`:
 *
 * - two CAs of our own, RSA-2048 and EC P-256, registered with AWS IoT (with the verification
 *   certificate AWS asks for) and their keys stored the CDF way, as SSM SecureString
 *   `cdf-ca-key-<caId>` (CA_KEY_PARAMETER_PATTERN); the keys exist nowhere else;
 * - an ACM PCA root CA, activated with its own self-issued certificate, which is also registered
 *   with AWS IoT as a CA, for both ACM PCA modes.
 *
 * The ids are kept in SSM (`/provisioning/sample-ca/...`), which makes this idempotent: a second
 * run finds them and creates nothing. Processes racing on a fresh emulator each make CAs, but only
 * the first to record its ids keeps them; the others delete theirs.
 *
 * The aliases of the seed API's examples resolve to the sample PCA: `myalias` and `myalias1`
 * (PCA_MYALIAS, PCA_MYALIAS1) name the PCA, `myalias2` (CA_MYALIAS2) its AWS IoT CA, unless the
 * environment already defines them.
 */
export const SAMPLE_CA_PARAMETERS = {
  rsa: '/provisioning/sample-ca/rsa',
  ec: '/provisioning/sample-ca/ec',
  pca: '/provisioning/sample-pca/arn',
  pcaIotCa: '/provisioning/sample-pca/iot-ca-id',
  /** `<pca arn> <iot ca id>` in one value, so a reader never sees a PCA without its AWS IoT CA. */
  pcaRecord: '/provisioning/sample-pca/record',
} as const;

export const SAMPLE_ALIASES = { pca: ['myalias', 'myalias1'], iotCa: ['myalias2'] } as const;

export interface SampleCas {
  /** AWS IoT CA certificate ids of our own CAs: the `caId` of createDeviceCertificate. */
  rsaCaId: string;
  ecCaId: string;
  pcaArn: string;
  /** The PCA's CA certificate as registered in AWS IoT, as an ARN in AWS's `cacert/` form. */
  pcaIotCaArn: string;
}

/** On by default where it is cheap and harmless: an emulator, outside the test runner. */
export function sampleCasByDefault(config: Config): boolean {
  return config.endpoint !== undefined && process.env.JEST_WORKER_ID === undefined;
}

export async function bootstrapSampleCas(
  clients: AwsClients,
  config: Config,
  options: { print?: boolean } = {},
): Promise<SampleCas> {
  const [rsaCaId, ecCaId, pca, account] = await Promise.all([
    sampleCa(clients, config, 'RSA-2048', SAMPLE_CA_PARAMETERS.rsa),
    sampleCa(clients, config, 'EC-P256', SAMPLE_CA_PARAMETERS.ec),
    samplePca(clients),
    clients.sts.send(new GetCallerIdentityCommand({})),
  ]);
  const partition = config.region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const pcaIotCaArn = `arn:${partition}:iot:${config.region}:${account.Account ?? ''}:cacert/${pca.iotCaId}`;
  const { pcaAliases, iotCaAliases } = config.certificates;
  for (const alias of SAMPLE_ALIASES.pca) pcaAliases[aliasKey('PCA', alias)] ??= pca.arn;
  for (const alias of SAMPLE_ALIASES.iotCa) iotCaAliases[aliasKey('CA', alias)] ??= pcaIotCaArn;

  const cas = { rsaCaId, ecCaId, pcaArn: pca.arn, pcaIotCaArn };
  if (options.print === true) {
    process.stdout.write(
      `Sample CAs (ids also in SSM ${SAMPLE_CA_PARAMETERS.rsa}, ${SAMPLE_CA_PARAMETERS.ec}):\n` +
        `  createDeviceCertificate caId (RSA): ${rsaCaId}\n` +
        `  createDeviceCertificate caId (EC):  ${ecCaId}\n` +
        `  ACM PCA (aliases ${SAMPLE_ALIASES.pca.join(', ')}): ${pca.arn}\n` +
        `  its AWS IoT CA (alias ${SAMPLE_ALIASES.iotCa.join(', ')}): ${pcaIotCaArn}\n`,
    );
  }
  return cas;
}

const aliasKey = (prefix: 'PCA' | 'CA', alias: string) =>
  aliasVariable(prefix, alias).slice(prefix.length + 1);

async function sampleCa(
  clients: AwsClients,
  config: Config,
  algorithm: DeviceKeyAlgorithm,
  parameter: string,
): Promise<string> {
  const recorded = await readParameter(clients.ssm, parameter);
  const keyName = (caId: string) => config.certificates.caKeyParameterPattern.replaceAll('{caId}', caId);
  if (
    recorded !== undefined &&
    (await iotCaActive(clients.iot, recorded)) &&
    (await readParameter(clients.ssm, keyName(recorded))) !== undefined
  ) {
    return recorded;
  }

  const key = await generateDeviceKeyPair(algorithm);
  const caPem = createSelfSignedCa(
    key.privateKeyPem,
    { country: 'US', organization: 'Provisioning sample', commonName: `Sample device CA ${algorithm}` },
    { days: 3650 },
  );
  const signer = loadCaSigner(caPem, key.privateKeyPem);
  const verificationKey = await generateDeviceKeyPair('EC-P256');
  const verificationPem = issueDeviceCertificate(signer, {
    publicKey: verificationKey.publicKeyPem,
    subject: { country: 'US', commonName: await registrationCode(clients.iot) },
    days: 1,
  });
  const caId = await registerIotCa(clients.iot, caPem, verificationPem);
  await clients.ssm.send(
    new PutParameterCommand({
      Name: keyName(caId),
      Type: 'SecureString',
      Value: key.privateKeyPem,
      Overwrite: true,
      Description: `Private key of the sample ${algorithm} device CA`,
    }),
  );
  const kept = await record(clients.ssm, parameter, caId, recorded !== undefined);
  if (kept !== caId) {
    await deleteIotCa(clients.iot, caId);
    await clients.ssm.send(new DeleteParameterCommand({ Name: keyName(caId) }));
  }
  return kept;
}

async function samplePca(clients: AwsClients): Promise<{ arn: string; iotCaId: string }> {
  const recorded = await readParameter(clients.ssm, SAMPLE_CA_PARAMETERS.pcaRecord);
  const [arn = '', iotCaId = ''] = recorded?.split(' ') ?? [];
  if (
    recorded !== undefined &&
    (await pcaActive(clients.acmpca, arn)) &&
    (await iotCaActive(clients.iot, iotCaId))
  ) {
    return { arn, iotCaId };
  }

  const made = await createActivePca(clients.acmpca);
  // AWS IoT asks for proof of the CA's key: a certificate it issued for the registration code.
  const verificationKey = await generateDeviceKeyPair('EC-P256');
  const verificationCsr = createCsr(verificationKey.privateKeyPem, {
    country: 'US',
    commonName: await registrationCode(clients.iot),
  });
  const verificationPem = await issueWithPca(clients.acmpca, made.arn, verificationCsr, {
    Type: 'DAYS',
    Value: 1,
  });
  const madeIotCaId = await registerIotCa(clients.iot, made.certificatePem, verificationPem);
  const kept = await record(
    clients.ssm,
    SAMPLE_CA_PARAMETERS.pcaRecord,
    `${made.arn} ${madeIotCaId}`,
    recorded !== undefined,
  );
  const [keptArn = '', keptIotCaId = ''] = kept.split(' ');
  if (keptArn !== made.arn) {
    await deleteIotCa(clients.iot, madeIotCaId);
    await clients.acmpca
      .send(new UpdateCertificateAuthorityCommand({ CertificateAuthorityArn: made.arn, Status: 'DISABLED' }))
      .catch(() => undefined);
    await clients.acmpca.send(new DeleteCertificateAuthorityCommand({ CertificateAuthorityArn: made.arn }));
    return { arn: keptArn, iotCaId: keptIotCaId };
  }
  // For people and scripts: the ARN and the id on their own.
  await Promise.all([
    clients.ssm.send(
      new PutParameterCommand({
        Name: SAMPLE_CA_PARAMETERS.pca,
        Type: 'String',
        Value: made.arn,
        Overwrite: true,
      }),
    ),
    clients.ssm.send(
      new PutParameterCommand({
        Name: SAMPLE_CA_PARAMETERS.pcaIotCa,
        Type: 'String',
        Value: madeIotCaId,
        Overwrite: true,
      }),
    ),
  ]);
  return { arn: made.arn, iotCaId: madeIotCaId };
}

interface MadePca {
  arn: string;
  certificatePem: string;
}

/** A root CA: create, sign its own CSR with the RootCACertificate template, import the result. */
async function createActivePca(acmpca: ACMPCAClient): Promise<MadePca> {
  const created = await acmpca.send(
    new CreateCertificateAuthorityCommand({
      CertificateAuthorityType: 'ROOT',
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: 'RSA_2048',
        SigningAlgorithm: 'SHA256WITHRSA',
        Subject: { Country: 'US', Organization: 'Provisioning sample', CommonName: 'Sample ACM PCA root' },
      },
      Tags: [{ Key: 'purpose', Value: 'provisioning-sample' }],
    }),
  );
  const arn = created.CertificateAuthorityArn ?? '';
  await until(async () => {
    const out = await acmpca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: arn }));
    return out.CertificateAuthority?.Status === 'PENDING_CERTIFICATE';
  });
  const csr = await acmpca.send(new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: arn }));
  const certificatePem = await issueWithPca(
    acmpca,
    arn,
    csr.Csr ?? '',
    { Type: 'YEARS', Value: 10 },
    'arn:aws:acm-pca:::template/RootCACertificate/V1',
  );
  await acmpca.send(
    new ImportCertificateAuthorityCertificateCommand({
      CertificateAuthorityArn: arn,
      Certificate: Buffer.from(certificatePem, 'utf8'),
    }),
  );
  return { arn, certificatePem };
}

async function issueWithPca(
  acmpca: ACMPCAClient,
  pcaArn: string,
  csr: string,
  validity: { Type: 'DAYS' | 'YEARS'; Value: number },
  templateArn?: string,
): Promise<string> {
  const issued = await acmpca.send(
    new IssueCertificateCommand({
      CertificateAuthorityArn: pcaArn,
      Csr: Buffer.from(csr, 'utf8'),
      SigningAlgorithm: 'SHA256WITHRSA',
      Validity: validity,
      ...(templateArn === undefined ? {} : { TemplateArn: templateArn }),
    }),
  );
  let pem = '';
  await until(async () => {
    try {
      const out = await acmpca.send(
        new GetCertificateCommand({ CertificateAuthorityArn: pcaArn, CertificateArn: issued.CertificateArn }),
      );
      pem = `${(out.Certificate ?? '').trim()}\n`;
      return true;
    } catch (e: unknown) {
      if (e instanceof Error && e.name === 'RequestInProgressException') return false;
      throw e;
    }
  });
  return pem;
}

async function registrationCode(iot: IoTClient): Promise<string> {
  return (await iot.send(new GetRegistrationCodeCommand({}))).registrationCode ?? '';
}

async function registerIotCa(iot: IoTClient, caPem: string, verificationPem: string): Promise<string> {
  const out = await iot.send(
    new RegisterCACertificateCommand({
      caCertificate: caPem,
      verificationCertificate: verificationPem,
      setAsActive: true,
      allowAutoRegistration: false,
    }),
  );
  return out.certificateId ?? '';
}

async function deleteIotCa(iot: IoTClient, caId: string): Promise<void> {
  await iot.send(new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'INACTIVE' }));
  await iot.send(new DeleteCACertificateCommand({ certificateId: caId }));
}

async function iotCaActive(iot: IoTClient, caId: string): Promise<boolean> {
  try {
    const out = await iot.send(new DescribeCACertificateCommand({ certificateId: caId }));
    return out.certificateDescription?.status === 'ACTIVE';
  } catch (e: unknown) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

async function pcaActive(acmpca: ACMPCAClient, arn: string): Promise<boolean> {
  try {
    const out = await acmpca.send(new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: arn }));
    return out.CertificateAuthority?.Status === 'ACTIVE';
  } catch (e: unknown) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

async function readParameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;
  } catch (e: unknown) {
    if (e instanceof ParameterNotFound) return undefined;
    throw e;
  }
}

/**
 * Records `value` under `name` and returns what is recorded afterwards: ours, or, when another
 * process recorded first, theirs. A stale record (its CA is gone) is replaced.
 */
async function record(ssm: SSMClient, name: string, value: string, replace: boolean): Promise<string> {
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: value, Overwrite: replace }));
    return value;
  } catch (e: unknown) {
    if (!(e instanceof ParameterAlreadyExists)) throw e;
    return (await readParameter(ssm, name)) ?? value;
  }
}

/** Polls a condition AWS reaches on its own (a new CA, an issued certificate): moto at once. */
async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; !(await condition()); delay = Math.min(delay * 2, 2000)) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for ACM PCA');
    await new Promise((r) => setTimeout(r, delay));
  }
}
