/** The part of autocannon (which ships no types) that bench/stages/api.ts uses. */
declare module 'autocannon' {
  export interface AutocannonResult {
    requests: { average: number; total: number };
    latency: { p50: number; p90: number; p97_5: number; p99: number };
    non2xx: number;
    errors: number;
  }
  export default function autocannon(opts: Record<string, unknown>): Promise<AutocannonResult>;
}
