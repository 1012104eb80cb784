/**
 * One device's line of a bulk input file (CSV or NDJSON) as read, before any template is applied:
 * its template parameters, or why the line cannot be used. `raw` is the line exactly as in the
 * file (without its line ending), so a list of failed lines can be handed back unchanged.
 */
export type InputLine = {
  /** 1-based physical line on which the record starts. */
  line: number;
  raw: Uint8Array;
  /** Byte offsets in the file: the line's first byte, and just past its line ending. */
  start: number;
  end: number;
} & ({ parameters: Record<string, string> } | { error: string });

/** The `ProvisionRequest` parameter-name rule, for CSV headers checked before any line is read. */
export const PARAMETER_NAME = /^[A-Za-z0-9:_.-]{1,128}$/;
