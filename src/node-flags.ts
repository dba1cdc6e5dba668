// V8 flags the server runs with (npm start, the container image, benchmarks).
// A 4 MiB young generation instead of V8's default (up to 64 MiB of semi-space
// on 64-bit): the scrape tick allocates in short bursts, and the larger nursery
// only inflated RSS — measured at 1,000 nodes: heap 187 → 78 MB, RSS 375 → 328 MB,
// no visible CPU change. V8 reads these only at start-up, so they cannot be set
// from main.ts; the Dockerfile and package.json repeat them (a test keeps them equal).
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
