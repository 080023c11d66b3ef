/// A location's settings, from the `AUTHKIT_*` parameters the server sends with each request
/// (nginx `fastcgi_param`, Apache `SetEnvIf`/`SetEnv`), parsed into one typed value.
///
/// Fails closed: an `AUTHKIT_*` name that is neither a per-location setting nor one the server
/// may pass along for other reasons (process settings in a CGI environment, identity variables
/// Apache keeps after an internal redirect), or a bad value (`AUTHKIT_MODE=optinal`, an empty
/// `AUTHKIT_REQUIRE_ROLE`), is a ``Problem``: the request is denied with a 500 and one log line
/// per problem naming the parameter and the fix. A misspelt requirement is never read as absent.
public struct LocationSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// Signed in, or refused (the default).
        case required
        /// Everyone passes; identity when signed in.
        case optional
    }

    public var mode: Mode = .required
    /// `AUTHKIT_ALLOW_BEARER=true`: `Authorization: Bearer <access token>` is accepted.
    public var allowBearer = false
    /// `AUTHKIT_ALLOW_API_KEY=true`: `Authorization: Bearer <WorkOS API key>` is accepted
    /// (validated with WorkOS, cached). With both allowed, a token shaped like a JWT (three
    /// dot-separated parts) is an access token, anything else an API key.
    public var allowApiKey = false
    /// `AUTHKIT_REQUIRE_*`.
    public var requirements = Requirements()
    /// `AUTHKIT_MAX_AUTH_AGE`: seconds since the sign-in (`auth_time`) after which the user must
    /// sign in again here (``RecentAuthentication``); nil: any age.
    public var maxAuthAge: Int64?
    /// `AUTHKIT_CGI_SCRIPTS`: the CGI guard's script directory.
    public var cgiScripts: String?
    /// `AUTHKIT_CLIENT_HEADER`: Apache saw a client header spelled like one of ours.
    public var clientHeaderSeen = false

    public init() {}

    /// One bad parameter.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let parameter: String
        public let problem: String
        public let fix: String
        public var description: String { "\(parameter) \(problem). Fix: \(fix)" }
    }

    /// Per-location settings read here.
    public static let locationNames: Set<String> = Set([
        "AUTHKIT_ACTION", "AUTHKIT_MODE", "AUTHKIT_ALLOW_BEARER", "AUTHKIT_ALLOW_API_KEY", "AUTHKIT_CGI_SCRIPTS", "AUTHKIT_CLIENT_HEADER",
        "AUTHKIT_SERVED_PATH", "AUTHKIT_MAX_AUTH_AGE", Site.redirectURIParameter, Site.baseURLParameter,
    ]).union(Requirements.parameterNames)

    /// Process settings (``ConfigLoader``): a CGI program's environment and Apache's `SetEnv`
    /// carry them to every request; they configure the process, not the location, and are
    /// ignored here.
    public static let processNames: Set<String> = [
        "AUTHKIT_ENV_FILE", "AUTHKIT_CACHE_DIR", "AUTHKIT_CLOCK_LEEWAY_SECONDS", "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS",
        "AUTHKIT_HTTP_TIMEOUT_MS", "AUTHKIT_HTTP_RETRIES", "AUTHKIT_BASE_URL", "AUTHKIT_ENDPOINT_PREFIX",
        "AUTHKIT_PASS_ACCESS_TOKEN", "AUTHKIT_SESSION_CACHE_SIZE", "AUTHKIT_ALLOWED_RETURN_HOSTS", "AUTHKIT_ON_SUCCESS_URL",
        "AUTHKIT_ON_SUCCESS_SECRET", "AUTHKIT_ON_SUCCESS_REQUIRED", "AUTHKIT_ERROR_PAGE", "AUTHKIT_REDIS_URL",
        "AUTHKIT_LOG_FORMAT", "AUTHKIT_METRICS", Site.allowlistVariable, "AUTHKIT_ASSERTION_ALG", "AUTHKIT_ASSERTION_TTL_SECONDS",
        "AUTHKIT_ASSERTION_KEY_FILE", "AUTHKIT_ASSERTION_KEY_DIR", "AUTHKIT_ASSERTION_ROTATE_DAYS", "AUTHKIT_API_KEY_CACHE_SECONDS", "AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS",
        "AUTHKIT_API_KEY_CACHE_SIZE",
        "AUTHKIT_ON_REFRESH_SUCCESS_URL", "AUTHKIT_ON_REFRESH_ERROR_URL", "AUTHKIT_ON_REFRESH_SECRET",
    ]

    /// Identity variables (`AUTHKIT_USER_ID`, …) and mod_fcgid's `AUTHKIT_NO_CACHE`: Apache
    /// sets them from the check's answer and hands them on to a subrequest's check, or renamed
    /// `REDIRECT_*` after an internal redirect. Ignored here.
    public static var identityNames: Set<String> {
        Set(Identity.keys.map { "AUTHKIT_" + $0 } + ["AUTHKIT_ACCESS_TOKEN", "AUTHKIT_NO_CACHE", "AUTHKIT_ASSERTION"])
    }

    /// Every problem of one request's settings.
    public struct Problems: Error, Sendable, Equatable {
        public let all: [Problem]
    }

    /// Parses every `AUTHKIT_*` parameter; all problems at once.
    public static func parse(_ parameters: [String: String]) -> Result<LocationSettings, Problems> {
        var settings = LocationSettings()
        var problems: [Problem] = []
        let identity = identityNames
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) where name.utf8.starts(with: "AUTHKIT_".utf8) {
            if processNames.contains(name) || identity.contains(name) { continue }
            guard locationNames.contains(name) else {
                problems.append(Problem(parameter: name, problem: "is not a setting authkit-fcgi knows",
                                        fix: "check the spelling against authkit-fcgi(8) (e.g. AUTHKIT_REQUIRE_ROLE, AUTHKIT_MODE) or remove it"))
                continue
            }
            switch name {
            case "AUTHKIT_MODE":
                guard let mode = Mode(rawValue: value.lowercasedASCII()) else {
                    problems.append(Problem(parameter: name, problem: "is \"\(visible(value))\", not a mode", fix: "set it to optional or required"))
                    continue
                }
                settings.mode = mode
            case "AUTHKIT_ALLOW_BEARER", "AUTHKIT_ALLOW_API_KEY":
                let allowed: Bool
                switch value.lowercasedASCII() {
                case "true": allowed = true
                case "false": allowed = false
                default:
                    problems.append(Problem(parameter: name, problem: "is \"\(visible(value))\", not true or false", fix: "set it to true or false"))
                    continue
                }
                if name == "AUTHKIT_ALLOW_BEARER" { settings.allowBearer = allowed } else { settings.allowApiKey = allowed }
            case "AUTHKIT_ACTION":
                if RouteTable.named(value) == nil {
                    problems.append(Problem(parameter: name, problem: "is \"\(visible(value))\", not an action",
                                            fix: "use check (the auth check), denied (Apache's ErrorDocument) or guard (the CGI guard)"))
                }
            case "AUTHKIT_CGI_SCRIPTS":
                guard value.utf8.first == UInt8(ascii: "/") else {
                    problems.append(Problem(parameter: name, problem: "is not an absolute directory", fix: "set it to the scripts' directory, e.g. /usr/lib/cgi-bin/protected"))
                    continue
                }
                settings.cgiScripts = value
            case "AUTHKIT_MAX_AUTH_AGE":
                let range = RecentAuthentication.allowedMaxAge
                guard let maxAge = RecentAuthentication.maxAge(value, range: range) else {
                    problems.append(Problem(parameter: name, problem: "is \"\(visible(value))\", not a whole number of seconds from \(range.lowerBound) to \(range.upperBound)",
                                            fix: "set it to the longest time since signing in that this location accepts, in seconds, e.g. 600"))
                    continue
                }
                settings.maxAuthAge = maxAge
            case "AUTHKIT_CLIENT_HEADER":
                settings.clientHeaderSeen = true
            case "AUTHKIT_SERVED_PATH", Site.redirectURIParameter, Site.baseURLParameter:
                // The site's are checked against the allowlist: ``EndpointSettings/site(for:)``.
                break
            default:
                let list = Requirements.list(value)
                if let why = list.problem {
                    problems.append(Problem(parameter: name, problem: why, fix: "list the values separated by commas or spaces, e.g. admin,owner"))
                } else {
                    settings.requirements.set(name, list.items)
                }
            }
        }
        return problems.isEmpty ? .success(settings) : .failure(Problems(all: problems))
    }

    /// A value for a log line: control characters shown as `?`, at most 64 bytes.
    static func visible(_ text: String) -> String {
        let bytes = text.utf8.prefix(64).map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }
        return String(decoding: bytes, as: UTF8.self) + (text.utf8.count > 64 ? "…" : "")
    }
}

extension Result where Failure == LocationSettings.Problems {
    /// Every problem of a failed parse; none of a successful one.
    public var problems: [LocationSettings.Problem] {
        if case .failure(let failure) = self { return failure.all }
        return []
    }
}
