/// A failed WorkOS call, classified as authkit-nextjs classifies refresh errors (#461).
public enum WorkOSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// WorkOS answered with an error status. `code` is the OAuth `error` or the `code` field,
    /// `message` its description; `retryAfterSeconds` comes from `Retry-After` on 429/503;
    /// `redirectURL` is the `authkit_redirect_url` some refusals carry (where the user can
    /// satisfy what is missing, e.g. SSO for an organization).
    case http(status: Int, code: String?, message: String?, requestId: String?, retryAfterSeconds: Int?, redirectURL: String? = nil)
    /// No answer: timeout, refused or reset connection, DNS, TLS.
    case transport(HTTPTransportError)
    /// A 2xx answer that is not the expected JSON (e.g. missing tokens).
    case invalidResponse(String)
    /// Not sent: too many requests of this process are already waiting on WorkOS.
    case notAttempted(String)

    /// Transient errors keep the session cookie: 408, 429 and 5xx, and no answer at all.
    /// `invalid_grant` (400) and every other 4xx are terminal.
    public var isTransient: Bool {
        switch self {
        case .http(let status, _, _, _, _, _): status == 408 || status == 429 || (500...599).contains(status)
        case .transport, .notAttempted: true
        case .invalidResponse: false
        }
    }

    /// The OAuth/WorkOS error code, e.g. `invalid_grant`.
    public var code: String? {
        if case .http(_, let code, _, _, _, _) = self { return code }
        return nil
    }

    /// The `authkit_redirect_url` of a refusal, when WorkOS gave one.
    public var redirectURL: String? {
        if case .http(_, _, _, _, _, let url) = self { return url }
        return nil
    }

    /// What WorkOS said, for a person: its description, else the code, else the status.
    public var refusalDescription: String {
        if case .http(let status, let code, let message, _, _, _) = self { return message ?? code ?? "WorkOS answered HTTP \(status)." }
        return description
    }

    /// Safe to log: holds no request data, only what WorkOS said and the status.
    public var description: String {
        switch self {
        case let .http(status, code, message, requestId, _, _):
            var text = "WorkOS answered HTTP \(status)"
            if let code { text += " \(code)" }
            if let message { text += ": \(message)" }
            if let requestId { text += " (request \(requestId))" }
            return text
        case .transport(let error): return "WorkOS unreachable: \(error)"
        case .invalidResponse(let why): return "WorkOS response unusable: \(why)"
        case .notAttempted(let why): return "WorkOS call not attempted: \(why)"
        }
    }
}
