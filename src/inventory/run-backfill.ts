import {
  DescribeCertificateCommand,
  paginateListCertificates,
  type Certificate,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { randomUUID } from 'node:crypto';
import { awsCall, classifyAwsError } from '../aws/classify-error.js';
import type { IotLists } from '../aws/iot-lists.js';
import { present } from '../aws/present.js';
import { unlessGone } from '../aws/unless-gone.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IotCaCertificates } from '../provisioning/ca/ca-certificates.js';
import type { BackfillJob, BackfillStore, PageCounts } from './backfill-store.js';
import type { InventoryReader } from './inventory-reader.js';
import type { InventoryWriter } from './inventory-writer.js';
import { issuingCa, type CaCandidate } from './issuing-ca.js';

export interface BackfillDeps {
  iot: IoTClient;
  lists: IotLists;
  reader: Pick<InventoryReader, 'getMany'>;
  writer: Pick<InventoryWriter, 'recordIfAbsent'>;
  jobs: BackfillStore;
  /** The AWS IoT CAs the configuration names (`CA_<ALIAS>`), to tell whose certificates are whose. */
  knownCaIds: readonly string[];
  cas: Pick<IotCaCertificates, 'certificate'>;
  logger: Logger;
  now: () => Date;
  /** ListCertificates page size (AWS's maximum is 250); tests make it small. */
  pageSize?: number;
}

/** Certificates read at once; the IoT client's per-API rate limiter paces them. */
const CONCURRENCY = 8;
/** Longer than the longest page takes at the IoT budget; renewed after every page. */
const LEASE_MS = 5 * 60_000;
/** After AWS was unavailable, the job is taken again after this. */
const RETRY_MS = 60_000;

/**
 * Advances the latest backfill job until `deadline` (epoch ms): pages ListCertificates (the SDK's
 * paginator, from the job's saved marker), asks the inventory which of the page's certificates it
 * has, and for each it does not, reads the certificate (its PEM: not-after, issuer) and the things
 * it is attached to, and records it (source `backfill`; an own CA's id when a CA the account
 * registered in AWS IoT issued it, else mode `unknown`). Only unknown certificates cost IoT calls.
 * Progress is saved after every page; a page cut short by the deadline or a crash is read again
 * (what this job recorded from it counts as recorded, not as known).
 */
export async function advanceBackfill(
  deps: BackfillDeps,
  deadline: number,
): Promise<BackfillJob | undefined> {
  const latest = await deps.jobs.latest();
  if (latest === undefined || latest.status === 'COMPLETED' || latest.status === 'FAILED') return undefined;
  const owner = randomUUID();
  const now = deps.now().getTime();
  const job = await deps.jobs.claim(latest.jobId, owner, now, now + LEASE_MS);
  if (job === undefined) return undefined;
  const logger = deps.logger.child({ backfillJobId: job.jobId });
  try {
    const done = await readPages(job, owner, deps, deadline, logger);
    if (done) {
      await deps.jobs.finish(job.jobId, owner, { status: 'COMPLETED', now: deps.now().toISOString() });
      logger.info('backfill completed');
    } else {
      await deps.jobs.release(job.jobId, owner, 0);
    }
  } catch (e: unknown) {
    const error = classifyAwsError(e, 'backfilling the certificate inventory');
    if (error instanceof TransientError) {
      logger.warn('backfill paused; will resume', { code: error.code, error: error.message });
      await deps.jobs.release(job.jobId, owner, deps.now().getTime() + RETRY_MS);
    } else {
      logger.error('backfill failed', { code: error.code, error: error.message });
      await deps.jobs.finish(job.jobId, owner, {
        status: 'FAILED',
        error: { code: error.code, message: error.message },
        now: deps.now().toISOString(),
      });
    }
  }
  return deps.jobs.get(job.jobId);
}

/** True when the listing is done; false when the deadline came first. */
async function readPages(
  job: BackfillJob,
  owner: string,
  deps: BackfillDeps,
  deadline: number,
  logger: Logger,
): Promise<boolean> {
  const cas = await caCandidates(deps);
  const pages = paginateListCertificates(
    {
      client: deps.iot,
      pageSize: deps.pageSize ?? 250,
      stopOnSameToken: true,
      ...(job.marker !== undefined ? { startingToken: job.marker } : {}),
    },
    {},
  );
  for await (const page of pages) {
    if (Date.now() >= deadline) return false;
    const counts = await backfillPage(page.certificates ?? [], job.jobId, deps, cas, deadline);
    if (counts === undefined) return false;
    const marker = page.nextMarker === '' ? undefined : page.nextMarker;
    const saved = await deps.jobs.pageDone(job.jobId, owner, {
      marker,
      counts,
      leaseUntil: deps.now().getTime() + LEASE_MS,
      now: deps.now().toISOString(),
    });
    if (!saved) {
      logger.warn('backfill lost its claim; another tick goes on with it');
      return false;
    }
    logger.info('backfill page done', { ...counts });
  }
  return true;
}

/** Records a page's unknown certificates; undefined when the deadline came before the page was done. */
async function backfillPage(
  certificates: Certificate[],
  jobId: string,
  deps: BackfillDeps,
  cas: CaCandidate[],
  deadline: number,
): Promise<PageCounts | undefined> {
  const counts: PageCounts = { examined: 0, recorded: 0, known: 0, vanished: 0 };
  const listed = certificates.flatMap((c) =>
    c.certificateId !== undefined && c.certificateArn !== undefined
      ? [{ certificateId: c.certificateId, certificateArn: c.certificateArn }]
      : [],
  );
  const known = new Map(
    (await deps.reader.getMany(listed.map((c) => c.certificateId))).map((c) => [c.certificateId, c]),
  );
  const unknown: typeof listed = [];
  for (const certificate of listed) {
    counts.examined++;
    const record = known.get(certificate.certificateId);
    if (record === undefined) unknown.push(certificate);
    else if (record.backfillJobId === jobId) counts.recorded++;
    else counts.known++;
  }
  let next = 0;
  /** False when it stopped at the deadline. */
  const worker = async (): Promise<boolean> => {
    while (next < unknown.length) {
      const certificate = unknown[next++];
      if (certificate === undefined) break;
      if (Date.now() >= deadline) return false;
      counts[await backfillOne(certificate, jobId, deps, cas)]++;
    }
    return true;
  };
  const finished = await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unknown.length) }, worker));
  return finished.every(Boolean) ? counts : undefined;
}

async function backfillOne(
  listed: { certificateId: string; certificateArn: string },
  jobId: string,
  deps: BackfillDeps,
  cas: CaCandidate[],
): Promise<'recorded' | 'known' | 'vanished'> {
  const { certificateId } = listed;
  const out = await unlessGone(() =>
    awsCall(`reading certificate ${certificateId}`, () =>
      deps.iot.send(new DescribeCertificateCommand({ certificateId })),
    ),
  );
  if (out === undefined) return 'vanished';
  const description = present(out.certificateDescription, 'certificateDescription');
  const certificatePem = present(description.certificatePem, 'certificatePem');
  const things = (await unlessGone(() => deps.lists.principalThings(listed.certificateArn))) ?? [];
  const caId = description.caCertificateId ?? issuingCa(certificatePem, cas);
  const recorded = await deps.writer.recordIfAbsent({
    certificateId,
    certificateArn: listed.certificateArn,
    certificatePem,
    ...(things[0] !== undefined ? { thingName: [...things].sort()[0] } : {}),
    origin: caId !== undefined ? { mode: 'own-ca', caId } : { mode: 'unknown' },
    status: present(description.status, 'the certificate status'),
    source: 'backfill',
    backfillJobId: jobId,
  });
  // Not recorded: a task recorded it meanwhile, which knows better.
  return recorded ? 'recorded' : 'known';
}

/** The configured AWS IoT CAs' certificates; a CA that no longer exists is left out. */
async function caCandidates(deps: BackfillDeps): Promise<CaCandidate[]> {
  const found = await Promise.all(
    deps.knownCaIds.map((caId) => unlessGone(() => deps.cas.certificate(caId))),
  );
  return found.flatMap((ca) =>
    ca === undefined ? [] : [{ caId: ca.caId, certificatePem: ca.certificatePem }],
  );
}
