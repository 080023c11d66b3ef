import AuthKitCore
import AuthKitCurl
import Foundation

/// A cookie-keeping HTTP client that behaves like a browser tab: navigation headers, redirects
/// followed (loopback only), cookies stored per host (ports ignored, as browsers do) and
/// deleted by `Max-Age=0`.
final class Browser: @unchecked Sendable {
    private let http = CurlTransport(connectTimeoutMillis: 2000, totalTimeoutMillis: 10_000, userAgent: "Mozilla/5.0 (authkit-tests)")
    private(set) var cookies: [String: String] = [:]
    /// Every response seen, in order, for assertions about redirects.
    private(set) var history: [(url: String, response: HTTPResponse)] = []

    static let navigation: [(name: String, value: String)] = [
        ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document"), ("Sec-Fetch-Site", "same-origin"),
    ]

    /// Host names that mean 127.0.0.1 to this browser, as an /etc/hosts line would: requests
    /// to them go to loopback with the name (and port) in `Host`. For virtual-host tests.
    var loopbackNames: Set<String> = []

    func cookie(_ name: String) -> String? { cookies[name] }
    func setCookie(_ name: String, _ value: String) { cookies[name] = value }

    /// One request, no redirect following.
    @discardableResult
    func send(_ method: String, _ url: String, headers: [(name: String, value: String)] = navigation, body: String = "") throws -> HTTPResponse {
        var all = headers
        if !cookies.isEmpty { all.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))) }
        var target = url
        if var components = URLComponents(string: url), let host = components.host, loopbackNames.contains(host) {
            all.append(("Host", host + (components.port.map { ":\($0)" } ?? "")))
            components.host = "127.0.0.1"
            target = components.string ?? url
        }
        let response = try http.send(HTTPRequest(method: method, url: target, headers: all, body: Array(body.utf8)))
        for header in response.headers where header.name.lowercased() == "set-cookie" { store(header.value) }
        history.append((url, response))
        return response
    }

    /// A page navigation, following redirects like a browser.
    func navigate(_ url: String, method: String = "GET", body: String = "", headers: [(name: String, value: String)] = navigation) throws -> (url: String, response: HTTPResponse) {
        var current = url
        var response = try send(method, current, headers: headers + (body.isEmpty ? [] : [("Content-Type", "application/x-www-form-urlencoded")]), body: body)
        for _ in 0..<10 {
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location") else { break }
            current = Self.resolve(location, against: current)
            guard let host = URL(string: current)?.host, host == "127.0.0.1" || host == "localhost" || loopbackNames.contains(host) else {
                throw RedirectLeftLoopback(url: current)
            }
            response = try send("GET", current, headers: headers)
        }
        return (current, response)
    }

    struct RedirectLeftLoopback: Error { let url: String }

    static func resolve(_ location: String, against base: String) -> String {
        URL(string: location, relativeTo: URL(string: base))?.absoluteString ?? location
    }

    private func store(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals])
        let value = String(pair[pair.index(after: equals)...])
        let expired = parts.dropFirst().contains { $0.lowercased() == "max-age=0" || $0.lowercased().hasPrefix("max-age=-") }
        if expired || value.isEmpty { cookies[name] = nil } else { cookies[name] = value }
    }
}
