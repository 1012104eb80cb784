import { NotFoundError } from '../errors.js';

/**
 * Runs a read or delete whose target may already be gone: undefined then, instead of an error.
 * Deleting what another request deleted a moment earlier is success, which is what makes two
 * concurrent deletes of the same thing safe.
 */
export async function unlessGone<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e: unknown) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}
