export { clientIp } from './client-ip.ts';
export { requestLog, type RequestLogger, type RequestLogOptions } from './request-log.ts';
