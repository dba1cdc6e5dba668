// The HTTP/2 limits of the serving listener, as the generic API server sets them
// (k8s.io/apiserver pkg/server/secure_serving.go with golang.org/x/net/http2):
// --http2-max-streams-per-connection streams (250 when 0 or less), 256 KiB of
// flow-control window per stream and as the largest frame read ("99% of
// serialized resources are smaller"), and a connection window of 256 KiB per
// allowed stream, so that one stuck upload cannot starve the others.

/** x/net/http2's defaultMaxStreams, which secure_serving.go makes explicit. */
export const DEFAULT_MAX_STREAMS = 250;

const RESOURCE_BODY_99_PERCENTILE = 256 * 1024;

/** HTTP/2's initial window: x/net keeps its 1 MiB default when the configured connection window is below it. */
const INITIAL_WINDOW = 65_535;
const X_NET_CONNECTION_WINDOW = 1 << 20;

export interface Http2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS. */
  maxConcurrentStreams: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE: a stream's request body window. */
  streamWindow: number;
  /** SETTINGS_MAX_FRAME_SIZE: the largest frame this server reads. */
  maxFrameSize: number;
  /** The connection's receive window (WINDOW_UPDATE on stream 0; SETTINGS cannot carry it). */
  connectionWindow: number;
}

/** The limits for a --http2-max-streams-per-connection value, with Go's integer conversions. */
export function http2Limits(maxStreamsFlag: bigint): Http2Limits {
  // uint32(flag) for a positive flag; x/net treats 0 as its default.
  const streams = maxStreamsFlag > 0n ? Number(BigInt.asUintN(32, maxStreamsFlag)) || DEFAULT_MAX_STREAMS : DEFAULT_MAX_STREAMS;
  // MaxUploadBufferPerStream * int32(MaxConcurrentStreams), an int32 product that wraps.
  const connection = Number(BigInt.asIntN(32, BigInt(RESOURCE_BODY_99_PERCENTILE) * BigInt.asIntN(32, BigInt(streams))));
  return {
    maxConcurrentStreams: streams,
    streamWindow: RESOURCE_BODY_99_PERCENTILE,
    maxFrameSize: RESOURCE_BODY_99_PERCENTILE,
    connectionWindow: connection >= INITIAL_WINDOW ? connection : X_NET_CONNECTION_WINDOW,
  };
}
