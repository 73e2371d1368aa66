import { reportMemoryAfterGcOnSignal, stopOnSignals } from './process-signals.ts';
import { serveBff } from './serve.ts';

/**
 * The BFF's process: alone against the tenant its environment names. `npm start` runs it when
 * MANAGEMENT_CLIENT_ID is set, and the embedded demo stack otherwise (stack/).
 */
reportMemoryAfterGcOnSignal();
serveBff(process.env).then(
  (bff) => stopOnSignals(() => bff.close()),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
