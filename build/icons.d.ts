export declare const ICONS: Record<string, { letter: string; rgb: [number, number, number]; sizes: number[] }>;
export declare function renderIcons(): [string, Buffer][];
export declare function encodePng(size: number, rgba: Buffer): Buffer;
