export { parseTemplate, requiredParameters } from './parse.js';
export { expandTemplate } from './expand.js';
export { TemplateError, TemplateNotFoundError, type TemplateErrorCode } from './errors.js';
export type {
  AwsTemplate,
  CertificateSubjectField,
  ExpandedCertificate,
  ExpandedPolicy,
  ExpandedTemplate,
  ExpandedThing,
  ExpansionContext,
  Json,
  JsonObject,
  OverrideAction,
  ParameterDefinition,
  ParsedTemplate,
  ResourceDefinition,
  ResourceType,
  TemplateCertificateStatus,
} from './types.js';
