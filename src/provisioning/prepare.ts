import {
  DeleteCertificateCommand,
  UpdateCertificateCommand,
  type DescribeThingCommandOutput,
} from '@aws-sdk/client-iot';
import { partitionOf } from '../aws/partition.js';
import { awsCall, classifyAwsError } from '../aws/classify-error.js';
import { unlessGone } from '../aws/unless-gone.js';
import { InternalError, type ServiceError } from '../errors.js';
import type { CreateWindow, Task } from '../tasks/model.js';
import type { ClaimRecord, TaskStore } from '../tasks/task-store.js';
import { CERTIFICATE_MODE_INJECTS } from '../templates/cdf-block.js';
import { expandTemplate } from '../templates/expand.js';
import type { LoadedTemplate } from '../templates/loaded-template.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { ExpandedTemplate } from '../templates/types.js';
import { unfindableCreates } from './ambiguous-creates.js';
import type { ModeRuns, PreparationContext, Prepared } from './certificate-modes/certificate-mode.js';
import type { ProvisioningClients } from './context.js';
import { documentedPolicyNames, planFor } from './plan.js';
import { templateOfTask } from './rotation-template.js';
import { prepareCertificate } from './steps/certificate.js';
import { describeThing } from './steps/thing.js';

export interface PreparationDeps extends ProvisioningClients {
  tasks: TaskStore;
  templates: TemplateStore;
  runs: ModeRuns;
  settleSeconds: number;
}

/**
 * Everything a run does before it claims its task (run-task.ts): the template; what the claim
 * write must record because the next AWS call depends on it or AWS cannot give it back (the
 * certificate AWS makes, a locally signed one, a sealed key); the expansion; whether the thing
 * exists; and from those the plan of what the run will create. Only a certificate or a key is
 * made; everything else here only reads.
 */
export interface Preparation {
  /** Epoch ms when it started: anything it made was made since. */
  startedAt: number;
  /** Absent only when the template could not be read (then `failure` says why). */
  template?: LoadedTemplate;
  record: ClaimRecord;
  /** A certificate made here that AWS cannot find again: removed if another worker claims the task. */
  unfindable?: string;
  /** The expansion, when it already holds every parameter (a mode's may come only after the claim). */
  expanded?: ExpandedTemplate;
  /** What DescribeThing said of the template's thing before the claim. */
  thing?: { thingName: string; description: DescribeThingCommandOutput | undefined };
  /** Stopped before making something, as asked: the task must be claimed first. */
  incomplete?: boolean;
  /** What went wrong after the template was read; anything made until then is in `record`. */
  failure?: ServiceError;
}

/** Stops a preparation allowed only to read at the first thing it would make. */
class StopBeforeMaking extends Error {}

export async function prepare(
  task: Task,
  deps: PreparationDeps,
  options: { make: boolean; suspect?: CreateWindow },
): Promise<Preparation> {
  const started = Date.now();
  let template: LoadedTemplate;
  try {
    template = await templateOfTask(task, deps.templates);
  } catch (e: unknown) {
    return { startedAt: started, record: {}, failure: classifyAwsError(e, 'reading the template') };
  }
  const preparation: Preparation = { startedAt: started, template, record: {} };
  const ctx: PreparationContext = {
    ...deps,
    taskId: task.taskId,
    request: task.request,
    recorded: { certificate: task.checkpoint.certificate, privateKey: task.privateKey },
    unfindable: unfindableCreates(deps, task.taskId, options.suspect),
    mayMake: () => {
      if (!options.make) throw new StopBeforeMaking();
    },
    discard: (certificateId) =>
      removeCertificate(deps, task.taskId, certificateId, {
        from: started,
        to: Date.now(),
        call: 'discarding',
      }),
  };
  try {
    await prepareUnderTemplate(ctx, task, template, preparation, deps);
  } catch (e: unknown) {
    if (e instanceof StopBeforeMaking) return { ...preparation, incomplete: true };
    preparation.failure = classifyAwsError(e, 'preparing the device');
  }
  return preparation;
}

async function prepareUnderTemplate(
  ctx: PreparationContext,
  task: Task,
  template: LoadedTemplate,
  preparation: Preparation,
  deps: PreparationDeps,
): Promise<void> {
  const { cdf, certificateMode } = template;
  const accountId = await deps.accountId();
  let mode: Prepared = {};
  if (certificateMode !== undefined) {
    const run = deps.runs[certificateMode];
    if (run === undefined) {
      throw new InternalError(
        'CERTIFICATE_MODE_UNAVAILABLE',
        `Certificate mode '${certificateMode}' is not configured here`,
      );
    }
    mode = await run.prepare(ctx, cdf);
    absorb(preparation, mode);
  }

  // Parameters a mode hands over only after the claim stand in as placeholders: the plan needs the
  // thing's name and the policies' documents, rarely the certificate. Should it after all, the run
  // finds its plan short and records the rest before creating anything.
  const injected: readonly string[] =
    certificateMode === undefined ? [] : CERTIFICATE_MODE_INJECTS[certificateMode];
  const unknown = injected.filter((name) => mode.parameters?.[name] === undefined);
  const context = {
    region: deps.region,
    accountId,
    certificateId: (mode.certificate ?? task.checkpoint.certificate)?.certificateId,
  };
  let expanded: ExpandedTemplate | undefined;
  try {
    expanded = expandTemplate(template.parsed, task.request.parameters, {
      ...context,
      injected: { ...mode.parameters, ...placeholders(unknown, context) },
    });
  } catch (e: unknown) {
    if (unknown.length === 0) throw e;
  }
  if (expanded === undefined) return;
  if (unknown.length === 0) preparation.expanded = expanded;

  if (certificateMode === undefined && expanded.certificate !== undefined) {
    absorb(preparation, await prepareCertificate(ctx, expanded.certificate, task.checkpoint.certificate));
  }
  const thingName = expanded.thing?.thingName;
  const description = thingName === undefined ? undefined : await describeThing(deps.iot, thingName);
  if (thingName !== undefined) preparation.thing = { thingName, description };
  preparation.record.plan = planFor(
    task.plan,
    thingName === undefined ? undefined : { thingName, exists: description !== undefined },
    documentedPolicyNames(expanded, cdf),
    (name) => deps.policies.arnOf(name) !== undefined,
  );
}

function absorb(preparation: Preparation, prepared: Prepared): void {
  if (prepared.certificate) preparation.record.certificate = prepared.certificate;
  if (prepared.privateKey) preparation.record.privateKey = prepared.privateKey;
  if (prepared.unfindable) preparation.unfindable = prepared.unfindable;
}

const NO_CERTIFICATE_ID = '0'.repeat(64);

function placeholders(names: string[], at: { region: string; accountId: string }): Record<string, string> {
  const values: Record<string, string> = {
    CertificateId: NO_CERTIFICATE_ID,
    CertificateArn: `arn:${partitionOf(at.region)}:iot:${at.region}:${at.accountId}:cert/${NO_CERTIFICATE_ID}`,
  };
  return Object.fromEntries(names.map((name) => [name, values[name] ?? '']));
}

/**
 * Removes a certificate this worker made but cannot hand to the task (its key could not be sealed,
 * or another worker claimed the task). Should that fail too, the moment it was made is recorded
 * as a window, so it is removed when the window is settled (settle-windows.ts).
 */
export async function removeCertificate(
  deps: { iot: ProvisioningClients['iot']; tasks: TaskStore; logger: ProvisioningClients['logger'] },
  taskId: string,
  certificateId: string,
  window: CreateWindow,
): Promise<void> {
  try {
    await unlessGone(() =>
      awsCall(`deactivating certificate '${certificateId}'`, () =>
        deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })),
      ),
    );
    await unlessGone(() =>
      awsCall(`deleting certificate '${certificateId}'`, () =>
        deps.iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })),
      ),
    );
  } catch (e: unknown) {
    deps.logger.warn('could not remove a certificate this worker made; its window is recorded', {
      certificateId,
      error: classifyAwsError(e, 'removing the certificate').message,
    });
    await deps.tasks.recordWindow(taskId, window);
  }
}
