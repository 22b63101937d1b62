import { createApiKeyAuth, type ApiKeyAuth, type ApiKeyAuthOptions } from './auth.js';
import type { ApiKeyConfig } from './config.js';
import type { KeyManagementContext } from './manage.js';
import type { ApiKeyStore } from './store.js';

/** Everything a server needs: the request check plus what key management uses. */
export interface ApiKeyServices {
  auth: ApiKeyAuth;
  store: ApiKeyStore;
  /** A management context at the current instant of the services' clock. */
  management(): KeyManagementContext;
}

export type ApiKeyServicesOptions = Omit<ApiKeyAuthOptions, 'store' | 'pepper' | 'prefix' | 'realm'> & {
  store: ApiKeyStore;
  config: Pick<ApiKeyConfig, 'pepper' | 'prefix' | 'realm'>;
};

export function createApiKeyServices(options: ApiKeyServicesOptions): ApiKeyServices {
  const { store, config, ...rest } = options;
  const now = rest.now ?? (() => new Date());
  const auth = createApiKeyAuth({ ...rest, now, store, pepper: config.pepper, prefix: config.prefix, realm: config.realm });
  return {
    auth,
    store,
    management: () => ({ store, pepper: config.pepper, prefix: config.prefix, now: now() }),
  };
}
