/**
 * What `auth-decide inspect` learns from a credential, offline. Pure data:
 * the decoder and the analysis fill it, the renderer prints it.
 */
import type { MethodId } from '../types.js';

/**
 * - `error`: the credential is malformed and will be refused (e.g. a bad checksum);
 * - `risk`: it works, but it should not look like this (e.g. `alg: none`, no `exp`);
 * - `note`: worth knowing, not wrong (e.g. what cannot be known offline).
 */
export type Severity = 'error' | 'risk' | 'note';

export interface Finding {
  /** Stable id, e.g. `alg-none`, `missing-exp`, `secret-in-claims`. */
  id: string;
  severity: Severity;
  message: string;
}

/** A time claim (`iat`, `nbf`, `exp`, `auth_time`) read against `now`. */
export interface TimeClaim {
  claim: string;
  /** Seconds since the epoch, as in the token. */
  value: number;
  /** ISO 8601, UTC. */
  at: string;
  /** e.g. "expires in 9 minutes", "expired 2 hours ago", "issued 3 minutes ago". */
  words: string;
}

/** The policy a lifetime was measured against, and where it came from. */
export interface LifetimeLimit {
  method: MethodId;
  variant: string;
  setting: string;
  /** Seconds. */
  default: number;
  max: number;
  source: 'decision record' | 'built-in defaults';
}

interface InspectionBase {
  /** The input with every secret part masked: safe to print. */
  masked: string;
  /** The HTTP scheme the input carried (`Bearer`, `ApiKey`, `DPoP`), when it was a header or a header value. */
  scheme: string | null;
  findings: Finding[];
}

export interface JwtInspection extends InspectionBase {
  kind: 'jwt';
  header: Record<string, unknown>;
  /** Claims with the values of secret-looking claims masked. */
  claims: Record<string, unknown>;
  times: TimeClaim[];
  /** exp − iat (or exp − nbf) in seconds, when both are present. */
  lifetime: number | null;
  limit: LifetimeLimit | null;
  /** Length of the signature in bytes; 0 for an unsigned token. The signature itself is never printed. */
  signatureBytes: number;
}

export interface EncryptedJwtInspection extends InspectionBase {
  kind: 'jwe';
  header: Record<string, unknown>;
}

export interface ApiKeyInspection extends InspectionBase {
  kind: 'api-key';
  prefix: string;
  /** Public: the server finds the key's record by it. */
  id: string;
  secretLength: number;
  checksum: string;
  checksumValid: boolean;
}

export interface SessionTokenInspection extends InspectionBase {
  kind: 'session-token';
  length: number;
}

export type Inspection = JwtInspection | EncryptedJwtInspection | ApiKeyInspection | SessionTokenInspection;

/** A method and variant of the current decision record's plan. */
export interface RecordedMethod {
  method: MethodId;
  variant: string;
}
