export declare const API_TS: string;
export declare const GENERATED_TS: string;
export declare const TYPES_HEADER: string;
export declare function labTypesSource(apiText: string): string;
export declare function generatedModule(apiText: string): string;
