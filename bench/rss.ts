/**
 * Runs a script and reports its peak resident set size on exit (process.resourceUsage
 * gives the kernel's maxrss for this process), so the ingest benchmark can check the
 * memory bar without external tools.
 */
const script = process.argv[2];
if (!script) throw new Error('usage: rss.ts <script> [args…]');
process.argv.splice(1, 1);
process.on('exit', () => process.stderr.write(`[rss] max ${process.resourceUsage().maxRSS}\n`));
await import(new URL(`../${script}`, import.meta.url).href);
