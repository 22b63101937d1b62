// Reading and writing the session cookie. Only the `Cookie` header is ever read: an id in the URL,
// a query parameter or a body field is ignored, so a link cannot plant a session.

export type HeaderValue = string | string[] | undefined;

export function headerValue(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Returns the value of the named cookie, or undefined when it is absent or appears more than once
 * (two cookies of the same name mean someone else managed to set one; trust neither).
 */
export function readCookie(cookieHeader: HeaderValue, name: string): string | undefined {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : cookieHeader;
  if (!header) return undefined;
  let found: string | undefined;
  let count = 0;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() !== name) continue;
    count += 1;
    found = part.slice(separator + 1).trim();
  }
  return count === 1 ? found : undefined;
}

// NOTE: no Max-Age/Expires: the cookie lives as long as the browser session, while the server-side
// record enforces the real idle and absolute limits. No Domain, so only this exact host receives it.
export function sessionCookie(name: string, sessionId: string): string {
  return `${name}=${sessionId}; Path=/; Secure; HttpOnly; SameSite=Lax`;
}

export function expiredSessionCookie(name: string): string {
  return `${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}
