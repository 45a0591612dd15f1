import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { DeliveryError } from '../errors';

/** Which destinations outbound delivery may reach. The default refuses anything internal. */
export interface DestinationGuard {
  /** Allow 127.0.0.0/8 and ::1 (tests, a relay next to its sink). */
  allowLoopback?: boolean;
  /** Allow RFC 1918, unique-local and CGNAT ranges (an intranet destination). */
  allowPrivate?: boolean;
  /** Hosts allowed over plain http; `*` allows any. HTTPS is required otherwise. */
  allowHttpHosts?: readonly string[];
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const privateRanges = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const) {
  privateRanges.addSubnet(net, bits, 'ipv4');
}
privateRanges.addSubnet('fc00::', 7, 'ipv6');

// Never reachable, whatever the guard allows: link-local (cloud metadata lives at
// 169.254.169.254 and fd00:ec2::254), "this network", multicast and reserved space.
const alwaysBlocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  alwaysBlocked.addSubnet(net, bits, 'ipv4');
}
alwaysBlocked.addSubnet('fe80::', 10, 'ipv6');
alwaysBlocked.addAddress('fd00:ec2::254', 'ipv6');
alwaysBlocked.addAddress('::', 'ipv6');

function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why `address` may not be reached under `guard`, or undefined when it may. */
export function addressRefusal(address: string, guard: DestinationGuard = {}): string | undefined {
  const { address: a, family } = unmapped(address);
  if (alwaysBlocked.check(a, family)) return `${a} is a link-local, metadata or reserved address`;
  if (!guard.allowLoopback && loopback.check(a, family)) return `${a} is a loopback address`;
  if (!guard.allowPrivate && privateRanges.check(a, family)) return `${a} is a private address`;
  return undefined;
}

/** Checks scheme and literal-IP hosts before any connection; names are checked when resolved. */
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
  if (isIP(host)) {
    const refusal = addressRefusal(host, guard);
    if (refusal) throw new DeliveryError('destination_refused', `Destination refused: ${refusal}`);
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `dns.lookup` replacement for the HTTP agent: the check happens on the addresses the
 * connection will really use, so DNS rebinding cannot slip an internal address past it.
 */
export function guardedLookup(guard: DestinationGuard) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      for (const { address } of list) {
        const refusal = addressRefusal(address, guard);
        if (refusal) {
          const e = new DeliveryError('destination_refused', `Destination refused: ${hostname} resolves to ${refusal}`) as DeliveryError &
            NodeJS.ErrnoException;
          return callback(e, []);
        }
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
