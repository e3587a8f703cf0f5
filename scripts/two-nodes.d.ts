// Types of two-nodes.js (plain JavaScript: run with node alone, imported by test/scale-out.test.ts).
export const NGINX: string;
export const UPSTREAM_HEADER: string;
export function freePort(): Promise<number>;
export function nginxConfig(options: { port: number; upstreams: number[]; dir: string }): string;

export interface NodeProcess {
  name: string;
  port: number;
  pid: number;
  /** `http://127.0.0.1:port`: the node itself, not through nginx. */
  base: string;
  /** What it wrote on stdout and stderr (JSON logs). */
  output(): string;
  /** Why it is no longer running, or null while it is. */
  exited(): string | null;
  stop(): Promise<void>;
}

export interface TwoNodes {
  /** nginx, round robin over the nodes. */
  url: string;
  dir: string;
  nginxPort: number;
  nodes: NodeProcess[];
  /** Stops nginx, then the nodes, and removes the temporary folder. */
  stop(): Promise<void>;
}

export function startTwoNodes(options: {
  databaseUrl: string;
  redisUrl: string;
  /** Nodes behind nginx: 2 unless given. */
  count?: number;
  /** Added to every node's environment. */
  env?: Record<string, string>;
  logLevel?: string;
  onLog?: (node: string, text: string) => void;
}): Promise<TwoNodes>;
