export declare const DEFAULT_ORIGIN: string;
export declare function normaliseOrigin(origin: string): string;
export declare function manifestForOrigin(xml: string, origin?: string): string;
