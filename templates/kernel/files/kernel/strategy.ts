import type { AuthRequest } from './http.js';
import type { MethodId, Principal } from './principal.js';

/** Where one credential travelled: an Authorization header, or a cookie a strategy reads. */
export type Carrier =
  | { kind: 'authorization'; scheme: string; credentials: string }
  | { kind: 'cookie'; name: string; value: string };

export type StrategyResult =
  | {
      ok: true;
      principal: Omit<Principal, 'boundary'>;
      /** For cookie-based strategies: the synchronizer token this session expects on unsafe requests. */
      csrfToken?: string;
    }
  | {
      ok: false;
      /** Why, for the audit line and the server log (e.g. `unknown`, `expired`); never shown to the caller. */
      reason: string;
      /** An RFC 6750 `error` for the challenge, e.g. `invalid_token`. */
      error?: string;
      /**
       * The challenge to send instead of the strategy's own, when this failure
       * needs another (a DPoP-bound token sent without its proof answers with
       * `DPoP error="invalid_dpop_proof"`). Sent as given: `error` is not added.
       */
      challenge?: string;
      /** Headers the refusal carries, e.g. a `Set-Cookie` that expires a cookie that will never work again. */
      headers?: Record<string, string>;
    };

/**
 * How one method and variant reads and checks its credential; Passport's one
 * interface, without the fallthrough. Strategies are mutually exclusive by
 * construction: `claims` decides from the carrier alone (scheme, cookie name,
 * a token prefix) whose credential it is, and a guard lets only the one
 * claiming strategy decide.
 */
export interface Strategy {
  method: MethodId;
  variant: string;
  /** The WWW-Authenticate challenge, e.g. `ApiKey realm="api"`. */
  challenge: string;
  /** CSRF defences apply to requests this strategy authenticates exactly when true. */
  cookieBased: boolean;
  /** Cookie names holding this strategy's credential: wherever they are sent, they count as a credential. */
  cookies?: readonly string[];
  claims(carrier: Carrier): boolean;
  /** Whether a value found in a URL looks like this strategy's credential (it has leaked; it is refused). */
  recognises?(value: string): boolean;
  authenticate(request: AuthRequest, carrier: Carrier): Promise<StrategyResult>;
}

/** `Bearer abc` → scheme `Bearer`, credentials `abc`. The scheme's case is kept; compare it case-insensitively. */
export function authorizationCarrier(header: string): Carrier {
  const match = /^\s*(\S+)(?:\s+(.*?))?\s*$/.exec(header);
  return { kind: 'authorization', scheme: match?.[1] ?? '', credentials: match?.[2] ?? '' };
}

/** The scheme a challenge names (`ApiKey realm="api"` → `ApiKey`). */
export const schemeOf = (challenge: string): string => challenge.split(/\s/, 1)[0] ?? challenge;
