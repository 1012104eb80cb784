import type { ProvisioningApi } from '../api/provisioning-api.js';
import type { Console } from '../output/console.js';

/** What every command gets from the composition root (`cli/main.ts`). */
export interface CommandContext {
  console: Console;
  /** The API client, built on first use (so `--help` and local checks never load the auth code). */
  api(): Promise<ProvisioningApi>;
  /** Aborted by Ctrl-C while `interruptible` work runs (elsewhere Ctrl-C ends the command at once). */
  signal: AbortSignal;
  /** Runs work that Ctrl-C should stop gracefully (following, writing files) rather than kill. */
  interruptible<T>(work: () => Promise<T>): Promise<T>;
  /** The exact command line that picks a task up again (global options included, never a token). */
  resumeCommand(taskId: string, out?: string): string;
  /** Asks a person at a terminal; only called when `console.interactive`. */
  ask(question: string): Promise<string>;
}
