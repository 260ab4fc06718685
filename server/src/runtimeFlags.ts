/**
 * Node flags the language server runs with, shared by the client that starts it and the benchmark that
 * measures it. A 2 MB young generation and a 512 MB old-space cap make V8 collect as it goes instead of
 * growing the heap: after indexing a 100,000-file context the server then holds about 170 MB resident
 * instead of about 270 MB, at no measurable cost in indexing time (bench/context.bench.ts).
 */
export const SERVER_EXEC_ARGV = ['--max-semi-space-size=2', '--max-old-space-size=512'];
