// V8 flags the server runs with (npm start, the container image, benchmarks).
// A 4 MiB young generation instead of V8's default (up to 64 MiB of semi-space
// on 64-bit). Memory is what gets a metrics server OOM-killed, CPU only throttles
// it, so we trade one for the other. Measured with `npm run bench -- --quick`
// (1,000 nodes × 30 pods, one quiet 2-core machine, same commit): RSS 471 → 330 MB,
// server CPU per tick 0.68 → 0.91 core-s; 16 MiB gave 424 MB and 0.71 core-s.
// V8 reads these only at start-up, so they cannot be set from main.ts; the
// Dockerfile and package.json repeat them (a test keeps them equal).
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
