import { DeltaError } from '../errors.ts';

// ZeroMQ RFC 32 (Z85) alphabet; PROTOCOL.md "Deletion Vector Descriptor Schema" encodes UUIDs and inline DVs with it.
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Decodes Z85 text (length a multiple of 5) into bytes (4 per 5 characters). */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new DeltaError('invalid-log', `Z85 text of length ${text.length} is not a multiple of 5`, {
      hint: 'the deletion vector descriptor is corrupt',
    });
  }
  const out = new Uint8Array((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const c = text.charCodeAt(i + j);
      const d = c < 128 ? (DECODE[c] as number) : -1;
      if (d < 0) {
        throw new DeltaError('invalid-log', `character '${text[i + j]}' is not Z85`, {
          hint: 'the deletion vector descriptor is corrupt',
        });
      }
      v = v * 85 + d;
    }
    out[o] = (v >>> 24) & 0xff;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
  return out;
}
