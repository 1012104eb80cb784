/**
 * A certificate's scheduled retirement (`CERT#<id>` / `RETIREMENT`): at most one per
 * certificate, so scheduling is idempotent by construction. After the retirement, the same item
 * becomes the certificate's scheduled deletion when RETIRED_CERTIFICATE_DELETE_DAYS is set.
 * While `SCHEDULED` it is in the lifecycle index under `DUE#<shard>` by its due time.
 */
export type RetirementAction = 'retire' | 'delete';

/**
 * `DONE`: carried out (or nothing was left to do); `BLOCKED`: refused at its time by a rule
 * (shared, last ACTIVE certificate, not attached), with the reason; `KEPT`: a deletion not made
 * because the certificate was put back in use.
 */
export type RetirementState = 'SCHEDULED' | 'DONE' | 'BLOCKED' | 'KEPT';

export interface ScheduledRetirement {
  certificateId: string;
  thingName: string;
  action: RetirementAction;
  /** ISO date-time. */
  dueAt: string;
  state: RetirementState;
  /** Who asked (a rotation task's id), so a repeated request is recognised. */
  requestedBy?: string;
  createdAt: string;
  updatedAt: string;
  /** How many times a tick has claimed it (1 when it ran once). */
  runs: number;
  claimOwner?: string;
  /** Epoch ms: the claim's lease, or after a failed run, when it may be tried again. */
  claimUntil?: number;
  retiredAt?: string;
  /** What happened, in words. */
  outcome?: string;
  lastError?: { code: string; message: string };
}
