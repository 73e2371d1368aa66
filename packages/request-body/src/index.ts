export { bodyLimit, type BodyLimitOptions } from './body-limit.ts';
export { MAX_JSON_DEPTH, parseJsonObject, UnacceptableJson, type JsonRejection } from './json.ts';
