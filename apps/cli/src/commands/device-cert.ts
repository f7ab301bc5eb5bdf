import { dirname, join, resolve } from 'node:path';
import { DEVICE_ID, ensureLocalCa, issueClientCertificate, localCaDir } from '@heartline/cloud';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../run-cli.js';

const usage = `usage: heartline device-cert --id ID [--data DIR] [--out DIR]

Issues a client certificate for mutual TLS, signed by the cloud's local CA (DIR/../tls, created if
missing), with CN = the device id: a device given it (\`heartline device --cert FILE --key FILE\`) logs in
to a cloud started with \`--tls --mtls\` without its secret. The device must be registered and not revoked
(\`heartline device-add\`). Writes OUT/ID.pem and OUT/ID-key.pem (0600; default OUT: DIR/../device-certs).`;

/** `heartline device-cert`: issues a device's client certificate from the local CA. */
export const deviceCertCommand: Command = {
  name: 'device-cert',
  summary: "issue a device's client certificate (mutual TLS) from the cloud's local CA",
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      id: { type: 'string' },
      data: { type: 'string', default: '.heartline/cloud' },
      out: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.id || !DEVICE_ID.test(values.id)) {
      throw new UsageError(`--id must be 1–64 characters of [A-Za-z0-9._-], got '${values.id ?? ''}'`);
    }
    const base = dirname(resolve(values.data));
    const ca = await ensureLocalCa(localCaDir(base));
    const out = values.out ? resolve(values.out) : join(base, 'device-certs');
    const issued = await issueClientCertificate(ca, values.id, out);
    io.stdout(`certificate ${issued.certFile}\nkey         ${issued.keyFile}\nCA          ${ca.caFile}\n`);
    return 0;
  },
};
