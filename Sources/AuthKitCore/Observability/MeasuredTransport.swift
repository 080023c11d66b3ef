/// An ``HTTPTransport`` that times every call to WorkOS into
/// `authkit_workos_request_duration_seconds{endpoint, status}`.
public struct MeasuredTransport: HTTPTransport {
    private let inner: any HTTPTransport
    private let metrics: AuthKitMetrics

    public init(_ inner: any HTTPTransport, metrics: AuthKitMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    public func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        let started = MonotonicClock.nanoseconds()
        let endpoint = Self.endpoint(of: request.url)
        do {
            let response = try inner.send(request)
            metrics.recordWorkOSCall(endpoint: endpoint, status: String(response.status), nanoseconds: MonotonicClock.nanoseconds() - started)
            return response
        } catch {
            metrics.recordWorkOSCall(endpoint: endpoint, status: "error", nanoseconds: MonotonicClock.nanoseconds() - started)
            throw error
        }
    }

    /// The URL's path with identifiers replaced, so the label set stays small:
    /// `https://api.workos.com/sso/jwks/client_01H…` → `/sso/jwks/{client_id}`.
    public static func endpoint(of url: String) -> String {
        // On the bytes: ids in the path come from WorkOS and from requests.
        var rest = url.utf8[...]
        if let scheme = url.withUTF8Buffer({ haystack in "://".withUTF8Buffer { ASCIIBytes.firstRange(of: $0, in: haystack, fold: false) } }) {
            rest = rest.dropFirst(scheme.upperBound)
        }
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return "/" }
        var path = rest[slash...]
        if let query = path.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { path = path[..<query] }
        var segments = Substring(path).splitOnByte(UInt8(ascii: "/"), omittingEmptySubsequences: false).map(String.init)
        for index in segments.indices where index > 0 {
            if segments[index - 1].bytesEqual("jwks") {
                segments[index] = "{client_id}"
            } else if isIdentifier(segments[index]) {
                segments[index] = "{id}"
            }
        }
        return segments.joined(separator: "/")
    }

    /// A WorkOS object id: a lower-case prefix, `_`, then a ULID (`user_01HXYZ…`).
    static func isIdentifier(_ segment: String) -> Bool {
        guard let underscore = segment.firstUTF8Index(of: UInt8(ascii: "_")) else { return false }
        let id = segment[segment.utf8.index(after: underscore)...]
        return id.utf8.count >= 10 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }
    }
}
