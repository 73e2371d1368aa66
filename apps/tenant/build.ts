/**
 * `npm run build --workspace @rtc/tenant` (part of the root `npm run build`): the tenant's
 * server as one JavaScript file, `apps/tenant/dist/server.mjs`, run with plain Node:
 * `node apps/tenant/dist/server.mjs --port 4400 --data-dir .data/tenant`. This is how to deploy
 * it, and how `npm run bench` runs it. Run from sources (`npm run tenant`, every test), the
 * TypeScript loader (tsx) keeps a compiler and a loader thread in the process: 46 MB more
 * resident memory for the same tenant (BENCHMARKS.md, "The built tenant").
 *
 * Everything is bundled but the native drivers (better-sqlite3, and pg's optional pg-native),
 * which Node loads from node_modules, as it does the IP database's data packages
 * (@rtc/ip-intel resolves them from the bundle's place): the file stays where it is built.
 */
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export async function buildTenant(outfile = `${HERE}dist/server.mjs`): Promise<string> {
  await build({
    entryPoints: [`${HERE}src/server.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'pg-native'],
    // Bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);",
    },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) console.log(`built ${await buildTenant()}`);
