import ipaddr from 'ipaddr.js';
import { DeliveryError } from '../errors';

/** Which destinations an outbound request may reach. The default: public (global unicast) addresses over HTTPS. */
export interface DestinationGuard {
  /** Allow 127.0.0.0/8 and ::1 (tests, a relay next to its sink). */
  allowLoopback?: boolean;
  /** Allow RFC 1918, unique-local (fc00::/7) and CGNAT (100.64.0.0/10) ranges: an intranet destination. */
  allowPrivate?: boolean;
  /** Hosts allowed over plain http; `*` allows any. HTTPS is required otherwise. */
  allowHttpHosts?: readonly string[];
}

/** The guard for local set-ups (`server.allowInsecureDestinations`): loopback, private ranges and plain http. */
export const INSECURE_GUARD: DestinationGuard = Object.freeze({ allowLoopback: true, allowPrivate: true, allowHttpHosts: ['*'] });

const PRIVATE_RANGES = new Set(['private', 'carrierGradeNat', 'uniqueLocal']);
// The only IPv6 space assigned as global unicast; ipaddr.js calls anything it has no name for "unicast".
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
// Refused even though ipaddr.js has no name for them (or calls them unicast).
const EXTRA_REFUSED: [string, [ipaddr.IPv4 | ipaddr.IPv6, number]][] = [
  // AWS's IPv6 metadata endpoint sits in unique-local space: refused even when private ranges are allowed.
  ['cloud metadata', ipaddr.parseCIDR('fd00:ec2::254/128')],
  ['benchmarking', ipaddr.parseCIDR('198.18.0.0/15')],
  ['IETF protocol assignment', ipaddr.parseCIDR('192.0.0.0/24')],
  ['6to4 relay anycast', ipaddr.parseCIDR('192.88.99.0/24')],
  ['site-local', ipaddr.parseCIDR('fec0::/10')],
  ['NAT64', ipaddr.parseCIDR('64:ff9b::/96')],
  ['local-use NAT64', ipaddr.parseCIDR('64:ff9b:1::/48')],
  ['6to4', ipaddr.parseCIDR('2002::/16')],
  ['Teredo', ipaddr.parseCIDR('2001::/32')],
  ['documentation', ipaddr.parseCIDR('2001:db8::/32')],
  ['documentation', ipaddr.parseCIDR('3fff::/20')],
];

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, [network, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  if (address.kind() !== network.kind()) return false;
  return address.kind() === 'ipv4'
    ? (address as ipaddr.IPv4).match(network as ipaddr.IPv4, bits)
    : (address as ipaddr.IPv6).match(network as ipaddr.IPv6, bits);
}

/**
 * Why `address` may not be reached under `guard`, or undefined when it may. An allow-list:
 * only global unicast passes by default; loopback and private ranges when the guard says so;
 * link-local (cloud metadata at 169.254.169.254), multicast, reserved and translated ranges never.
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries.
 */
export function addressRefusal(address: string, guard: DestinationGuard = {}): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return `${address} is not an IP address`;
  }
  const text = parsed.toString();
  for (const [name, cidr] of EXTRA_REFUSED) {
    if (inRange(parsed, cidr)) return `${text} is in a ${name} range`;
  }
  const range = parsed.range();
  if (range === 'loopback') return guard.allowLoopback ? undefined : `${text} is a loopback address`;
  if (PRIVATE_RANGES.has(range)) return guard.allowPrivate ? undefined : `${text} is a private address (${range})`;
  if (range !== 'unicast') return `${text} is not a public address (${range})`;
  if (parsed.kind() === 'ipv6' && !inRange(parsed, GLOBAL_UNICAST_V6)) return `${text} is not a global unicast address`;
  return undefined;
}

/** Checks scheme and literal-IP hosts before any connection; names are checked when resolved (see the transport). */
export function checkUrl(rawUrl: string, guard: DestinationGuard = {}): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new DeliveryError('invalid_destination', 'Destination is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DeliveryError('invalid_destination', `Destination scheme ${url.protocol} is not http(s)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const httpAllowed = guard.allowHttpHosts?.includes('*') || guard.allowHttpHosts?.includes(host);
  if (url.protocol === 'http:' && !httpAllowed) {
    throw new DeliveryError('destination_refused', `Plain http to ${host} is not allowed; use https or allow the host`);
  }
  if (ipaddr.isValid(host)) {
    const refusal = addressRefusal(host, guard);
    if (refusal) throw new DeliveryError('destination_refused', `Destination refused: ${refusal}`);
  }
  return url;
}
