import { InvalidInputError } from '../errors.js';

export class TemplateIdInvalidError extends InvalidInputError {
  constructor(templateId: string) {
    super(
      'TEMPLATE_ID_INVALID',
      `'${templateId.slice(0, 140)}' is not a template id: start with a letter or digit, then up to 127 of ` +
        'a-z A-Z 0-9 _ . -',
    );
  }
}

/**
 * The template is valid AWS and CDF on its own, but the two together (or this service) could
 * never provision a device with it, e.g. a certificate mode whose certificate nothing uses.
 */
export class TemplateCannotProvisionError extends InvalidInputError {}

export class ListQueryInvalidError extends InvalidInputError {
  constructor(problem: string) {
    super('LIST_QUERY_INVALID', problem);
  }
}

/** The template names a CDF certificate mode that this deployment does not run. */
export class CertificateModeUnavailableError extends InvalidInputError {
  constructor(mode: string, offered: readonly string[]) {
    super(
      'CERTIFICATE_MODE_UNAVAILABLE',
      `CDF.${mode}: this service does not offer that certificate mode (it offers ${offered.join(', ') || 'none'})`,
    );
  }
}
