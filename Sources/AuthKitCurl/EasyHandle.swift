import AuthKitCore
import CCurl

/// One CURL easy handle, used by one thread at a time (the pool hands it over).
final class EasyHandle: @unchecked Sendable {
    private let curl: UnsafeMutableRawPointer

    init() {
        guard let curl = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.curl = curl
    }

    func close() { curl_easy_cleanup(curl) }

    /// Collects the final response's status line headers and body.
    final class Collector {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
    }

    func perform(
        _ request: HTTPRequest, connectTimeoutMillis: Int, totalTimeoutMillis: Int, userAgent: String
    ) throws(HTTPTransportError) -> HTTPResponse {
        curl_easy_reset(curl)
        let collector = Collector()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // No `Expect: 100-continue` round trip for POST bodies.
        headerList = curl_slist_append(headerList, "Expect:")

        var code = setString(CURLOPT_URL, request.url)
        code = code.then { setString(CURLOPT_USERAGENT, userAgent) }
        code = code.then { setString(CURLOPT_PROTOCOLS_STR, "http,https") }
        code = code.then { authkit_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1) }
        code = code.then { authkit_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0) }
        code = code.then { authkit_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMillis) }
        code = code.then { authkit_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, totalTimeoutMillis) }
        code = code.then { authkit_curl_setopt_ptr(curl, CURLOPT_HTTPHEADER, headerList) }
        switch request.method {
        case "GET":
            code = code.then { authkit_curl_setopt_long(curl, CURLOPT_HTTPGET, 1) }
        case "POST":
            code = code.then { authkit_curl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)) }
            code = code.then {
                request.body.withUnsafeBytes { authkit_curl_setopt_ptr(curl, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)) }
            }
        default:
            code = code.then { setString(CURLOPT_CUSTOMREQUEST, request.method) }
        }
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        code = code.then { authkit_curl_setopt_write(curl, CURLOPT_WRITEFUNCTION, writeBody) }
        code = code.then { authkit_curl_setopt_ptr(curl, CURLOPT_WRITEDATA, box.toOpaque()) }
        code = code.then { authkit_curl_setopt_write(curl, CURLOPT_HEADERFUNCTION, writeHeader) }
        code = code.then { authkit_curl_setopt_ptr(curl, CURLOPT_HEADERDATA, box.toOpaque()) }
        guard code == CURLE_OK else { throw .other("libcurl rejected an option: \(Self.describe(code))") }

        let result = curl_easy_perform(curl)
        guard result == CURLE_OK else { throw Self.transportError(result) }
        var status = 0
        _ = authkit_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    private func setString(_ option: CURLoption, _ value: String) -> CURLcode {
        value.withCString { authkit_curl_setopt_ptr(curl, option, $0) }
    }

    static func describe(_ code: CURLcode) -> String { String(cString: curl_easy_strerror(code)) }

    /// Maps libcurl's result to the core's classification. Only curl's own message is kept:
    /// never the URL, headers or body, which carry the API key and tokens.
    static func transportError(_ code: CURLcode) -> HTTPTransportError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION,
             CURLE_PARTIAL_FILE:
            return .connectionFailed(describe(code))
        default:
            return .other(describe(code))
        }
    }
}

private extension CURLcode {
    /// Runs the next option only while everything so far succeeded.
    func then(_ next: () -> CURLcode) -> CURLcode { self == CURLE_OK ? next() : self }
}

/// `CURLOPT_WRITEFUNCTION`: append to the collector's body.
private let writeBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let collector = Unmanaged<EasyHandle.Collector>.fromOpaque(context).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        collector.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

/// `CURLOPT_HEADERFUNCTION`: one header line per call; a status line starts a new response
/// (after `100 Continue` or an intermediate one), so earlier headers are dropped.
private let writeHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    let length = size * count
    guard let data, let context else { return length }
    let collector = Unmanaged<EasyHandle.Collector>.fromOpaque(context).takeUnretainedValue()
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        collector.headers.removeAll()
        collector.body.removeAll()
        return length
    }
    guard let colon = line.firstIndex(of: ":") else { return length }
    let name = String(line[..<colon])
    let value = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t", "\r", "\n", "\r\n"])
    collector.headers.append((name, value))
    return length
}

private extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
