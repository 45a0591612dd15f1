/** Outbound authentication of Trakkr's webhook docs: none, bearer, basic, or an API key header. */
export type OutboundAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; header: string; value: string };

export function authHeaders(auth: OutboundAuth | undefined): Record<string, string> {
  switch (auth?.type) {
    case undefined:
    case 'none':
      return {};
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'api_key':
      return { [auth.header.toLowerCase()]: auth.value };
  }
}
