/**
 * The validator's public API (the package's `./validate` entry point): the API server's verdict on Kubernetes YAML,
 * offline. It imports no construct, CLI or ops code, so a tool can depend on it alone.
 */
export { validatePaths, Validator, type ValidateOptions, type ValidationResult } from './validator';
export { formatFinding, type Finding, type Severity } from './findings';
export { ValidationCache, type CacheShape, type ValidationCacheOptions } from './cache';
export { CannotRunError, readDocuments, type RawInputDocument } from './documents';
export { SECURITY_RULES, type SecurityRule } from './security';
export { PITFALL_RULES } from './pitfalls';
export { LLMISVC_RULES } from './llmisvc';
export { decodeYaml, type DecodedYaml } from './yaml-decode';
