import { PlainProgress } from '../follow/plain-progress.js';
import type { ProgressReporter } from '../follow/progress.js';
import { TtyProgress } from '../follow/tty-progress.js';

/**
 * Where the command's words go. Human text and progress go to stdout; with `--json` stdout carries
 * only the JSON answer and the human text moves to stderr. Warnings and errors go to stderr.
 */
export class Console {
  constructor(
    private readonly stdout: NodeJS.WriteStream,
    private readonly stderr: NodeJS.WriteStream,
    readonly json: boolean,
  ) {}

  private get textStream(): NodeJS.WriteStream {
    return this.json ? this.stderr : this.stdout;
  }

  /** A line (or lines) for a person. */
  say(text: string): void {
    this.textStream.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** The machine-readable answer (with `--json`). */
  result(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Whether a person is at a terminal to see a bar and answer a question. */
  get interactive(): boolean {
    return this.textStream.isTTY && process.stdin.isTTY;
  }

  progress(label: string): ProgressReporter {
    return this.textStream.isTTY
      ? new TtyProgress(this.textStream, label)
      : new PlainProgress((l) => {
          this.say(l);
        }, label);
  }
}
