import { RUN_SCRIPT } from '../../kernel/package.js';
import type { AuthMethod, MethodModule } from '../../kernel/method.js';
import { keysCommand } from './commands.js';
import { readApiKeyConfig, type ApiKeyConfig } from './config.js';
import { KeyManager } from './manage.js';
import { ApiKeyRecords } from './records.js';
import { apiKeyRoutes } from './routes.js';
import { apiKeyStrategy } from './strategy.js';

/** The API-key method, running: its strategy and routes, and key management for the CLI and your code. */
export interface ApiKeyMethod extends AuthMethod {
  readonly config: ApiKeyConfig;
  readonly keys: KeyManager;
  /** The range `expiresInDays` and `--expires-in-days` accept. */
  readonly lifetimeDays: { min: number; max: number };
  /** The range `--overlap-hours` accepts. */
  readonly overlapHours: { min: number; max: number };
}

export const apiKeyMethod: MethodModule = {
  id: 'api-key',
  commands: [keysCommand],
  async create(setup): Promise<ApiKeyMethod> {
    const policy = setup.policy['api-key'].application;
    const config = readApiKeyConfig(setup.env, policy, setup.warnings);
    const records = new ApiKeyRecords(setup.store);
    const keys = new KeyManager(records, config, setup.clock, policy.maxActiveKeysPerOwner);
    const lifetimeDays = KeyManager.lifetimeDays(policy.keyLifetime);
    return {
      id: 'api-key',
      config,
      keys,
      lifetimeDays,
      overlapHours: { min: policy.rotationOverlap.min / 3_600, max: policy.rotationOverlap.max / 3_600 },
      strategies: [apiKeyStrategy({ config, records, clock: setup.clock, lastUsedResolution: policy.lastUsedResolution })],
      routes: setup.boundaries.flatMap((boundary) => apiKeyRoutes(boundary, keys, lifetimeDays)),
      async credential(request) {
        const issued = await keys.create({ subject: request.subject, tenant: 'demo', scopes: request.scopes });
        return { header: `Authorization: ApiKey ${issued.key}`, ...issued.info };
      },
      howToGetCredential: () => `a key from \`${RUN_SCRIPT} auth:keys -- create --subject <program> --scope <scope>\`, sent as "Authorization: ApiKey <key>"`,
    };
  },
};
