import type { Clock } from '../../kernel/clock.js';
import type { Strategy } from '../../kernel/strategy.js';
import type { ApiKeyConfig } from './config.js';
import { hashesMatch, hashSecret, parseKey } from './keys.js';
import type { ApiKeyRecords } from './records.js';

/**
 * `Authorization: ApiKey <key>`, for programs (never people). A key that is
 * not well formed (prefix, length, characters, checksum) is refused before
 * any store lookup; a well-formed one is looked up by its id and its secret
 * compared in constant time. Every failure reads the same to the caller; the
 * reason goes to the audit line only.
 */
export function apiKeyStrategy(input: {
  config: ApiKeyConfig;
  records: ApiKeyRecords;
  clock: Clock;
  /** `lastUsedAt` is written at most once per this many seconds per key (POLICY). */
  lastUsedResolution: number;
}): Strategy {
  const { config, records, clock } = input;
  // Per instance: when this process last stamped each key, so reads stay reads.
  const stamped = new Map<string, number>();

  return {
    method: 'api-key',
    variant: 'application',
    challenge: `ApiKey realm="${config.realm}"`,
    cookieBased: false,
    // The scheme is case-insensitive (RFC 9110 §11.1).
    claims: (carrier) => carrier.kind === 'authorization' && carrier.scheme.toLowerCase() === 'apikey',
    recognises: (value) => value.startsWith(`${config.prefix}_`),
    async authenticate(_request, carrier) {
      if (carrier.kind !== 'authorization') return { ok: false, reason: 'not an API key' };
      const parsed = parseKey(config.prefix, carrier.credentials);
      if (!parsed) return { ok: false, reason: 'malformed' };
      const at = clock.now();
      const record = await records.find(parsed.id);
      // The hash is computed and compared even for an unknown id, so both paths cost the same.
      const genuine = hashesMatch(hashSecret(config.pepper, parsed.id, parsed.secret), record?.secretHash);
      if (!record || !genuine) return { ok: false, reason: 'unknown' };
      if (record.revokedAt && record.revokedAt.getTime() <= at.getTime()) return { ok: false, reason: 'revoked' };
      if (record.expiresAt && record.expiresAt.getTime() <= at.getTime()) return { ok: false, reason: 'expired' };

      const last = stamped.get(record.id);
      if (last === undefined || at.getTime() - last >= input.lastUsedResolution * 1000) {
        if (stamped.size >= 10_000) stamped.clear(); // bounded: at worst a few extra stamps
        stamped.set(record.id, at.getTime());
        await records.markUsed(record.id, at);
      }
      return {
        ok: true,
        principal: {
          subject: record.subject,
          kind: 'application',
          method: 'api-key',
          variant: 'application',
          client: record.id,
          scopes: [...record.scopes],
          tenant: record.tenant,
          credentialId: record.id,
        },
      };
    },
  };
}
