/**
 * Mutual TLS on the embedded broker's TLS listener: the device id a verified client certificate names.
 * Only a certificate the TLS handshake verified against the cloud's CA counts (`authorized`); its subject
 * CN is the device id (security/local-ca.ts `issueClientCertificate` issues them).
 */
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

/** A stream that wraps another (the packet-size guard): the connection underneath. */
interface Wrapping {
  readonly inner: Duplex;
}

/** The CN of the verified client certificate of a broker connection; undefined when there is none. */
export function certifiedClientId(conn: Duplex): string | undefined {
  let stream: Duplex = conn;
  // Unwrap guards and the like until the socket.
  for (let depth = 0; depth < 4 && !(stream instanceof TLSSocket); depth++) {
    const inner = (stream as Partial<Wrapping>).inner;
    if (!inner) return undefined;
    stream = inner;
  }
  if (!(stream instanceof TLSSocket) || !stream.authorized) return undefined;
  const cn = stream.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : undefined;
}
