import AuthKitCore

/// The production ``HTTPTransport``: libcurl from Debian (OpenSSL TLS, system CA bundle).
///
/// **Connection reuse.** Easy handles are pooled (``CurlHandlePool``): a request checks one out,
/// runs on it alone and puts it back; an empty pool creates a new handle, and at most 8 idle
/// handles are kept. Each easy handle keeps its own connection cache, which `curl_easy_reset`
/// preserves, so consecutive requests reuse their (TLS) connection with keep-alive. This was
/// chosen over one `CURLSH` share of the connection cache because the pool needs no libcurl lock
/// callbacks and threads never contend for a shared cache; the only lock is held for an array
/// push or pop.
///
/// **Threads.** Safe to call from any number of threads at once; each call blocks its thread
/// until the response or an error. Signals are off (`CURLOPT_NOSIGNAL`).
///
/// **Requests.** Sends the method, URL, header fields in order and body as given, plus
/// `User-Agent`. libcurl adds neither `Expect: 100-continue` nor a `Content-Type` the request
/// does not have. Redirects are not followed, and only `http` and `https` URLs are allowed.
///
/// **Responses and errors.** Any HTTP status is a response; ``HTTPTransportError`` means no
/// response arrived. Error messages are libcurl's text for its result code, never request
/// content.
public final class CurlTransport: HTTPTransport {
    private let settings: CurlTransportSettings
    private let pool: CurlHandlePool

    /// Creates a transport; initialises libcurl on first use in the process.
    /// - Parameters:
    ///   - connectTimeoutMillis: Limit for establishing a connection (TCP and TLS), in ms.
    ///   - totalTimeoutMillis: Limit for a whole request, connection included, in ms.
    ///     Values below 1 are taken as 1 (libcurl would read 0 as "no limit").
    ///   - userAgent: `User-Agent` of every request, e.g. `authkit-fcgi/1.2.0`.
    public init(connectTimeoutMillis: Int = 3000, totalTimeoutMillis: Int = 10000, userAgent: String) {
        CurlGlobal.ensureInitialised()
        settings = CurlTransportSettings(
            connectTimeoutMillis: max(1, connectTimeoutMillis),
            totalTimeoutMillis: max(1, totalTimeoutMillis),
            userAgent: userAgent)
        pool = CurlHandlePool()
    }

    /// Sends the request and waits for the whole response, whatever its status.
    /// - Throws: ``HTTPTransportError/timedOut`` when a timeout elapsed;
    ///   ``HTTPTransportError/connectionFailed(_:)`` when no connection could be made or it broke
    ///   (refused, DNS, TLS, reset, closed without an answer); ``HTTPTransportError/other(_:)``
    ///   otherwise (for example a URL scheme other than http or https).
    public func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        try pool.withHandle { (handle) throws(HTTPTransportError) -> HTTPResponse in
            try handle.perform(request, settings: settings)
        }
    }

    /// Idle pooled handles right now (for tests and diagnostics).
    var idleHandleCount: Int { pool.idleCount }
}

/// Options shared by every request of one ``CurlTransport``.
struct CurlTransportSettings: Sendable {
    var connectTimeoutMillis: Int
    var totalTimeoutMillis: Int
    var userAgent: String
}
