// What every HTTP front end is handed: the service layer, credentials, identities and limits.
// It sits below both the native server and the compatible front ends, so neither imports the other's
// internals (the server mounts the front ends; the front ends never import the server).
import type { IdentityService } from '../control/auth/identity.js';
import type { KeyService } from '../control/auth/keys.js';
import type { Service } from '../control/service.js';
import type { ServerLimits } from './limits.js';

export interface Context {
  svc: Service;
  keys: KeyService;
  /** OpenStack users, application credentials and Keystone tokens. */
  identity: IdentityService;
  limits: ServerLimits;
}
