import { isIP } from 'node:net';

export type ProxyHeader = 'x-forwarded-for' | 'x-real-ip' | 'forwarded';
export const PROXY_HEADERS: readonly ProxyHeader[] = ['x-forwarded-for', 'x-real-ip', 'forwarded'];

/** How many reverse proxies stand in front of the app (0: none) and which header they set. */
export interface TrustedProxy {
  hops: number;
  header: ProxyHeader;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; `[2001:db8::1]:4711` → `2001:db8::1`; anything else that is not an address → null. */
export function normaliseAddress(value: string | undefined): string | null {
  if (value === undefined) return null;
  let address = value.trim().replace(/^"|"$/g, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return isIP(address) === 0 ? null : address.toLowerCase();
}

function forwardedFor(header: string): string[] {
  return header
    .split(',')
    .map((element) => /(?:^|;)\s*for=("[^"]*"|[^;,\s]*)/i.exec(element)?.[1] ?? '')
    .map((value) => value.replace(/^"|"$/g, ''));
}

/**
 * The client's address. Forwarding headers are ignored unless proxies are
 * trusted, because anyone can send them: trusting them by default would let a
 * caller pick the address the throttle counts against. With `hops` proxies,
 * the address the outermost of them saw is the `hops`-th from the right.
 */
export function clientAddress(remote: string | undefined, headers: Readonly<Record<string, string | undefined>>, proxy: TrustedProxy): string {
  const direct = normaliseAddress(remote) ?? 'unknown';
  if (proxy.hops === 0) return direct;
  const value = headers[proxy.header];
  if (value === undefined || value.trim() === '') return direct;
  if (proxy.header === 'x-real-ip') return normaliseAddress(value) ?? direct;
  const chain = proxy.header === 'forwarded' ? forwardedFor(value) : value.split(',');
  const chosen = chain[Math.max(0, chain.length - proxy.hops)];
  return normaliseAddress(chosen) ?? direct;
}
