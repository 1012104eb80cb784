import { PolicyDirectory } from '../../src/provisioning/policy-directory.js';
import { prepare } from '../../src/provisioning/prepare.js';
import { runTask, type TaskRunnerDeps } from '../../src/provisioning/run-task.js';
import type { Task } from '../../src/tasks/model.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import type { TestStack } from './stack.js';

/** Workers that die part way through a task, so tests can check what the next delivery does. */

/**
 * Plays a worker that made the task's certificate before its claim, claimed the task (the claim
 * recording the certificate and sealed key, as the real worker does) and then died. Returns what
 * it made, so a test can check it is reused or removed.
 */
export async function crashAfterCertificate(
  stack: TestStack,
  taskId: string,
  request: ProvisionRequest,
  leaseSeconds = 1,
): Promise<{ certificateId: string; certificateArn: string }> {
  const seen = { ...(await stack.services.tasks.require(taskId)), request };
  const preparation = await prepare(seen, stack.services, { make: true });
  if (preparation.failure !== undefined) throw preparation.failure;
  const claim = await stack.services.tasks.claim(
    seen,
    { owner: 'crashed-worker', seconds: leaseSeconds },
    preparation.record,
  );
  const made = claim.kind === 'claimed' ? claim.task.checkpoint.certificate : undefined;
  if (made === undefined) throw new Error(`the worker made no certificate (claim: ${claim.kind})`);
  return { certificateId: made.certificateId, certificateArn: made.certificateArn };
}

/** Where the worker dies: just `before` an AWS call is sent, or just `after` its answer came. */
export interface DeathPoint {
  /** The SDK command's name without `Command`, e.g. `RegisterCertificate`. */
  operation: string;
  when: 'before' | 'after';
}

/** Makes a client of the dying worker's: it dies at the death point if this client reaches it. */
export type Dying = <C extends object>(client: C) => C;

/**
 * Runs the task as a worker that dies at `at`: from there on nothing of that run happens (its
 * promise never settles, like a killed process's), and its lease is already over, so the next
 * delivery may claim the task at once. Resolves with the task as the dead worker left it.
 * `overrides` replaces parts of the worker, e.g. the certificate modes' runs on other clients
 * that must die too (wrap them with `dying`).
 */
export async function dieDuring(
  stack: TestStack,
  taskId: string,
  at: DeathPoint,
  overrides: (dying: Dying) => Partial<Pick<TaskRunnerDeps, 'runs'>> = () => ({}),
): Promise<Task> {
  let died: () => void = () => undefined;
  const death = new Promise<void>((resolve) => (died = resolve));
  const dying: Dying = (client) => mortal(client, at, died);
  const deps: TaskRunnerDeps = {
    ...stack.services,
    ...overrides(dying),
    iot: dying(stack.services.iot),
    iotCreate: dying(stack.services.iotCreate),
    // What a process knows dies with it.
    policies: new PolicyDirectory(),
    leaseSeconds: 0,
  };
  const run = runTask(taskId, deps).then(
    (task) => new Error(`the worker was meant to die at ${at.operation} but finished ${task.status}`),
    (e: unknown) => (e instanceof Error ? e : new Error('the worker failed')),
  );
  const outcome = await Promise.race([death.then(() => undefined), run]);
  if (outcome !== undefined) throw outcome;
  return stack.services.tasks.require(taskId);
}

/** A client whose `send` of `at.operation` never settles (before or after reaching AWS). */
export function mortal<C extends object>(client: C, at: DeathPoint, died: () => void): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'send' || typeof value !== 'function') return value;
      return async (command: object, ...rest: unknown[]) => {
        const matches = command.constructor.name === `${at.operation}Command`;
        if (matches && at.when === 'before') return dead(died);
        const answer: unknown = await (value as (...a: unknown[]) => Promise<unknown>).call(
          target,
          command,
          ...rest,
        );
        return matches ? dead(died) : answer;
      };
    },
  });
}

function dead(died: () => void): Promise<never> {
  died();
  return new Promise<never>(() => undefined);
}
