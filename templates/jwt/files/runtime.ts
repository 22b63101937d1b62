import { resolve } from 'node:path';
import { loadAuthConfig } from './core/config.js';
import type { JwtAuthConfig } from './core/config.js';
import { JwtAuth } from './core/jwt-auth.js';
import type { AuthenticateCredentials } from './core/jwt-auth.js';
import { resolveKeyEncryptionKey } from './core/key-encryption.js';
import { openStore, storeSettingsFromEnv } from './stores/index.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Builds the auth service from the environment: configuration, store and key-encryption key.
 * The demo server and the management CLI both start here; your app can too.
 */
export async function createAuthFromEnv(
  options: { env?: Env; cwd?: string; authenticate?: AuthenticateCredentials } = {},
): Promise<{ auth: JwtAuth; config: JwtAuthConfig; warnings: string[] }> {
  const env = options.env ?? process.env;
  const dataDir = resolve(options.cwd ?? process.cwd(), env.AUTH_DATA_DIR ?? '.auth-data');
  const config = loadAuthConfig(env);
  const kek = resolveKeyEncryptionKey(env, dataDir);
  const warnings: string[] = [];
  if (kek.source === 'file') {
    warnings.push(
      `JWT_KEY_ENCRYPTION_KEY is not set; using the development key file ${kek.path ?? ''}. ` +
        'Set the variable in production (NODE_ENV=production requires it).',
    );
  }
  const store = await openStore(storeSettingsFromEnv(env, dataDir));
  try {
    const auth = new JwtAuth({
      store,
      config,
      keyEncryptionKey: kek.key,
      ...(options.authenticate ? { authenticate: options.authenticate } : {}),
    });
    await auth.init();
    return { auth, config, warnings };
  } catch (error) {
    await store.close();
    throw error;
  }
}
