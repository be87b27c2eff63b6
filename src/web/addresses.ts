/**
 * Which addresses a URL may reach. The address a host name resolves to is checked — not the name — and the
 * connection goes to exactly that address (no second lookup a DNS rebinding could answer differently);
 * loopback, private, link-local, unique-local, carrier-grade NAT, multicast and reserved ranges are refused
 * (ipaddr.js classifies them); ALLOW_LOOPBACK_URLS lets loopback through, and nothing else.
 */
import { FetchError } from './fetch-error.js';
import ipaddr from 'ipaddr.js';
import { webUrl } from '../shared/web-url.js';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** Why an address may not be fetched, or undefined when it may. */
export function forbiddenAddress(address: string, allowLoopback = false): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' || (allowLoopback && range === 'loopback')
    ? undefined
    : `${address} is a ${range} address`;
}

/** A DNS lookup that refuses internal addresses: the connection uses the address checked here. */
export function checkedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const list = addresses as LookupAddress[];
      const usable = list.filter((entry) => forbiddenAddress(entry.address, allowLoopback) === undefined);
      const chosen = usable[0];
      if (!chosen) {
        const reason = list[0] ? forbiddenAddress(list[0].address, allowLoopback) : 'no address';
        callback(new FetchError(`refused: ${hostname} resolves to an internal address (${reason})`), '', 0);
        return;
      }
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, [chosen]);
      } else {
        callback(null, chosen.address, chosen.family);
      }
    });
  };
}

export function parseWebUrl(raw: string): URL {
  // The one check of a web link (shared/web-url.ts); only the reason for a refusal is said here.
  const href = webUrl(raw);
  if (href !== undefined) return new URL(href);
  let protocol: string;
  try {
    protocol = new URL(raw.trim()).protocol;
  } catch {
    throw new FetchError(`"${raw}" is not a URL`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new FetchError(`refused: only http and https URLs can be fetched, not ${protocol.replace(':', '')}`);
  }
  throw new FetchError(`"${raw}" names no host`);
}
