import type { Principal } from './resource-server.js';

export interface RouteResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const json = (body: unknown): RouteResponse => ({ status: 200, headers: { 'Cache-Control': 'no-store' }, body });

export const health = (): RouteResponse => ({ status: 200, headers: {}, body: { status: 'ok' } });

export const me = (principal: Principal): RouteResponse =>
  json({ subject: principal.subject, issuer: principal.issuer, client: principal.clientId, scopes: principal.scopes });

export const admin = (principal: Principal): RouteResponse => json({ subject: principal.subject, admin: true });
