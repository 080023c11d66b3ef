/// One HTTP request to WorkOS, as the core builds it.
///
/// The core never opens sockets; it hands this value to an ``HTTPTransport``.
public struct HTTPRequest: Sendable, Equatable {
    /// HTTP method, upper case (`GET`, `POST`).
    public var method: String
    /// Absolute URL, e.g. `https://api.workos.com/user_management/authenticate`.
    public var url: String
    /// Header fields in the order they are sent. Names are sent as given.
    public var headers: [(name: String, value: String)]
    /// Request body; empty for none.
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }
}

/// An HTTP response as received, whatever its status.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields as received; look them up with ``header(_:)``.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? {
        // A–Z folded only, on the bytes (Unicode folding turns KELVIN SIGN into k).
        let wanted = name.lowercasedASCII()
        return headers.first { $0.name.equalsASCIICaseInsensitive(wanted) }?.value
    }
}

/// Why a request got no HTTP response at all.
public enum HTTPTransportError: Error, Sendable, Equatable {
    /// The connect or total timeout elapsed.
    case timedOut
    /// The connection was refused, reset or could not be made (DNS, TLS, …).
    case connectionFailed(String)
    /// Anything else the transport reports; the text must never contain secrets.
    case other(String)
}

/// Sends requests to WorkOS. Implementations must be safe to call from many threads at once.
///
/// The production implementation is `CurlTransport` (libcurl, keep-alive); tests use a real
/// HTTP server on loopback or, at unit level, a scripted transport.
public protocol HTTPTransport: Sendable {
    /// Sends the request and waits for the whole response.
    /// - Throws: ``HTTPTransportError`` when no response arrived.
    func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse
}
