/** Types of node-version.js (plain JS: it runs before tsx is registered, on whatever Node started the CLI). */
export declare const MIN_NODE: [number, number];
export declare function nodeTooOld(version: string): string | undefined;
export declare function exitIfNodeTooOld(): void;
