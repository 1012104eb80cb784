import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The SQS client a stopping consumer needs. Its long polls (ReceiveMessage, up to 20 s) can be
 * ended early by `endPolls`, so a stopping worker does not wait out an idle poll: a poll younger
 * than `graceMs` is given that long first, since a poll that found messages answers within
 * milliseconds, and its messages are then worked on and deleted like any other. Every other call
 * (deleting and hiding the messages the worker holds) ignores the consumer's own abort signal, so
 * in-flight messages finish and are deleted: sqs-consumer's `stop({ abort: true })` aborts every
 * call alike, deletes included, and would let finished messages come back.
 *
 * The queue does not learn that a poll was ended: it can still hand that poll a message that
 * arrives before the poll's 20 s are over, and that message then stays hidden for its visibility
 * timeout before another worker receives it. It is delayed, never lost.
 */
export interface EndablePolls {
  sqs: SQSClient;
  /** Ends the polls now in flight (and any started from now on) once they are `graceMs` old. */
  endPolls(): void;
  ending(): boolean;
}

export function endablePolls(client: SQSClient, graceMs = 1000): EndablePolls {
  const inFlight = new Set<{ controller: AbortController; startedAt: number }>();
  let ending = false;
  const end = (poll: { controller: AbortController; startedAt: number }) => {
    const wait = poll.startedAt + graceMs - Date.now();
    if (wait <= 0) poll.controller.abort();
    else
      setTimeout(() => {
        poll.controller.abort();
      }, wait).unref();
  };
  const sqs = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return async (command: ReceiveMessageCommand, options?: { abortSignal?: AbortSignal }) => {
        const { abortSignal: _consumers, ...rest } = options ?? {};
        if (!(command instanceof ReceiveMessageCommand)) return target.send(command, rest);
        const poll = { controller: new AbortController(), startedAt: Date.now() };
        inFlight.add(poll);
        if (ending) end(poll);
        try {
          return await target.send(command, { ...rest, abortSignal: poll.controller.signal });
        } finally {
          inFlight.delete(poll);
        }
      };
    },
  });
  return {
    sqs,
    endPolls: () => {
      ending = true;
      for (const poll of inFlight) end(poll);
    },
    ending: () => ending,
  };
}
