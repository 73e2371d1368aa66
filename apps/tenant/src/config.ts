import { parseArgs } from 'node:util';

export interface ServerConfig {
  port: number;
  host: string;
  issuer: string;
  dataDir: string;
  demo: boolean;
}

const USAGE = `Usage: npm run tenant -- [--port N] [--host H] [--issuer URL] [--data-dir DIR] [--no-demo]
Environment: TENANT_PORT, TENANT_HOST, TENANT_ISSUER, TENANT_DATA_DIR, TENANT_DEMO=0`;

/** Flags win over environment variables, which win over defaults. */
export function readServerConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      issuer: { type: 'string' },
      'data-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? env.TENANT_PORT ?? 4400);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port ?? env.TENANT_PORT}\n${USAGE}`);
  const host = values.host ?? env.TENANT_HOST ?? '127.0.0.1';
  const issuer = values.issuer ?? env.TENANT_ISSUER ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
  try {
    new URL(issuer);
  } catch {
    throw new Error(`Invalid issuer URL: ${issuer}\n${USAGE}`);
  }
  return {
    port,
    host,
    issuer,
    dataDir: values['data-dir'] ?? env.TENANT_DATA_DIR ?? '.data/tenant',
    demo: !(values['no-demo'] || env.TENANT_DEMO === '0'),
  };
}
