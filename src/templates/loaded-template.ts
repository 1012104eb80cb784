import { CERTIFICATE_MODE_INJECTS, parseCdfBlock, selectCertificateMode } from './cdf-block.js';
import type { CdfBlock, CertificateModeName } from './cdf-block.js';
import { requiredParameters } from './parse.js';
import type { ParsedTemplate } from './types.js';

/**
 * A template as the service uses it, every decision about it made once, where it is loaded:
 * parsed, its CDF block checked, its certificate mode chosen, and the parameters a caller must
 * send worked out. Admission, the worker, bulk chunks and `PUT /templates` all read these.
 */
export interface LoadedTemplate {
  parsed: ParsedTemplate;
  cdf: CdfBlock;
  certificateMode: CertificateModeName | undefined;
  /** Parameters without a Default that the certificate mode does not inject, in template order. */
  callerParameters: string[];
  /** The bucket's version id of the template; undefined when the bucket keeps no versions. */
  version: string | undefined;
}

export function loadedTemplate(parsed: ParsedTemplate, version: string | undefined): LoadedTemplate {
  const cdf = parseCdfBlock(parsed.cdf);
  const certificateMode = selectCertificateMode(cdf);
  const injected = new Set<string>(
    certificateMode === undefined ? [] : CERTIFICATE_MODE_INJECTS[certificateMode],
  );
  return {
    parsed,
    cdf,
    certificateMode,
    callerParameters: requiredParameters(parsed).filter((p) => !injected.has(p)),
    version,
  };
}
