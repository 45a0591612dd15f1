import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { resolveProvider, type GenericProviderConfig, type ProviderProfile, type SchemeName } from '@hookbridge/core';
import type { SourceConfig } from '../config/schema';

export interface Source {
  config: SourceConfig;
  profile: ProviderProfile;
  allow?: BlockList;
  /** Absent when no proxy is trusted: the socket peer is the client. */
  trusted?: BlockList;
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of cidrs) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

export function compileSource(config: SourceConfig): Source {
  const provider =
    typeof config.provider === 'string'
      ? resolveProvider(config.provider)
      : resolveProvider({ id: config.id, ...config.provider, scheme: config.provider.scheme as SchemeName } as GenericProviderConfig);
  return {
    config,
    profile: provider,
    allow: config.allowIps ? blockList(config.allowIps) : undefined,
    // No list at all when no proxy is trusted: checking an empty BlockList still costs per request.
    trusted: config.trustedProxies.length > 0 ? blockList(config.trustedProxies) : undefined,
  };
}

function contains(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const a = mapped ? mapped[1]! : address;
  return isIP(a) !== 0 && list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: the socket peer, or — when that peer is a trusted proxy — the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy.
 */
export function clientIp(remote: string, headers: IncomingHttpHeaders, trusted: BlockList | undefined): string {
  if (!trusted || !contains(trusted, remote)) return remote;
  const forwarded = String(headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) {
    if (!contains(trusted, forwarded[i]!)) return forwarded[i]!;
  }
  return forwarded[0] ?? remote;
}

export function ipAllowed(source: Source, ip: string): boolean {
  return !source.allow || contains(source.allow, ip);
}
