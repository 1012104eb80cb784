/** One device's outcome as the folder writer takes it, from a bulk result or a single-device task. */
export interface DeviceOutcome {
  /** The task that produced it (a bulk task, or a single-device task). */
  taskId: string;
  /** The input line, for devices of a bulk task. */
  line?: number;
  status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  thingName: string | null;
  certificateId?: string | null;
  certificatePem?: string | null;
  certificateChainPem?: string | null;
  privateKey?: string | null;
  resourceArns?: Record<string, string>;
  error?: { code: string; message: string };
  warning?: { code: string; message: string };
}

/** What `results.ndjson` keeps of an outcome: never the private key, and not the PEMs (they are in the device folder). */
export interface ResultEntry {
  line?: number;
  taskId: string;
  status: DeviceOutcome['status'];
  thingName: string | null;
  certificateId?: string | null;
  resourceArns?: Record<string, string>;
  error?: { code: string; message: string };
  warning?: { code: string; message: string };
  /** The device's folder, relative to the output folder. */
  directory?: string;
}

export function resultEntry(outcome: DeviceOutcome, directory: string | undefined): ResultEntry {
  return {
    ...(outcome.line !== undefined ? { line: outcome.line } : {}),
    taskId: outcome.taskId,
    status: outcome.status,
    thingName: outcome.thingName,
    ...(outcome.certificateId != null ? { certificateId: outcome.certificateId } : {}),
    ...(outcome.resourceArns !== undefined ? { resourceArns: outcome.resourceArns } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.warning !== undefined ? { warning: outcome.warning } : {}),
    ...(directory !== undefined ? { directory } : {}),
  };
}
