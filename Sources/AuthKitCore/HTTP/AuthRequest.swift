/// A request as the core sees it, translated from FastCGI or CGI parameters by the executable.
///
/// `headers` come from the client and are untrusted; `parameters` are set by the server
/// configuration (nginx `fastcgi_param`, Apache `SetEnv`) and select behaviour per location.
public struct AuthRequest: Sendable {
    public var method: String
    /// The original request target, path and query (`REQUEST_URI`), still percent-encoded.
    public var requestURI: String
    /// Request headers keyed by lower-case name.
    public var headers: [String: String]
    /// Server-set parameters (`AUTHKIT_ACTION`, `AUTHKIT_MODE`, `AUTHKIT_REQUIRE_*`, …).
    public var parameters: [String: String]
    /// The request body (form posts to sign-out and refresh).
    public var body: [UInt8]
    /// The path the server maps the request to, as the server sends it (decoded and
    /// dot-resolved: nginx `$uri`, Apache `r->uri`), from ``servedPathParameter``. The check
    /// decides path rules on it (see ``ServedPath``); nil when the server did not send one.
    public var servedPath: String?
    /// After an Apache internal redirect (`REDIRECT_STATUS`), the original request's
    /// ``servedPath`` (`REDIRECT_AUTHKIT_SERVED_PATH`): what an `ErrorDocument` that re-checks the
    /// original request decides on.
    public var originalServedPath: String?
    /// The session cache's key of this request's session cookie (``cookie(_:)`` with the
    /// configured name), when the server side hashed it already: the FastCGI check-answer memo
    /// does for its lookup, from the same bytes (`CheckAnswerMemoTests` holds it to that). The
    /// check then uses it instead of hashing the ~3 KB value again.
    public var sessionCookieKey: VerifiedSessionCache.Key?

    /// The server parameter carrying ``servedPath``: `fastcgi_param AUTHKIT_SERVED_PATH
    /// $authkit_served_path` (set from `$uri` in nginx's `authkit-protect.conf`), `SetEnvIf
    /// Request_URI "^(.*)$" AUTHKIT_SERVED_PATH=$1` in Apache's snippets.
    public static let servedPathParameter = "AUTHKIT_SERVED_PATH"

    public init(method: String, requestURI: String, headers: [String: String] = [:], parameters: [String: String] = [:], body: [UInt8] = [],
                servedPath: String? = nil) {
        // A–Z only: Unicode upper-casing turns `poſt` (U+017F) into POST.
        self.method = method.uppercasedASCII()
        self.requestURI = requestURI
        self.headers = headers
        var parameters = parameters
        self.servedPath = parameters.removeValue(forKey: Self.servedPathParameter) ?? servedPath
        self.parameters = parameters
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name] }

    /// The path part of the request URI.
    public var path: String {
        guard let question = requestURI.firstUTF8Index(of: UInt8(ascii: "?")) else { return requestURI }
        return String(requestURI[..<question])
    }

    /// The query string without `?`, or empty.
    public var query: String {
        guard let question = requestURI.firstUTF8Index(of: UInt8(ascii: "?")) else { return "" }
        return String(requestURI[requestURI.utf8.index(after: question)...])
    }

    /// The first value of a query parameter, form-decoded.
    public func queryValue(_ name: String) -> String? {
        FormFields.parse(query).first { $0.name.bytesEqual(name) }?.value
    }

    /// The first value of a field in an `application/x-www-form-urlencoded` body.
    public func formValue(_ name: String) -> String? {
        guard headers["content-type"]?.hasASCIICaseInsensitivePrefix("application/x-www-form-urlencoded") == true else { return nil }
        return FormFields.parse(String(decoding: body, as: UTF8.self)).first { $0.name.bytesEqual(name) }?.value
    }

    /// The value of a cookie (the last one when repeated, as Next.js reads it).
    public func cookie(_ name: String) -> String? {
        headers["cookie"].flatMap { CookieHeader.value(named: name, in: $0) }
    }

    /// All cookies of the request.
    public var cookies: [(name: String, value: String)] {
        headers["cookie"].map(CookieHeader.parse) ?? []
    }

    /// Whether this is a browser page navigation (see ``NavigationClassifier``).
    public var isNavigation: Bool { NavigationClassifier.isNavigation { headers[$0] } }
}

/// `application/x-www-form-urlencoded` pairs, as `URLSearchParams` parses them.
///
/// Split on the bytes `&` and `=`: split on Characters, `&\u{301}` or `=\u{301}` (a combining
/// mark after the delimiter) is one Character and the delimiter would be missed.
public enum FormFields {
    public static func parse(_ text: String) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for pair in text.splitOnByte(UInt8(ascii: "&")) {
            let name: String?
            let value: String?
            if let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) {
                name = PercentEncoding.formDecode(pair[..<equals])
                value = PercentEncoding.formDecode(pair[pair.utf8.index(after: equals)...])
            } else {
                name = PercentEncoding.formDecode(pair)
                value = ""
            }
            if let name, let value { fields.append((name, value)) }
        }
        return fields
    }
}
