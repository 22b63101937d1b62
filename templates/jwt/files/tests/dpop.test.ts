import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from '../../../policy.js';
import type { Reply } from '../../../tests/harness.js';
import type { TokenReply } from '../issuer.js';
import { bearer, dpopClient, PASSWORDS, startRig, VARIANTS, type DpopClient, type Rig } from './support.js';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { cnf?: { jkt: string } };

/*
 * Checklist section 8 (DPoP, RFC 9449) over real HTTP with JWT_DPOP=on, for
 * both variants: access tokens bound to the client's key at sign-in, a proof
 * for every request, and refresh tokens bound to the same key.
 */
describe.each(VARIANTS)('DPoP-bound tokens, %s (checklist 8.1-8.5)', { timeout: 60_000 }, (variant) => {
  let rig: Rig;
  let client: DpopClient;
  let tokens: TokenReply;
  const window = POLICY.dpop.proofWindow.default;
  const meUrl = () => `${rig.api.url}/${rig.boundary}/me`;
  const tokenUrl = (path: string) => `${rig.tokens.url}${rig.tokenPrefix}${path}`;
  const me = (headers: Record<string, string>) => rig.get(`/${rig.boundary}/me`, headers);
  const now = () => Math.floor(rig.now() / 1000);

  function expectProofRefused(reply: Reply): void {
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('DPoP realm="api", algs="ES256", error="invalid_dpop_proof"');
    expect(reply.text).not.toContain('alice');
  }

  beforeAll(async () => {
    rig = await startRig(variant, { JWT_DPOP: 'on' });
    client = await dpopClient();
    const reply = await rig.postToken(`${rig.tokenPrefix}/token`, { username: 'alice', password: PASSWORDS.alice }, { dpop: await client.proof('POST', tokenUrl('/token')) });
    expect(reply.status).toBe(200);
    tokens = reply.body as TokenReply;
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('sign-in binds the tokens to the key the client proved: token_type DPoP, cnf.jkt its thumbprint', async () => {
    expect(tokens.token_type).toBe('DPoP');
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt: client.thumbprint });
    const reply = await me({ authorization: `DPoP ${tokens.access_token}`, dpop: await client.proof('GET', meUrl(), { accessToken: tokens.access_token }) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ subject: 'alice', variant });
  });

  it('sign-in without a proof, or with a proof for another URL → 400 invalid_dpop_proof', async () => {
    const attempts: Record<string, string>[] = [{}, { dpop: await client.proof('POST', tokenUrl('/logout')) }];
    for (const headers of attempts) {
      const reply = await rig.postToken(`${rig.tokenPrefix}/token`, { username: 'alice', password: PASSWORDS.alice }, headers);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ type: expect.stringMatching(/:invalid-dpop-proof$/), error: 'invalid_dpop_proof' });
    }
  });

  it('8.1 a bound token without a proof → 401 with the DPoP challenge; sent as Bearer → 401 too', async () => {
    expectProofRefused(await me({ authorization: `DPoP ${tokens.access_token}` }));
    const asBearer = await me(bearer(tokens.access_token));
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toBe('DPoP realm="api", algs="ES256", error="invalid_token"');
    const none = await me({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('DPoP realm="api", algs="ES256"');
  });

  it('8.2 a proof for another method or URL, outside the iat window, or without the right ath → 401 invalid_dpop_proof', async () => {
    const token = tokens.access_token;
    const wrong = [
      await client.proof('POST', meUrl(), { accessToken: token }),
      await client.proof('GET', `${rig.api.url}/${rig.boundary}/admin`, { accessToken: token }),
      await client.proof('GET', meUrl().replace('http://', 'https://'), { accessToken: token }),
      await client.proof('GET', meUrl(), { accessToken: token, iat: now() - window - 5 }),
      await client.proof('GET', meUrl(), { accessToken: token, iat: now() + window + 5 }),
      await client.proof('GET', meUrl(), { accessToken: 'another token' }),
      await client.proof('GET', meUrl()),
      await client.proof('GET', meUrl(), { accessToken: token, header: { typ: 'JWT' } }),
    ];
    for (const proof of wrong) expectProofRefused(await me({ authorization: `DPoP ${token}`, dpop: proof }));
    // The query string is not part of htu.
    const withQuery = await rig.get(`/${rig.boundary}/me?page=2`, { authorization: `DPoP ${token}`, dpop: await client.proof('GET', meUrl(), { accessToken: token }) });
    expect(withQuery.status).toBe(200);
  });

  it('8.3 a replayed proof → 401', async () => {
    const proof = await client.proof('GET', meUrl(), { accessToken: tokens.access_token });
    expect((await me({ authorization: `DPoP ${tokens.access_token}`, dpop: proof })).status).toBe(200);
    expectProofRefused(await me({ authorization: `DPoP ${tokens.access_token}`, dpop: proof }));
  });

  it('8.4 a stolen token with a proof by the thief\'s own key → 401', async () => {
    const thief = await dpopClient();
    expectProofRefused(await me({ authorization: `DPoP ${tokens.access_token}`, dpop: await thief.proof('GET', meUrl(), { accessToken: tokens.access_token }) }));
  });

  it('an unbound token is refused while DPoP is on', async () => {
    const reply = await me({ authorization: `DPoP ${await rig.mint('alice')}`, dpop: await client.proof('GET', meUrl()) });
    expect(reply.status).toBe(401);
  });

  it('8.5 the refresh token is bound to the same key: refused without a proof or with another key, accepted with the key', async () => {
    const refresh = (dpop?: string) => rig.postToken(`${rig.tokenPrefix}/token/refresh`, { refresh_token: tokens.refresh_token }, dpop ? { dpop } : {});
    const thief = await dpopClient();
    for (const reply of [await refresh(), await refresh(await thief.proof('POST', tokenUrl('/token/refresh')))]) {
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: 'invalid_dpop_proof' });
    }
    // A thief without the key cannot end the sign-in either.
    expect((await rig.postToken(`${rig.tokenPrefix}/logout`, { refresh_token: tokens.refresh_token }, { dpop: await thief.proof('POST', tokenUrl('/logout')) })).status).toBe(400);
    const renewed = await refresh(await client.proof('POST', tokenUrl('/token/refresh')));
    expect(renewed.status).toBe(200);
    const next = renewed.body as TokenReply;
    expect(claimsOf(next.access_token).cnf).toEqual({ jkt: client.thumbprint });
    expect((await me({ authorization: `DPoP ${next.access_token}`, dpop: await client.proof('GET', meUrl(), { accessToken: next.access_token }) })).status).toBe(200);
    tokens = next;
  });
});

describe('DPoP behind a proxy: htu names AUTH_PUBLIC_ORIGIN', { timeout: 60_000 }, () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('login-endpoint', { JWT_DPOP: 'on', AUTH_PUBLIC_ORIGIN: 'https://api.example.test' });
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('a proof must name the public origin, not the address the server listens on', async () => {
    const client = await dpopClient();
    const signIn = await rig.postToken('/people/token', { username: 'alice', password: PASSWORDS.alice }, { dpop: await client.proof('POST', 'https://api.example.test/people/token') });
    expect(signIn.status).toBe(200);
    const { access_token: token } = signIn.body as TokenReply;
    const local = await rig.get('/people/me', { authorization: `DPoP ${token}`, dpop: await client.proof('GET', `${rig.api.url}/people/me`, { accessToken: token }) });
    expect(local.status).toBe(401);
    const published = await rig.get('/people/me', { authorization: `DPoP ${token}`, dpop: await client.proof('GET', 'https://api.example.test/people/me', { accessToken: token }) });
    expect(published.status).toBe(200);
  });
});
