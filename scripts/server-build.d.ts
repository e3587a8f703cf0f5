// Types of server-build.js (plain JavaScript: the bin runs it before any TypeScript loader).
export const ROOT: string;
export const SOURCE_DIR: string;
export const BUILD_DIR: string;
export const STAMP_FILE: string;
export const BUNDLE_FILE: string;
export const CODE_CACHE_FILE: string;
export function hasCurrentCodeCache(buildDir?: string): boolean;
export function isServerSource(path: string): boolean;
export function isServerBuildFresh(sourceDir?: string, buildDir?: string): boolean;
export function loadServerBuild(buildDir?: string): { runCli(args: string[]): Promise<number> };
