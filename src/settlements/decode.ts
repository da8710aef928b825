/**
 * Settlement files arrive as bytes: Seller Central downloads are UTF-8, but files re-saved on a
 * European Windows machine are windows-1252. Decode strictly as UTF-8 first (any invalid sequence
 * means it was not UTF-8), then fall back to windows-1252, which maps every byte.
 *
 * TextDecoder exists in browsers and Node without imports; src is compiled without DOM types,
 * so the few members used are declared here.
 */
import { decodeWindows1252, type SpanEncoding } from '../kernel/text-bytes';

export { decodeWindows1252 } from '../kernel/text-bytes';

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
type TextDecoderCtor = new (label: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => TextDecoderLike;

/** The two encodings a settlement file is read in: the ones the kernel's byte readers decode. */
export type SettlementEncoding = SpanEncoding;

export interface DecodedText {
  text: string;
  encoding: SettlementEncoding;
  /** A byte-order mark was present (and removed). */
  bom: boolean;
}

function decoder(label: 'utf-8', fatal: boolean): TextDecoderLike {
  const Ctor = (globalThis as unknown as { TextDecoder: TextDecoderCtor }).TextDecoder;
  // ignoreBOM: keep the BOM in the output so we can report it, then strip it ourselves.
  return new Ctor(label, { fatal, ignoreBOM: true });
}

export function decodeSettlementBytes(bytes: Uint8Array): DecodedText {
  let text: string;
  let encoding: SettlementEncoding = 'utf-8';
  try {
    text = decoder('utf-8', true).decode(bytes);
  } catch {
    text = decodeWindows1252(bytes);
    encoding = 'windows-1252';
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  return { text: bom ? text.slice(1) : text, encoding, bom };
}
