/// `check-config --online`: asks WorkOS, with the loaded configuration, the two things a
/// running authkit-fcgi depends on, once each and without retries:
///
/// 1. the JWKS the token verifier fetches (`GET {api}/sso/jwks/{client_id}`, the URL
///    ``WorkOSClient/jwksURL`` gives): status, keys and their ids, latency;
/// 2. whether the API key is accepted, by WorkOS's cheapest authenticated read
///    (`GET {api}/user_management/users?limit=1` with `Authorization: Bearer <key>`).
///
/// When WorkOS does not answer the first request at all (refused, timeout, DNS, TLS), the second
/// is not sent: it would fail the same way, and a hanging host would cost a second timeout.
/// Nothing here prints: the outcomes carry one line each, free of the API key.
///
/// ```swift
/// let outcomes = OnlineCheck(config: config, transport: CurlTransport(userAgent: "…")).run()
/// outcomes.allSatisfy(\.passed)  // exit 0, else 69
/// ```
public struct OnlineCheck: Sendable {
    /// One check's result.
    public struct Outcome: Sendable, Equatable {
        public enum Result: String, Sendable, Equatable {
            case ok, failed, skipped
        }

        /// `JWKS` or `API key`.
        public var check: String
        public var result: Result
        /// Success: what was found (`HTTP 200, 2 keys (kid_a, kid_b), 4 ms`). Failure: the problem
        /// and its fix, one line.
        public var detail: String

        /// Skipped checks do not fail the run; the failure that caused the skip does.
        public var passed: Bool { result != .failed }
    }

    private let config: AuthKitConfig
    private let transport: any HTTPTransport
    private let nanoseconds: @Sendable () -> Int64
    private let userAgent: String

    /// - Parameters:
    ///   - transport: The transport authkit-fcgi uses (with the configured timeouts).
    ///   - nanoseconds: A monotonic clock for latencies (`CLOCK_MONOTONIC` when nil); tests pass their own.
    public init(config: AuthKitConfig, transport: any HTTPTransport, nanoseconds: (@Sendable () -> Int64)? = nil) {
        self.config = config
        self.transport = transport
        self.nanoseconds = nanoseconds ?? { MonotonicClock.nanoseconds() }
        userAgent = "authkit-fcgi/\(AuthKitVersion.string)"
    }

    /// The JWKS URL, exactly as the token verifier fetches it.
    public var jwksURL: String { WorkOSURLs.jwks(baseURL: config.apiBaseURL, clientId: config.clientId) }

    /// The authenticated read-only call that proves the API key.
    public var apiKeyURL: String { "\(config.apiBaseURL)/user_management/users?limit=1" }

    /// Runs both checks in order.
    public func run() -> [Outcome] {
        let (jwks, reached) = checkJWKS()
        guard reached else {
            return [jwks, Outcome(check: "API key", result: .skipped, detail: "not checked: WorkOS did not answer the JWKS request")]
        }
        return [jwks, checkAPIKey()]
    }

    /// The JWKS outcome, and whether WorkOS answered at all.
    func checkJWKS() -> (Outcome, reached: Bool) {
        let request = HTTPRequest(method: "GET", url: jwksURL, headers: [("Accept", "application/json"), ("User-Agent", userAgent)])
        let (answer, millis) = timed(request)
        let subject = "JWKS \(jwksURL)"
        let response: HTTPResponse
        switch answer {
        case .failure(let error):
            return (failed("JWKS", subject, ReachabilityProblem(error, millis: millis, config: config)), false)
        case .success(let received):
            response = received
        }
        guard response.status == 200 else {
            return (failed("JWKS", subject, ReachabilityProblem(jwksStatus: response, millis: millis, config: config)), true)
        }
        let listed = (try? JSONParser.parse(response.body))?["keys"]?.arrayValue?.count ?? 0
        guard let keySet = try? JSONWebKeySet(json: response.body), !keySet.keys.isEmpty else {
            let problem = ReachabilityProblem(
                problem: "HTTP 200 but no usable RS256 key (\(listed) listed) after \(millis) ms",
                fix: "check that WORKOS_API_HOSTNAME is the WorkOS API (api.workos.com), not a web site or a proxy's page")
            return (failed("JWKS", subject, problem), true)
        }
        let ids = keySet.keys.map { $0.keyId ?? "(no kid)" }.joined(separator: ", ")
        let count = keySet.keys.count == 1 ? "1 key" : "\(keySet.keys.count) keys"
        let unusable = listed > keySet.keys.count ? " (\(listed - keySet.keys.count) more not usable for RS256)" : ""
        let detail = "\(jwksURL): HTTP 200, \(count) (\(ids))\(unusable), \(millis) ms"
        return (Outcome(check: "JWKS", result: .ok, detail: detail), true)
    }

    func checkAPIKey() -> Outcome {
        let request = HTTPRequest(method: "GET", url: apiKeyURL, headers: [
            ("Authorization", "Bearer \(config.apiKey)"), ("Accept", "application/json"), ("User-Agent", userAgent),
        ])
        let (answer, millis) = timed(request)
        let subject = "API key \(ConfigLoader.maskKey(config.apiKey)) at \(apiKeyURL)"
        switch answer {
        case .failure(let error):
            return failed("API key", subject, ReachabilityProblem(error, millis: millis, config: config))
        case .success(let response) where (200...299).contains(response.status):
            return Outcome(check: "API key", result: .ok, detail: "\(apiKeyURL): HTTP \(response.status), key accepted, \(millis) ms")
        case .success(let response) where response.status == 403:
            // Recognised, but not allowed to list users; sign-in needs only /user_management/authenticate.
            return Outcome(check: "API key", result: .ok,
                           detail: "\(apiKeyURL): HTTP 403, key recognised but not allowed to list users, \(millis) ms")
        case .success(let response):
            return failed("API key", subject, ReachabilityProblem(apiKeyStatus: response, millis: millis, config: config))
        }
    }

    private func failed(_ check: String, _ subject: String, _ problem: ReachabilityProblem) -> Outcome {
        Outcome(check: check, result: .failed, detail: "\(subject): \(problem.line(masking: config.apiKey))")
    }

    private func timed(_ request: HTTPRequest) -> (Result<HTTPResponse, HTTPTransportError>, millis: Int64) {
        let started = nanoseconds()
        let result: Result<HTTPResponse, HTTPTransportError>
        do {
            result = .success(try transport.send(request))
        } catch {
            result = .failure(error)
        }
        return (result, (nanoseconds() - started + 500_000) / 1_000_000)
    }
}
