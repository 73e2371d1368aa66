import type { RequestInit as UndiciRequestInit } from 'undici';

/** Every app here refuses bodies over 64 KB (413) and reads up to 8 MB of them to the end. */
export const BODY_LIMIT = 64 * 1024;

export interface HostileBody {
  name: string;
  /** The request's body and headers; a fresh body each call (streams are single-use). */
  init(): Pick<UndiciRequestInit, 'body' | 'headers' | 'duplex'>;
  /** The status the answer must have, when the body alone decides it. */
  status?: number;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const KB = 1024;

const form =
  (text: string | Buffer, type = FORM) =>
  () => ({ body: text, headers: { 'content-type': type } });
const repeat = (count: number, item: (i: number) => string, sep = '&') =>
  Array.from({ length: count }, (_, i) => item(i)).join(sep);
const sized = (bytes: number) => 'a'.repeat(bytes);

/** A body written in chunks with pauses between them, without a Content-Length (chunked). */
function slowBody(chunks: number, chunkBytes: number, pauseMs: number, type: string, first = '') {
  return () => ({
    headers: { 'content-type': type },
    duplex: 'half' as const,
    body: new ReadableStream<Uint8Array>({
      async start(controller) {
        if (first) controller.enqueue(Buffer.from(first));
        for (let i = 0; i < chunks; i++) {
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
          controller.enqueue(Buffer.from(sized(chunkBytes)));
        }
        controller.close();
      },
    }),
  });
}

/**
 * Bodies no endpoint accepts, from 0 bytes to 2 MB: each field 256 KB, 5,000 parameters,
 * repeated parameters, bad percent-encoding, invalid UTF-8, deep JSON, wrong content
 * types, slow uploads. `field` names the parameter the endpoint reads first.
 */
export function hostileBodies(field: string): HostileBody[] {
  return [
    { name: 'an empty form body', init: form('') },
    { name: 'an empty JSON body', init: form('', JSON_TYPE) },
    { name: 'an empty body without a content type', init: () => ({ body: '' }) },
    { name: 'one byte', init: form('=') },
    { name: 'a body just under the limit', init: form(`${field}=${sized(BODY_LIMIT - field.length - 1)}`) },
    { name: 'a body one byte over the limit', init: form(`${field}=${sized(BODY_LIMIT - field.length)}`), status: 413 },
    { name: 'three fields of 256 KB each', init: form(repeat(3, (i) => `f${i}=${sized(256 * KB)}`)), status: 413 },
    { name: 'a 1 MB JSON string', init: form(JSON.stringify({ [field]: sized(1024 * KB) }), JSON_TYPE), status: 413 },
    { name: 'a 2 MB form', init: form(`${field}=${sized(2048 * KB)}`), status: 413 },
    { name: '5,000 parameters', init: form(repeat(5000, (i) => `p${i}=${i}`)) },
    { name: '5,000 JSON keys', init: form(`{${repeat(5000, (i) => `"k${i}":${i}`, ',')}}`, JSON_TYPE) },
    { name: 'a repeated parameter', init: form(`${field}=a&${field}=b&${field}=c`) },
    { name: 'one parameter repeated 5,000 times', init: form(repeat(5000, () => `${field}=x`)) },
    { name: 'bad percent-encoding', init: form(`${field}=%E0%A4%A&x=%ZZ&%=%&y=%00`) },
    {
      name: 'invalid UTF-8 in a form',
      init: form(Buffer.concat([Buffer.from(`${field}=`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80])])),
    },
    {
      name: 'invalid UTF-8 in JSON',
      init: form(
        Buffer.concat([Buffer.from(`{"${field}":"`), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from('"}')]),
        JSON_TYPE,
      ),
    },
    {
      name: 'JSON nested 10,000 deep',
      init: form(`{"${field}":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, JSON_TYPE),
    },
    { name: 'a JSON array', init: form('[1,2,3]', JSON_TYPE) },
    { name: 'JSON with a repeated key', init: form(`{"${field}":"a","${field}":"b"}`, JSON_TYPE) },
    { name: 'JSON that does not parse', init: form(`{"${field}":`, JSON_TYPE) },
    { name: 'a form sent as JSON', init: form(`${field}=x`, JSON_TYPE) },
    { name: 'JSON sent as a form', init: form(`{"${field}":"x"}`) },
    { name: 'text/plain', init: form(`${field}=x`, 'text/plain') },
    {
      name: 'multipart/form-data',
      init: form(
        `--b\r\nContent-Disposition: form-data; name="${field}"\r\n\r\nx\r\n--b--\r\n`,
        'multipart/form-data; boundary=b',
      ),
    },
    { name: 'application/xml', init: form(`<${field}>x</${field}>`, 'application/xml') },
    { name: 'a content type with odd parameters', init: form(`${field}=x`, `${FORM}; charset=ebcdic; q="a;b"`) },
    { name: 'a slow small body (5 chunks, 60 ms apart)', init: slowBody(5, 100, 60, FORM, `${field}=`) },
    {
      name: 'a slow body over the limit (6 chunks of 16 KB, 60 ms apart)',
      init: slowBody(6, 16 * KB, 60, FORM, `${field}=`),
      status: 413,
    },
    { name: 'a 512 KB chunked body', init: slowBody(8, 64 * KB, 0, JSON_TYPE), status: 413 },
  ];
}

/** Request headers just under node:http's 16 KB limit. */
export const NEAR_LIMIT_HEADERS: Record<string, string> = {
  'x-padding-1': sized(7 * KB),
  'x-padding-2': sized(7 * KB),
  'user-agent': sized(1000),
};
