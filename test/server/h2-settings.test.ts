// The HTTP/2 limits follow secure_serving.go and x/net/http2, Go's integer
// conversions included.
import t from 'tap';
import { DEFAULT_MAX_STREAMS, http2Limits } from '../../src/server/h2-settings.js';

const KiB256 = 256 * 1024;

t.test('the default: 250 streams, 256 KiB windows and frames, a connection window per stream', async (t) => {
  t.same(http2Limits(0n), { maxConcurrentStreams: 250, streamWindow: KiB256, maxFrameSize: KiB256, connectionWindow: KiB256 * 250 });
  t.equal(DEFAULT_MAX_STREAMS, 250);
  t.equal(http2Limits(-1n).maxConcurrentStreams, 250, 'zero or less is the default');
});

t.test('a configured limit sizes the connection window', async (t) => {
  t.same(http2Limits(1000n), { maxConcurrentStreams: 1000, streamWindow: KiB256, maxFrameSize: KiB256, connectionWindow: KiB256 * 1000 });
  t.equal(http2Limits(1n).connectionWindow, KiB256);
  t.equal(http2Limits(8191n).connectionWindow, KiB256 * 8191, 'the largest product an int32 holds');
});

t.test("Go's conversions: uint32(flag), then an int32 product", async (t) => {
  t.equal(http2Limits(2n ** 32n + 7n).maxConcurrentStreams, 7, 'truncated to 32 bits');
  t.equal(http2Limits(2n ** 32n).maxConcurrentStreams, 250, 'truncated to 0: the default');
  t.equal(http2Limits(8192n).connectionWindow, 1 << 20, 'the product wraps to -2^31: x/net keeps its 1 MiB');
  t.equal(http2Limits(8193n).connectionWindow, 1 << 20, 'wraps negative');
  t.equal(http2Limits(16385n).connectionWindow, KiB256, 'wraps around to 256 KiB');
});
