/**
 * The IoT policies this process knows exist, by name, with their ARNs: a template's shared policy
 * (named by its document's hash, or a name the template gives) is looked up or created once per
 * process, not once per device. An entry is dropped when AWS says the policy is gone, and is kept
 * at most `ttlMs`, so a policy deleted by hand is noticed even where nothing attaches it.
 *
 * Creating is single-flight per name: devices that need the same new policy at once (the start of
 * a bulk task) share one CreatePolicy instead of each sending one and all but one being refused.
 */
export interface Creation {
  policyArn: string;
  /** This caller's own request created it (not another caller's, nor an earlier one). */
  created: boolean;
}

export class PolicyDirectory {
  private readonly known = new Map<string, { policyArn: string; at: number }>();
  private readonly creating = new Map<string, Promise<{ policyArn: string; created: boolean }>>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  arnOf(policyName: string): string | undefined {
    const entry = this.known.get(policyName);
    if (entry === undefined) return undefined;
    if (this.now() - entry.at < this.ttlMs) return entry.policyArn;
    this.known.delete(policyName);
    return undefined;
  }

  remember(policyName: string, policyArn: string): void {
    this.known.set(policyName, { policyArn, at: this.now() });
  }

  forget(policyName: string): void {
    this.known.delete(policyName);
  }

  /**
   * Creates the policy through `create` (which answers its ARN, and whether it made the policy or
   * found it existing), unless a creation of that name is already under way here: then this
   * caller waits for it and did not create the policy itself.
   */
  async create(policyName: string, create: () => Promise<Creation>): Promise<Creation> {
    const pending = this.creating.get(policyName);
    if (pending !== undefined) return { policyArn: (await pending).policyArn, created: false };
    const started = create().finally(() => this.creating.delete(policyName));
    this.creating.set(policyName, started);
    const outcome = await started;
    this.remember(policyName, outcome.policyArn);
    return outcome;
  }
}
