import AuthKitCore
import CCurl

/// One CURL easy handle and the connections it keeps open.
///
/// Used by one thread at a time: ``CurlHandlePool`` hands it from thread to thread, never to two
/// at once, which is why the unchecked `Sendable` is sound. `curl_easy_cleanup` runs when the last
/// reference goes away.
final class CurlEasyHandle: @unchecked Sendable {
    private let curl: UnsafeMutableRawPointer

    init() {
        CurlGlobal.ensureInitialised()
        guard let curl = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.curl = curl
    }

    deinit { curl_easy_cleanup(curl) }

    /// Sends one request on this handle and waits for the whole response.
    ///
    /// Options of the previous request are cleared first with `curl_easy_reset`, which keeps the
    /// handle's live connections (keep-alive), DNS cache and TLS session cache.
    func perform(_ request: HTTPRequest, settings: CurlTransportSettings) throws(HTTPTransportError) -> HTTPResponse {
        let method = try CurlMethod(request)
        let headers = try CurlHeaderList(request.headers, sendsBody: method.sendsBody)
        let collector = CurlResponseCollector()
        curl_easy_reset(curl)

        let result: CURLcode = withExtendedLifetime(headers) {
            withExtendedLifetime(collector) {
                // CURLOPT_POSTFIELDS does not copy: the body must stay put until perform returns.
                request.body.withUnsafeBytes { body in
                    let configured = configure(
                        request, method: method, body: body, headers: headers.pointer,
                        collector: collector.opaque, settings: settings)
                    guard configured == CURLE_OK else { return configured }
                    return curl_easy_perform(curl)
                }
            }
        }
        guard result == CURLE_OK else { throw CurlErrorMapping.error(for: result) }

        var status = 0
        let info = authkit_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        guard info == CURLE_OK, status > 0 else {
            throw .other("no HTTP status received: \(CurlErrorMapping.describe(info))")
        }
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    /// Sets every per-request option; stops at the first one libcurl rejects.
    private func configure(
        _ request: HTTPRequest, method: CurlMethod, body: UnsafeRawBufferPointer,
        headers: UnsafeMutablePointer<curl_slist>?, collector: UnsafeMutableRawPointer,
        settings: CurlTransportSettings
    ) -> CURLcode {
        var steps: [() -> CURLcode] = [
            { self.set(CURLOPT_URL, request.url) },
            { self.set(CURLOPT_PROTOCOLS_STR, "http,https") },
            // Worker threads: no SIGALRM-based DNS timeouts, no signals at all.
            { authkit_curl_setopt_long(self.curl, CURLOPT_NOSIGNAL, 1) },
            { authkit_curl_setopt_long(self.curl, CURLOPT_FOLLOWLOCATION, 0) },
            { authkit_curl_setopt_long(self.curl, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMillis) },
            { authkit_curl_setopt_long(self.curl, CURLOPT_TIMEOUT_MS, settings.totalTimeoutMillis) },
            { self.set(CURLOPT_USERAGENT, settings.userAgent) },
            { authkit_curl_setopt_ptr(self.curl, CURLOPT_HTTPHEADER, headers) },
            // A proxy's CONNECT answer is not the response.
            { authkit_curl_setopt_long(self.curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1) },
            { authkit_curl_setopt_write(self.curl, CURLOPT_WRITEFUNCTION, curlWriteBody) },
            { authkit_curl_setopt_ptr(self.curl, CURLOPT_WRITEDATA, collector) },
            { authkit_curl_setopt_write(self.curl, CURLOPT_HEADERFUNCTION, curlReceiveHeader) },
            { authkit_curl_setopt_ptr(self.curl, CURLOPT_HEADERDATA, collector) },
        ]
        switch method.kind {
        case .get:
            steps.append { authkit_curl_setopt_long(self.curl, CURLOPT_HTTPGET, 1) }
        case .head:
            steps.append { authkit_curl_setopt_long(self.curl, CURLOPT_NOBODY, 1) }
        case .post:
            break
        case .custom(let name):
            steps.append { self.set(CURLOPT_CUSTOMREQUEST, name) }
        }
        if method.sendsBody {
            // Never NULL: with NULL POSTFIELDS libcurl would read the body from its read
            // callback, stdin by default.
            let bytes = body.baseAddress ?? UnsafeRawPointer(Self.emptyBody.utf8Start)
            steps.append { authkit_curl_setopt_off(self.curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) }
            steps.append { authkit_curl_setopt_ptr(self.curl, CURLOPT_POSTFIELDS, bytes) }
        }
        for step in steps {
            let code = step()
            guard code == CURLE_OK else { return code }
        }
        return CURLE_OK
    }

    private static let emptyBody: StaticString = ""

    /// A string option; libcurl copies string options (all but `CURLOPT_POSTFIELDS`).
    private func set(_ option: CURLoption, _ value: String) -> CURLcode {
        value.withCString { authkit_curl_setopt_ptr(curl, option, $0) }
    }
}

/// How a request's method and body map onto libcurl options.
struct CurlMethod {
    enum Kind: Equatable {
        /// `GET` without a body: `CURLOPT_HTTPGET`.
        case get
        /// `HEAD` without a body: `CURLOPT_NOBODY`, so libcurl does not wait for a body.
        case head
        /// `POST`: `CURLOPT_POSTFIELDS`, also for an empty body.
        case post
        /// Any other method, or GET/HEAD with a body: `CURLOPT_CUSTOMREQUEST`, plus
        /// `CURLOPT_POSTFIELDS` when there is a body.
        case custom(String)
    }

    let kind: Kind
    /// Whether the request goes out with a body (and `Content-Length`, even if 0 for POST).
    let sendsBody: Bool

    init(_ request: HTTPRequest) throws(HTTPTransportError) {
        guard CurlHeaderList.isToken(request.method) else {
            throw .other("request method is not an HTTP token")
        }
        let hasBody = !request.body.isEmpty
        switch request.method {
        case "GET" where !hasBody: kind = .get
        case "HEAD" where !hasBody: kind = .head
        case "POST": kind = .post
        default: kind = .custom(request.method)
        }
        sendsBody = hasBody || request.method == "POST"
    }
}
