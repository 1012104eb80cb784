/**
 * The header a submitting system names itself with (`x-client: erp-eu`): kept on its tasks and
 * carried as the `client` attribute of their events, for its subscription's filter policy.
 */
export const CLIENT_HEADER = 'x-client';
