/** Real JWTs for the inspect tests, signed with node:crypto. */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** An ES256 JWT (or HS256 with `secret`, or unsigned with alg none). */
export function makeJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
  options: { alg?: 'ES256' | 'HS256' | 'none'; secret?: string } = {},
): string {
  const alg = options.alg ?? 'ES256';
  const signingInput = `${encode({ alg, typ: 'JWT', ...header })}.${encode(claims)}`;
  if (alg === 'none') return `${signingInput}.`;
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', options.secret ?? 'a-shared-secret-of-thirty-two-bytes!').update(signingInput).digest()
      : sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
