/**
 * Node flags the language server runs with, shared by the client that starts it and the benchmark that
 * measures it. A 1 MB young generation and a 512 MB old-space cap make V8 collect as it goes instead of
 * growing the heap: after indexing 100,000 files in 100,000 folders the server held 199.8 and 200.3 MB
 * resident in two runs (202.5 MB with a 2 MB young generation; about 270 MB with V8's defaults on the
 * 100-files-per-folder tree), at no measurable cost in indexing time (bench/context.bench.ts).
 */
export const SERVER_EXEC_ARGV = ['--max-semi-space-size=1', '--max-old-space-size=512'];
