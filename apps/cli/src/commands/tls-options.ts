/**
 * The listen-security rules shared by `heartline start` and `heartline cloud`: TLS material from flags or
 * the local CA, plaintext only when asked for with `--insecure`, and the host names a server certificate
 * must cover for the interface the cloud listens on.
 */
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { UsageError } from '../command.js';

/** The TLS-related flags of a command. */
export interface TlsFlags {
  readonly host: string;
  readonly insecure: boolean;
  /** Whether TLS is on without these flags (start) or only when asked for (cloud's --tls). */
  readonly tls?: boolean | undefined;
  readonly 'tls-cert'?: string | undefined;
  readonly 'tls-key'?: string | undefined;
  readonly 'tls-ca'?: string | undefined;
}

/** True for interfaces only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Throws UsageError for contradictory flags, and for a listener on a network interface without TLS unless
 * `--insecure` says so. `tlsByDefault`: TLS is on unless `--insecure` (start), or only with TLS flags.
 */
export function checkListenSecurity(flags: TlsFlags, tlsByDefault = true): { tls: boolean } {
  const files =
    flags['tls-cert'] !== undefined || flags['tls-key'] !== undefined || flags['tls-ca'] !== undefined;
  if (flags.insecure && (files || flags.tls))
    throw new UsageError(
      '--insecure and the TLS options (--tls, --tls-cert, --tls-key, --tls-ca) exclude each other',
    );
  if ((flags['tls-cert'] === undefined) !== (flags['tls-key'] === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  if (flags['tls-ca'] !== undefined && flags['tls-cert'] === undefined)
    throw new UsageError('--tls-ca goes with --tls-cert and --tls-key');
  const tls = !flags.insecure && (tlsByDefault || files || flags.tls === true);
  if (!tls && !flags.insecure && !isLoopbackHost(flags.host))
    throw new UsageError(
      `--host ${flags.host} without TLS would send device secrets and tokens in clear over the network: ` +
        `add --tls (or --tls-cert/--tls-key), or --insecure to accept that`,
    );
  return { tls };
}

const DNS_NAME =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Names the server certificate should cover besides localhost: the listening host, or — listening on
 * every interface — this machine's host name and its non-loopback, non-link-local addresses.
 */
export function tlsHostNames(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host];
  const names = DNS_NAME.test(hostname()) ? [hostname()] : [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || address.address.toLowerCase().startsWith('fe80:')) continue;
      if (isIP(address.address) !== 0) names.push(address.address);
    }
  }
  return names;
}
