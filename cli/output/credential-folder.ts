import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { InputRefusedError, errnoOf } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { writeDeviceFolder } from './device-folder.js';
import { resultEntry, type DeviceOutcome } from './device-outcome.js';
import { writeFailuresFile } from './failures-file.js';
import { readNdjsonFile } from './ndjson-file.js';
import { RESULTS_FILE, ResultsFileWriter } from './results-file.js';

const STATE_DIR = '.provision';
const BATCH_FILE = 'batch.json';
const LOCK_FILE = 'lock';

/** Which batch a folder holds: the first task of the batch and the input its lines came from. */
interface BatchState {
  batchId: string;
  /** The input as submitted, copied into the folder (`.provision/input.csv`). */
  input?: string;
}

export interface FolderSummary {
  dir: string;
  devices: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** `failures.csv` / `failures.ndjson`, when lines failed and the input is known. */
  failuresFile?: string;
  /** Lines failed but no input is known to list them from. */
  failuresWithoutInput: boolean;
}

/**
 * An output folder of credentials: one folder per successful device, `results.ndjson` and the
 * failures file. One batch per folder (a batch is a task and its retries); `.provision/` keeps
 * which batch, and a copy of its input so a later `follow` can list failed lines as they were
 * written. One writer at a time: a lock file names the process holding it.
 */
export class CredentialFolder {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<CredentialFolder> {
    const folder = new CredentialFolder(resolve(dir));
    await mkdir(join(folder.dir, STATE_DIR), { recursive: true, mode: 0o700 });
    await folder.lock();
    return folder;
  }

  async close(): Promise<void> {
    await rm(this.statePath(LOCK_FILE), { force: true });
  }

  /**
   * Claims the folder for a batch (refused if it holds another), and keeps a copy of its input.
   */
  async claim(batchId: string, inputPath?: string): Promise<void> {
    const state = await this.state();
    if (state !== undefined && state.batchId !== batchId)
      throw new InputRefusedError(
        'OUTPUT_FOLDER_IN_USE',
        `${this.dir} holds the credentials of bulk task ${state.batchId}; write task ${batchId} to another folder (--out)`,
      );
    let input = state?.input;
    if (inputPath !== undefined) {
      input = `input${extname(inputPath).toLowerCase() || '.csv'}`;
      await copyFile(inputPath, this.statePath(`${input}.partial`));
      await rename(this.statePath(`${input}.partial`), this.statePath(input));
    }
    const next: BatchState = { batchId, ...(input !== undefined ? { input } : {}) };
    await writeFileAtomic(this.statePath(BATCH_FILE), `${JSON.stringify(next)}\n`);
  }

  /** Writes every outcome of a bulk task, then rebuilds results.ndjson and the failures file. */
  async writeBatch(outcomes: AsyncIterable<DeviceOutcome>, signal?: AbortSignal): Promise<FolderSummary> {
    const results = await ResultsFileWriter.open(join(this.dir, RESULTS_FILE));
    const summary: FolderSummary = {
      dir: this.dir,
      devices: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      failuresWithoutInput: false,
    };
    try {
      for await (const outcome of outcomes) {
        signal?.throwIfAborted();
        if (!results.keeps(outcome.line, outcome.status)) continue;
        const directory = await writeDeviceFolder(this.dir, outcome);
        await results.add(resultEntry(outcome, directory));
      }
      await results.commit();
    } catch (e: unknown) {
      await results.abandon();
      throw e;
    }
    await this.count(summary);
    const input = (await this.state())?.input;
    if (input !== undefined) {
      const file = await writeFailuresFile(this.dir, this.statePath(input));
      if (file !== undefined) summary.failuresFile = file;
    } else {
      summary.failuresWithoutInput = summary.failed > 0;
    }
    return summary;
  }

  /** Writes one single-device task's outcome. */
  async writeSingle(outcome: DeviceOutcome): Promise<string | undefined> {
    const results = await ResultsFileWriter.open(join(this.dir, RESULTS_FILE));
    try {
      const directory = await writeDeviceFolder(this.dir, outcome);
      await results.add(resultEntry(outcome, directory));
      await results.commit();
      return directory;
    } catch (e: unknown) {
      await results.abandon();
      throw e;
    }
  }

  private async count(summary: FolderSummary): Promise<void> {
    for await (const entry of readNdjsonFile<{ status: string; line?: number }>(
      join(this.dir, RESULTS_FILE),
    )) {
      if (entry.line === undefined) continue;
      summary.devices += 1;
      if (entry.status === 'SUCCEEDED') summary.succeeded += 1;
      else if (entry.status === 'FAILED') summary.failed += 1;
      else if (entry.status === 'SKIPPED') summary.skipped += 1;
    }
  }

  private async state(): Promise<BatchState | undefined> {
    try {
      return JSON.parse(await readFile(this.statePath(BATCH_FILE), 'utf8')) as BatchState;
    } catch {
      return undefined;
    }
  }

  private statePath(name: string): string {
    return join(this.dir, STATE_DIR, name);
  }

  private async lock(): Promise<void> {
    const path = this.statePath(LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
        return;
      } catch (e: unknown) {
        if (errnoOf(e) !== 'EEXIST') throw e;
      }
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder))
        throw new InputRefusedError(
          'OUTPUT_FOLDER_BUSY',
          `Another provision command (process ${holder}) is writing to ${this.dir}; wait for it or use another --out`,
        );
      // Left by a process that no longer runs (killed): take it over.
      await rm(path, { force: true });
    }
    throw new InputRefusedError('OUTPUT_FOLDER_BUSY', `Could not lock ${this.dir}`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return errnoOf(e) === 'EPERM';
  }
}
