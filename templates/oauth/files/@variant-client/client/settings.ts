import { ConfigError, type Env } from '../../../kernel/config.js';
import { isSafeUrl } from '../tokens/issuer.js';
import { readIssuer, readRequired } from '../tokens/settings.js';
import { readPracticeSettings, type PracticeSettings } from '../practice/serve.js';

/** OAuth client mode's settings: the provider this app connects people's accounts to, and this app's registration there. */
export interface ClientSettings {
  /** Public origin of this app; the provider sends people back to `<appUrl>/<boundary>/callback`. */
  appUrl: string;
  /** Null while the practice issuer stands in for the provider. */
  provider: { issuer: string; clientId: string; clientSecret: string } | null;
  /** Space-separated; includes openid. */
  scope: string;
  practice: PracticeSettings | null;
}

export function readClientSettings(env: Env, warnings: string[]): ClientSettings {
  const production = env.NODE_ENV === 'production';
  const practice = readPracticeSettings(env);
  const appUrlRaw = env.OAUTH_APP_URL?.trim() ?? '';
  if (production && appUrlRaw === '') throw new ConfigError('Set OAUTH_APP_URL (https) in production: the provider sends people back to it.');
  const appUrl = appUrlRaw === '' ? (practice?.appOrigin ?? `http://127.0.0.1:${env.PORT?.trim() || '3000'}`) : appUrlRaw.replace(/\/+$/, '');
  if (!isSafeUrl(appUrl) || new URL(appUrl).origin !== appUrl) throw new ConfigError(`OAUTH_APP_URL must be an https origin such as https://app.example.com (http only on 127.0.0.1); got "${appUrlRaw}".`);
  if (production && !appUrl.startsWith('https:')) throw new ConfigError(`OAUTH_APP_URL must use https in production; got "${appUrl}".`);

  let provider: ClientSettings['provider'] = null;
  if (practice === null) {
    const registration = "this app's registration at the provider";
    provider = {
      // NOTE: kept exactly as written: openid-client compares it with the discovery document's issuer, character for character.
      issuer: readIssuer(env, 'OAUTH_PROVIDER_ISSUER'),
      clientId: readRequired(env, 'OAUTH_CLIENT_ID', registration),
      clientSecret: readRequired(env, 'OAUTH_CLIENT_SECRET', registration),
    };
  } else if ((env.OAUTH_PROVIDER_ISSUER?.trim() ?? '') !== '') {
    warnings.push('OAUTH_PRACTICE_ISSUER=1 overrides OAUTH_PROVIDER_ISSUER: this app connects to the practice issuer only.');
  }

  const scope = (env.OAUTH_SCOPE?.trim() || 'openid read').split(/\s+/).join(' ');
  if (!scope.split(' ').includes('openid')) throw new ConfigError(`OAUTH_SCOPE must include openid: the ID token is what proves who connected; got "${scope}".`);
  if (!/^[\x21-\x7e ]{1,1000}$/.test(scope)) throw new ConfigError('OAUTH_SCOPE must be printable scope names separated by spaces.');
  return { appUrl, provider, scope, practice };
}
