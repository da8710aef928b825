/**
 * Settlement files arrive as bytes: Seller Central downloads are UTF-8, but files re-saved on a
 * European Windows machine are windows-1252. Decode strictly as UTF-8 first (any invalid sequence
 * means it was not UTF-8), then fall back to windows-1252, which maps every byte.
 *
 * TextDecoder exists in browsers and Node without imports; src is compiled without DOM types,
 * so the few members used are declared here.
 */
interface TextDecoderLike {
  decode(input: Uint8Array): string;
}
type TextDecoderCtor = new (label: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => TextDecoderLike;

export type SettlementEncoding = 'utf-8' | 'windows-1252';

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

/**
 * windows-1252 differs from latin-1 only in 0x80–0x9F (€, curly quotes, dashes …). Node's
 * TextDecoder treats 'windows-1252' as latin-1 there, so those 32 are mapped here; holes stay as is.
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const codes = new Array<number>(Math.min(CHUNK, bytes.length - i));
    for (let j = 0; j < codes.length; j++) {
      const b = bytes[i + j]!;
      codes[j] = b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80]! : b;
    }
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
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
