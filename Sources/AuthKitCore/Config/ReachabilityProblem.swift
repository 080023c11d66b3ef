/// Why an ``OnlineCheck`` failed, and what to do about it, for one line of `check-config
/// --online`: `connection refused (…) after 1 ms. Fix: check WORKOS_API_HOSTNAME …`.
///
/// Transport errors are told apart by the libcurl code their text ends with (`(curl 7)`, see
/// `CurlErrorMapping`); another transport's text falls back to a general line. Only the status,
/// WorkOS's error code and message and its request id are quoted from an answer, never the
/// request.
struct ReachabilityProblem: Sendable, Equatable {
    var problem: String
    var fix: String

    init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    /// No answer at all.
    init(_ error: HTTPTransportError, millis: Int64, config: AuthKitConfig) {
        let endpoint = "\(config.apiHostname):\(config.apiPort ?? (config.apiHTTPS ? 443 : 80))"
        let addressFix = "check WORKOS_API_HOSTNAME and WORKOS_API_PORT (\(endpoint)), that the server runs, and that no firewall blocks it"
        switch error {
        case .timedOut:
            self.init(problem: "timed out after \(millis) ms (AUTHKIT_HTTP_CONNECT_TIMEOUT_MS=\(config.httpConnectTimeoutMillis), AUTHKIT_HTTP_TIMEOUT_MS=\(config.httpTotalTimeoutMillis))",
                      fix: "check that this host can reach \(endpoint) (firewall, outbound proxy, routing)")
        case .connectionFailed(let message):
            let text = Self.unnested(message)
            switch Self.curlCode(message) {
            case 7:
                self.init(problem: "connection refused or host unreachable after \(millis) ms (\(text))", fix: addressFix)
            case 6:
                self.init(problem: "host name \(config.apiHostname) not found (\(text))",
                          fix: "check WORKOS_API_HOSTNAME for typos and this host's DNS (/etc/resolv.conf)")
            case 35, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91:
                self.init(problem: "TLS error after \(millis) ms (\(text))",
                          fix: "update the CA certificates (ca-certificates), check the clock (timedatectl) and any TLS-inspecting proxy; a plain-HTTP stand-in needs WORKOS_API_HTTPS=false")
            case 52, 55, 56:
                self.init(problem: "connection closed without an answer after \(millis) ms (\(text))",
                          fix: "check that WORKOS_API_HTTPS=\(config.apiHTTPS) matches the server (https or plain http) and that WORKOS_API_PORT is its port")
            default:
                self.init(problem: "cannot connect after \(millis) ms (\(text))", fix: addressFix)
            }
        case .other(let message):
            self.init(problem: "request failed after \(millis) ms (\(Self.unnested(message)))",
                      fix: "check WORKOS_API_HOSTNAME, WORKOS_API_HTTPS and WORKOS_API_PORT")
        }
    }

    /// The JWKS request answered with a status other than 200.
    init(jwksStatus response: HTTPResponse, millis: Int64, config: AuthKitConfig) {
        let said = Self.workOSWords(response)
        if response.status == 404 {
            self.init(problem: "HTTP 404 in \(millis) ms: no key set for client \(config.clientId)\(said)",
                      fix: "check WORKOS_CLIENT_ID (client_…) on the WorkOS dashboard's API Keys page, in the environment of WORKOS_API_KEY")
        } else {
            self.init(general: response, millis: millis, said: said)
        }
    }

    /// The API-key request answered with a status other than 2xx or 403.
    init(apiKeyStatus response: HTTPResponse, millis: Int64, config: AuthKitConfig) {
        let said = Self.workOSWords(response)
        switch response.status {
        case 401:
            self.init(problem: "refused: WorkOS does not accept this API key (HTTP 401 in \(millis) ms)\(said)",
                      fix: "copy the API key (sk_…) from the WorkOS dashboard's API Keys page; staging (sk_test_) and production (sk_live_) keys differ")
        case 404:
            self.init(problem: "HTTP 404 in \(millis) ms: no such endpoint\(said)",
                      fix: "check that WORKOS_API_HOSTNAME is the WorkOS API (api.workos.com)")
        default:
            self.init(general: response, millis: millis, said: said)
        }
    }

    private init(general response: HTTPResponse, millis: Int64, said: String) {
        let status = response.status
        switch status {
        case 300...399:
            let location = response.header("Location").map { " to \(Self.printable($0, limit: 200))" } ?? ""
            self.init(problem: "HTTP \(status) redirect\(location) in \(millis) ms (redirects are not followed)",
                      fix: "check WORKOS_API_HOSTNAME and WORKOS_API_HTTPS (the API answers https directly)")
        case 429:
            self.init(problem: "HTTP 429 in \(millis) ms: rate limited\(said)", fix: "wait a minute and run it again")
        case 500...599:
            self.init(problem: "HTTP \(status) in \(millis) ms: WorkOS is failing\(said)",
                      fix: "run it again later; see https://status.workos.com")
        default:
            self.init(problem: "HTTP \(status) in \(millis) ms\(said)", fix: "check WORKOS_API_HOSTNAME, WORKOS_API_HTTPS and WORKOS_API_PORT")
        }
    }

    /// `problem. Fix: fix.`, with `secret` masked should an answer have quoted it.
    func line(masking secret: String) -> String {
        let text = "\(problem). Fix: \(fix)."
        guard !secret.isEmpty else { return text }
        return text.replacing(secret, with: ConfigLoader.maskKey(secret))
    }

    /// ` (WorkOS: unauthorized: Invalid API key.; request req_…)`, or empty.
    static func workOSWords(_ response: HTTPResponse) -> String {
        guard case let .http(_, code, message, requestId, _, _) = WorkOSClient.error(from: response) else { return "" }
        let words = [code, message.map { printable($0, limit: 120) }].compactMap { $0 }.joined(separator: ": ")
        var parts: [String] = words.isEmpty ? [] : ["WorkOS: \(words)"]
        if let requestId { parts.append("request \(printable(requestId, limit: 80))") }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: "; ")))"
    }

    /// The libcurl code at the end of a `CurlTransport` error text, `… (curl 7)`.
    static func curlCode(_ text: String) -> Int? {
        guard text.hasSuffix(")"), let start = text.ranges(of: "(curl ").last else { return nil }
        return Int(text[start.upperBound..<text.index(before: text.endIndex)])
    }

    /// `Couldn't connect to server, curl 7` for `Couldn't connect to server (curl 7)`, to sit in
    /// parentheses itself.
    static func unnested(_ text: String) -> String {
        guard curlCode(text) != nil, let start = text.ranges(of: " (curl ").last else { return text }
        return String(text[..<start.lowerBound]) + ", curl " + String(text[start.upperBound..<text.index(before: text.endIndex)])
    }

    /// One line: control characters become spaces; at most `limit` characters.
    private static func printable(_ text: String, limit: Int) -> String {
        let flat = String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) ? " " : $0 })
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}
