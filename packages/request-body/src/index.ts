export { bodyLimit, type BodyLimitOptions } from './body-limit.ts';
export { jsonBody, type BodyRefusal, type JsonBodyOptions } from './json-body.ts';
export { MAX_JSON_DEPTH, parseJsonObject, UnacceptableJson, type JsonRejection } from './json.ts';
export { containsNul } from './nul.ts';
