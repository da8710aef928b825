export declare const FUNCTIONS_SOURCE: string;
export declare const GOLDEN_FILE: string;
export declare function generateFunctionsMetadata(source?: string): Promise<string>;
