import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../../kernel/clock.js';

/**
 * What this API learns about a token issuer, through standard endpoints only:
 * its metadata (OpenID Connect discovery, or RFC 8414), its signing keys
 * (JWKS) and its introspection endpoint (RFC 7662). Works the same against a
 * hosted identity provider and against an authorization server of your own.
 */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
  [field: string]: unknown;
}

/** The issuer could not be asked (down, slow, an answer that is not what the standards say): a 503, never a 401. */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or plain http on loopback, where nothing can sit on the wire. */
export function isSafeUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

const TIMEOUT_MS = 5_000;
const MAX_BYTES = 256 * 1024;

/** A JSON object from the issuer, within a time and size limit; anything else is the issuer's failure. */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    throw new IssuerUnavailableError(`${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await response.text().catch(() => '');
  if (text.length > MAX_BYTES) throw new IssuerUnavailableError(`${url}: the answer is larger than ${MAX_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new IssuerUnavailableError(`${url}: ${response.status}, not JSON`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new IssuerUnavailableError(`${url}: ${response.status}, not a JSON object`);
  return { status: response.status, body: body as Record<string, unknown> };
}

/** Where the metadata of `issuer` is published: OpenID Connect discovery first, then RFC 8414's well-known URI. */
function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [`${url.origin}${path}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
}

export interface IssuerClient {
  readonly issuer: string;
  metadata(): Promise<IssuerMetadata>;
  /** jose's key lookup, over the issuer's JWKS. */
  readonly keys: JWTVerifyGetKey;
  /** JWKS fetches so far (for tests and operators). */
  readonly fetches: () => number;
}

/**
 * The issuer's metadata and keys, cached by the kernel clock: the JWKS is
 * fetched again once older than `cacheMaxAge`, and a token naming a key that
 * is not in it causes a fetch only if the last one is `cooldown` old, so a
 * flood of made-up `kid`s costs at most one request per cooldown.
 */
export function createIssuerClient(options: { issuer: string; clock: Clock; jwksCacheMaxAge: number; jwksCooldown: number }): IssuerClient {
  const { issuer, clock } = options;
  let metadata: { value: IssuerMetadata; at: number } | null = null;
  let pendingMetadata: Promise<IssuerMetadata> | null = null;
  let keySet: { lookup: JWTVerifyGetKey; at: number } | null = null;
  let pendingKeys: Promise<void> | null = null;
  let lastFetch = Number.NEGATIVE_INFINITY;
  let fetches = 0;

  async function discover(): Promise<IssuerMetadata> {
    let lastProblem = '';
    for (const url of metadataUrls(issuer)) {
      const { status, body } = await fetchJson(url).catch((error: unknown) => {
        lastProblem = error instanceof Error ? error.message : String(error);
        return { status: 0, body: {} as Record<string, unknown> };
      });
      if (status !== 200) {
        lastProblem ||= `${url}: ${status}`;
        continue;
      }
      // NOTE: compared character for character (RFC 8414 §3.3): metadata naming another issuer is a mix-up, not a typo.
      if (body.issuer !== issuer) throw new IssuerUnavailableError(`${url} names the issuer "${String(body.issuer)}", not "${issuer}"`);
      for (const field of ['jwks_uri', 'introspection_endpoint'] as const) {
        if (body[field] !== undefined && (typeof body[field] !== 'string' || !isSafeUrl(body[field] as string))) {
          throw new IssuerUnavailableError(`${url}: ${field} must be an https URL`);
        }
      }
      return body as IssuerMetadata;
    }
    throw new IssuerUnavailableError(`no metadata for ${issuer} (${lastProblem})`);
  }

  async function currentMetadata(): Promise<IssuerMetadata> {
    const now = clock.now().getTime();
    if (metadata !== null && now - metadata.at < options.jwksCacheMaxAge * 1000) return metadata.value;
    pendingMetadata ??= discover()
      .then((value) => {
        metadata = { value, at: clock.now().getTime() };
        return value;
      })
      .finally(() => {
        pendingMetadata = null;
      });
    return pendingMetadata;
  }

  function refreshKeys(): Promise<void> {
    pendingKeys ??= (async () => {
      const { jwks_uri: jwksUri } = await currentMetadata();
      if (jwksUri === undefined) throw new IssuerUnavailableError(`${issuer} publishes no jwks_uri`);
      lastFetch = clock.now().getTime();
      fetches += 1;
      const { status, body } = await fetchJson(jwksUri);
      if (status !== 200 || !Array.isArray(body.keys)) throw new IssuerUnavailableError(`${jwksUri}: ${status}, not a JWK set`);
      keySet = { lookup: createLocalJWKSet(body as unknown as JSONWebKeySet), at: lastFetch };
    })().finally(() => {
      pendingKeys = null;
    });
    return pendingKeys;
  }

  const keys: JWTVerifyGetKey = async (header, token) => {
    const now = clock.now().getTime();
    if (keySet === null || now - keySet.at >= options.jwksCacheMaxAge * 1000) await refreshKeys();
    try {
      return await keySet!.lookup(header, token);
    } catch (error) {
      const unknownKey = (error as { code?: unknown }).code === 'ERR_JWKS_NO_MATCHING_KEY';
      if (!unknownKey || now - lastFetch < options.jwksCooldown * 1000) throw error;
    }
    // A key this API has not seen: the issuer may have rotated. One fetch, then the answer stands.
    await refreshKeys();
    return keySet!.lookup(header, token);
  };

  return { issuer, metadata: currentMetadata, keys, fetches: () => fetches };
}
