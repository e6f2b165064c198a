// Type-checks the validator's public declarations (the package's `./validate` entry point) under the template's
// tsconfig. main.ts does not load it: importing the constructs must not load the validator.
import * as validate from 'kserve-agentgateway-stack/validate';

export type ValidateApi = typeof validate;
