/**
 * The command's exit status, what scripts and CI act on:
 * 0 every device succeeded (or the command did what it was asked), 1 some devices failed,
 * 2 the input, the options or the call were refused (nothing more will happen without a change),
 * 3 the service could not be reached or answered with a server error (try again),
 * 130 interrupted with Ctrl-C (the task itself goes on).
 */
export const ExitCode = {
  ok: 0,
  devicesFailed: 1,
  refused: 2,
  unavailable: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
