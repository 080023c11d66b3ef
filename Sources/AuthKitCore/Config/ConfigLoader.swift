// Why not swift-configuration: it reads 5 of 7 env files differently from Next.js's dotenv, defaults a bad number silently and stops at the first error (docs/build-or-buy.md).

/// Reads and validates configuration from environment-style variables.
///
/// Pure: the caller supplies the variables. Precedence is the caller's, and should be Next.js's:
/// the real process environment overrides an env file (`authkit-fcgi` parses the file with
/// ``DotEnv`` and lays the process environment over it). An empty value counts as unset, like
/// `process.env.X || default` in authkit-nextjs.
public enum ConfigLoader {
    /// The validated configuration, or every problem found, in the order of the variables
    /// (required variables first). Each setting is checked on its own, so one bad value does
    /// not hide the next: the operator fixes them all before one restart.
    public static func load(_ variables: [String: String]) throws(ConfigErrors) -> AuthKitConfig {
        var problems: [ConfigError] = []
        /// Runs one independent check; its problem, if any, is kept and the load goes on. (Each
        /// check spells `() throws(ConfigError) in`: Swift infers `any Error` for a closure otherwise.)
        func collect(_ check: () throws(ConfigError) -> Void) {
            do { try check() } catch { problems.append(error) }
        }
        func value(_ name: String) -> String? {
            guard let value = variables[name], !value.isEmpty else { return nil }
            return value
        }
        /// The value, or "" once its absence is recorded: a placeholder only so that the later
        /// checks still run; the load fails anyway.
        func required(_ name: String, fix: String) -> String {
            guard let value = value(name) else {
                problems.append(ConfigError(variable: name, problem: "is not set", fix: fix))
                return ""
            }
            return value
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>, unit: String) throws(ConfigError) -> Int {
            guard let text = value(name) else { return fallback }
            // ASCII digits on the bytes (no sign, no exponent, no `١`), at most 19: past Int64 is
            // a config error like any other out-of-range value, never a trap.
            guard let parsed = DecimalText.int64(DecimalText.trimmingSpaces(text[...].utf8)), let number = Int(exactly: parsed),
                  range.contains(number) else {
                throw ConfigError(variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound) (\(unit))",
                                  fix: "set it to a number such as \(fallback), or remove it for the default")
            }
            return number
        }
        func boolean(_ name: String, default fallback: Bool) throws(ConfigError) -> Bool {
            // A–Z folded only: Unicode folding reads KELVIN SIGN as k, dotless ı as I.
            guard let text = value(name)?.lowercasedASCII() else { return fallback }
            switch text {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw ConfigError(variable: name, problem: "must be true or false", fix: "set it to true or false")
            }
        }

        let clientId = required("WORKOS_CLIENT_ID", fix: "copy the client ID (client_…) from the WorkOS dashboard, API Keys page")
        let apiKey = required("WORKOS_API_KEY", fix: "copy the API key (sk_…) from the WorkOS dashboard, API Keys page")
        let password = required("WORKOS_COOKIE_PASSWORD", fix: "set it to a random string of at least 32 characters, e.g. the output of `openssl rand -base64 24`")
        if !password.isEmpty { collect { () throws(ConfigError) in try checkPassword(password, variable: "WORKOS_COOKIE_PASSWORD") } }
        let previous = (value("WORKOS_COOKIE_PASSWORD_PREVIOUS") ?? "")
            .splitOnByte(UInt8(ascii: ",")).map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        for (position, old) in previous.enumerated() {
            collect { () throws(ConfigError) in
                try checkPassword(old, variable: "WORKOS_COOKIE_PASSWORD_PREVIOUS", entry: previous.count > 1 ? position + 1 : nil)
            }
        }

        let redirectURI = value("WORKOS_REDIRECT_URI") ?? value("NEXT_PUBLIC_WORKOS_REDIRECT_URI")
        collect { () throws(ConfigError) in
            guard let redirectURI else {
                throw ConfigError(variable: "WORKOS_REDIRECT_URI", problem: "is not set (NEXT_PUBLIC_WORKOS_REDIRECT_URI is accepted too)",
                                  fix: "set it to the callback URL registered in the WorkOS dashboard, e.g. https://example.com/auth/callback")
            }
            let redirectVariable = value("WORKOS_REDIRECT_URI") != nil ? "WORKOS_REDIRECT_URI" : "NEXT_PUBLIC_WORKOS_REDIRECT_URI"
            guard isAbsoluteHTTPURL(redirectURI) else {
                throw ConfigError(variable: redirectVariable, problem: "is not an absolute http or https URL with a host",
                                  fix: "set it to the full callback URL, e.g. https://example.com/auth/callback")
            }
        }

        var config = AuthKitConfig(clientId: clientId, apiKey: apiKey, cookiePassword: password,
                                   previousCookiePasswords: previous, redirectURI: redirectURI ?? "")
        if let name = value("WORKOS_COOKIE_NAME") {
            collect { () throws(ConfigError) in
                guard name.utf8.allSatisfy(isCookieNameByte) else {
                    throw ConfigError(variable: "WORKOS_COOKIE_NAME", problem: "is not a valid cookie name",
                                      fix: "use letters, digits and - _ . only, e.g. wos-session")
                }
                config.cookieName = name
            }
        }
        // authkit: parseInt(v, 10), and 34560000 when that is NaN.
        if let maxAge = value("WORKOS_COOKIE_MAX_AGE"), let parsed = IronSession.parseIntLikeJavaScript(Substring(maxAge)) {
            collect { () throws(ConfigError) in
                guard parsed >= 0 else {
                    throw ConfigError(variable: "WORKOS_COOKIE_MAX_AGE", problem: "is negative",
                                      fix: "set it to a number of seconds such as 34560000 (400 days)")
                }
                // Browsers keep a cookie 400 days at most; past 68 years is a typo, and keeps
                // every later Max-Age sum far from overflowing.
                guard parsed <= Int(Int32.max) else {
                    throw ConfigError(variable: "WORKOS_COOKIE_MAX_AGE", problem: "is too large (more than \(Int32.max) seconds)",
                                      fix: "set it to a number of seconds such as 34560000 (400 days, what browsers allow at most)")
                }
                config.cookieMaxAge = parsed
            }
        }
        config.cookieDomain = value("WORKOS_COOKIE_DOMAIN")
        if let sameSite = value("WORKOS_COOKIE_SAMESITE") {
            collect { () throws(ConfigError) in
                guard let parsed = CookieSameSite(rawValue: sameSite.lowercasedASCII()) else {
                    throw ConfigError(variable: "WORKOS_COOKIE_SAMESITE", problem: "must be lax, strict or none",
                                      fix: "set it to lax (the default), strict or none")
                }
                config.cookieSameSite = parsed
            }
        }
        if let host = value("WORKOS_API_HOSTNAME") { config.apiHostname = host }
        if let https = value("WORKOS_API_HTTPS") {
            // authkit-nextjs: `WORKOS_API_HTTPS === 'true'`, so anything but true/false is refused
            // here rather than read differently.
            collect { () throws(ConfigError) in
                switch https.trimmingWhitespace().lowercasedASCII() {
                case "true": config.apiHTTPS = true
                case "false": config.apiHTTPS = false
                default:
                    throw ConfigError(variable: "WORKOS_API_HTTPS", problem: "must be true or false",
                                      fix: "set it to true (the default) or false (plain HTTP, for a local WorkOS emulator)")
                }
            }
        }
        if value("WORKOS_API_PORT") != nil {
            collect { () throws(ConfigError) in config.apiPort = try integer("WORKOS_API_PORT", default: 443, range: 1...65535, unit: "a TCP port") }
        }
        if value("WORKOS_REFRESH_BUFFER_SECONDS") != nil {
            collect { () throws(ConfigError) in
                config.refreshBufferSeconds = try integer("WORKOS_REFRESH_BUFFER_SECONDS", default: 60, range: 0...86_400, unit: "seconds")
            }
        }
        collect { () throws(ConfigError) in
            config.clockLeewaySeconds = try integer("AUTHKIT_CLOCK_LEEWAY_SECONDS", default: 0, range: 0...300, unit: "seconds")
        }
        let beforeTimeouts = problems.count
        collect { () throws(ConfigError) in
            config.httpConnectTimeoutMillis = try integer("AUTHKIT_HTTP_CONNECT_TIMEOUT_MS", default: 3000, range: 1...60_000, unit: "milliseconds")
        }
        collect { () throws(ConfigError) in
            config.httpTotalTimeoutMillis = try integer("AUTHKIT_HTTP_TIMEOUT_MS", default: 10_000, range: 1...120_000, unit: "milliseconds")
        }
        // Compared only when both were read: a bad one keeps its default, no reason to blame the other.
        if problems.count == beforeTimeouts, config.httpTotalTimeoutMillis < config.httpConnectTimeoutMillis {
            problems.append(ConfigError(variable: "AUTHKIT_HTTP_TIMEOUT_MS", problem: "is shorter than AUTHKIT_HTTP_CONNECT_TIMEOUT_MS",
                                        fix: "make the whole-request timeout at least the connect timeout"))
        }
        collect { () throws(ConfigError) in config.httpRetries = try integer("AUTHKIT_HTTP_RETRIES", default: 2, range: 0...5, unit: "retries") }
        if let base = value("AUTHKIT_BASE_URL") {
            collect { () throws(ConfigError) in
                guard isAbsoluteHTTPURL(base) else {
                    throw ConfigError(variable: "AUTHKIT_BASE_URL", problem: "is not an absolute http(s) URL",
                                      fix: "set it to the site's public origin, e.g. https://example.com")
                }
                config.baseURL = base
            }
        }
        if let prefix = value("AUTHKIT_ENDPOINT_PREFIX") {
            collect { () throws(ConfigError) in
                guard prefix.utf8.first == UInt8(ascii: "/"), !prefix.utf8.contains(UInt8(ascii: "?")), !prefix.utf8.contains(UInt8(ascii: "#")) else {
                    throw ConfigError(variable: "AUTHKIT_ENDPOINT_PREFIX", problem: "must be a path starting with /",
                                      fix: "set it to a path such as /auth/")
                }
                config.endpointPrefix = prefix.utf8.last == UInt8(ascii: "/") ? prefix : prefix + "/"
            }
        }
        collect { () throws(ConfigError) in
            config.unauthenticatedPaths = try patterns("WORKOS_UNAUTHENTICATED_PATHS", value("WORKOS_UNAUTHENTICATED_PATHS"))
        }
        collect { () throws(ConfigError) in config.signUpPaths = try patterns("WORKOS_SIGN_UP_PATHS", value("WORKOS_SIGN_UP_PATHS")) }
        collect { () throws(ConfigError) in config.passAccessToken = try boolean("AUTHKIT_PASS_ACCESS_TOKEN", default: false) }
        collect { () throws(ConfigError) in
            config.sessionCacheSize = try integer("AUTHKIT_SESSION_CACHE_SIZE", default: 10_000, range: 0...10_000_000, unit: "sessions")
        }
        collect { () throws(ConfigError) in
            config.apiKeyCache.positiveMillis = Int64(try integer("AUTHKIT_API_KEY_CACHE_SECONDS", default: 60, range: 0...86_400, unit: "seconds")) * 1000
        }
        collect { () throws(ConfigError) in
            config.apiKeyCache.negativeMillis = Int64(try integer("AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS", default: 10, range: 0...86_400, unit: "seconds")) * 1000
        }
        collect { () throws(ConfigError) in
            config.apiKeyCache.capacity = try integer("AUTHKIT_API_KEY_CACHE_SIZE", default: 10_000, range: 0...10_000_000, unit: "keys")
        }
        if let hosts = value("AUTHKIT_ALLOWED_RETURN_HOSTS") {
            collect { () throws(ConfigError) in
                guard let allowed = AllowedReturnHosts(list: hosts) else {
                    throw ConfigError(variable: "AUTHKIT_ALLOWED_RETURN_HOSTS", problem: "has an entry that is not a host name",
                                      fix: "list host names separated by commas, e.g. docs.example.com,.example.org (a leading dot allows subdomains)")
                }
                config.allowedReturnHosts = allowed
            }
        }
        if let issuers = value("WORKOS_ISSUER") {
            collect { () throws(ConfigError) in
                guard let accepted = AcceptedIssuers.parse(list: issuers) else {
                    throw ConfigError(variable: "WORKOS_ISSUER", problem: "is not a list of http(s) URLs (at most \(AcceptedIssuers.maximumCount), comma-separated)",
                                      fix: "list your WorkOS environment's exact token issuers, e.g. https://api.workos.com/user_management/client_123,https://auth.example.com, or remove it to accept the API host's own")
                }
                config.issuers = accepted.values
            }
        }
        if let list = value(Site.allowlistVariable) {
            collect { () throws(ConfigError) in
                switch AllowedRedirectURIs.parse(list) {
                case .success(let allowed): config.allowedRedirectURIs = allowed
                case .failure(let problems):
                    // Every bad entry in the one line, each with its reason.
                    throw ConfigError(variable: Site.allowlistVariable, problem: "has \(problems.all.count == 1 ? "an entry" : "entries") authkit-fcgi cannot use: "
                                        + problems.all.map(\.description).joined(separator: "; "),
                                      fix: "list redirect URIs separated by commas, each http(s)://host[:port]/path, exact or with * as the whole first host label, e.g. https://app.example.com/auth/callback,https://*.example.com/auth/callback")
                }
            }
        }
        collect { () throws(ConfigError) in config.eagerAuth = try boolean("WORKOS_EAGER_AUTH", default: false) }
        if let hook = value("AUTHKIT_ON_SUCCESS_URL") {
            collect { () throws(ConfigError) in
                guard isAbsoluteHTTPURL(hook) else {
                    throw ConfigError(variable: "AUTHKIT_ON_SUCCESS_URL", problem: "is not an absolute http(s) URL",
                                      fix: "set it to the URL that receives sign-ins, e.g. http://127.0.0.1:3000/hooks/sign-in")
                }
                config.onSuccessURL = hook
            }
            collect { () throws(ConfigError) in
                guard let secret = value("AUTHKIT_ON_SUCCESS_SECRET"), secret.utf8.count >= 16 else {
                    throw ConfigError(variable: "AUTHKIT_ON_SUCCESS_SECRET", problem: "must be set (at least 16 characters) when AUTHKIT_ON_SUCCESS_URL is",
                                      fix: "set it to a random string shared with the receiver, e.g. `openssl rand -hex 32`")
                }
                config.onSuccessSecret = secret
            }
        }
        collect { () throws(ConfigError) in config.onSuccessRequired = try boolean("AUTHKIT_ON_SUCCESS_REQUIRED", default: false) }
        let refreshHooks = [("AUTHKIT_ON_REFRESH_SUCCESS_URL", "refreshes"), ("AUTHKIT_ON_REFRESH_ERROR_URL", "failed refreshes")]
        for (variable, what) in refreshHooks {
            guard let hook = value(variable) else { continue }
            collect { () throws(ConfigError) in
                guard isAbsoluteHTTPURL(hook) else {
                    throw ConfigError(variable: variable, problem: "is not an absolute http(s) URL",
                                      fix: "set it to the URL that receives \(what), e.g. http://127.0.0.1:3000/hooks/refresh")
                }
                if what == "refreshes" { config.onRefreshSuccessURL = hook } else { config.onRefreshErrorURL = hook }
            }
        }
        // One secret for both hooks: named once, after the first hook that needs it.
        if let variable = refreshHooks.map(\.0).first(where: { value($0) != nil }) {
            collect { () throws(ConfigError) in
                guard let secret = value("AUTHKIT_ON_REFRESH_SECRET"), secret.utf8.count >= 16 else {
                    throw ConfigError(variable: "AUTHKIT_ON_REFRESH_SECRET", problem: "must be set (at least 16 characters) when \(variable) is",
                                      fix: "set it to a random string shared with the receiver, e.g. `openssl rand -hex 32`")
                }
                config.onRefreshSecret = secret
            }
        }
        config.errorPagePath = value("AUTHKIT_ERROR_PAGE")
        collect { () throws(ConfigError) in
            config.cacheDirectory = try absolutePath("AUTHKIT_CACHE_DIR", value("AUTHKIT_CACHE_DIR"), example: "/var/cache/authkit-fcgi")
        }
        if let redis = value("AUTHKIT_REDIS_URL") {
            collect { () throws(ConfigError) in
                guard redis.hasBytePrefix("redis://") else {
                    throw ConfigError(variable: "AUTHKIT_REDIS_URL", problem: "is not a redis:// URL",
                                      fix: "set it to redis://[:password@]host[:port][/db], e.g. redis://127.0.0.1:6379/0")
                }
                config.redisURL = redis
            }
        }
        if let format = value("AUTHKIT_LOG_FORMAT") {
            collect { () throws(ConfigError) in
                guard let parsed = AuthKitConfig.LogFormat(rawValue: format.lowercasedASCII()) else {
                    throw ConfigError(variable: "AUTHKIT_LOG_FORMAT", problem: "must be logfmt or json", fix: "set it to logfmt (the default) or json")
                }
                config.logFormat = parsed
            }
        }
        collect { () throws(ConfigError) in config.debug = try boolean("WORKOS_DEBUG", default: false) }
        if let access = value("AUTHKIT_METRICS") {
            collect { () throws(ConfigError) in
                guard let parsed = AuthKitConfig.MetricsAccess(rawValue: access.lowercasedASCII()) else {
                    throw ConfigError(variable: "AUTHKIT_METRICS", problem: "must be loopback, on or off",
                                      fix: "set it to loopback (the default: only 127.0.0.1 and ::1), on (restrict it in nginx/Apache) or off")
                }
                config.metricsAccess = parsed
            }
        }
        // The identity assertion (`AUTHKIT_ASSERTION_*`).
        if let text = value("AUTHKIT_ASSERTION_ALG"), text.lowercasedASCII() != "off" {
            collect { () throws(ConfigError) in
                guard let algorithm = AssertionAlgorithm(rawValue: text.lowercasedASCII()) else {
                    throw ConfigError(variable: "AUTHKIT_ASSERTION_ALG", problem: "must be off, es256 or rs256",
                                      fix: "set it to es256 (ECDSA P-256, the usual choice), rs256, or off (the default)")
                }
                config.assertionAlgorithm = algorithm
            }
        }
        collect { () throws(ConfigError) in
            config.assertionLifetimeSeconds = try integer("AUTHKIT_ASSERTION_TTL_SECONDS", default: 60, range: 10...600, unit: "seconds")
        }
        collect { () throws(ConfigError) in config.assertionRotateDays = try integer("AUTHKIT_ASSERTION_ROTATE_DAYS", default: 30, range: 1...365, unit: "days") }
        config.assertionKeyFile = value("AUTHKIT_ASSERTION_KEY_FILE")
        collect { () throws(ConfigError) in
            config.assertionKeyDirectory = try absolutePath("AUTHKIT_ASSERTION_KEY_DIR", value("AUTHKIT_ASSERTION_KEY_DIR"),
                                                            example: "/var/lib/authkit-fcgi/assertion-keys")
        }
        // The variables, not the config: a directory refused above is a problem already, not a
        // second one ("nowhere to keep the key").
        if config.assertionAlgorithm != nil, value("AUTHKIT_ASSERTION_KEY_FILE") == nil, value("AUTHKIT_ASSERTION_KEY_DIR") == nil,
           value("AUTHKIT_CACHE_DIR") == nil {
            problems.append(ConfigError(variable: "AUTHKIT_ASSERTION_ALG", problem: "is on, but there is nowhere to keep the signing key",
                                        fix: "set AUTHKIT_ASSERTION_KEY_DIR (or AUTHKIT_CACHE_DIR) to a private directory, or AUTHKIT_ASSERTION_KEY_FILE to a PEM key"))
        }
        guard problems.isEmpty else { throw ConfigErrors(problems) }
        return config
    }

    /// The effective settings for `check-config`, secrets masked.
    public static func describe(_ config: AuthKitConfig) -> [(name: String, value: String)] {
        [
            ("WORKOS_CLIENT_ID", config.clientId),
            ("WORKOS_API_KEY", maskKey(config.apiKey)),
            ("WORKOS_COOKIE_PASSWORD", "(\(config.cookiePassword.utf16.count) characters)"),
            ("WORKOS_COOKIE_PASSWORD_PREVIOUS", config.previousCookiePasswords.isEmpty ? "(none)"
                : config.previousCookiePasswords.map { "(\($0.utf16.count) characters)" }.joined(separator: ", ")),
            ("WORKOS_REDIRECT_URI", config.redirectURI),
            ("WORKOS_COOKIE_NAME", config.cookieName),
            ("WORKOS_COOKIE_MAX_AGE", String(config.cookieMaxAge)),
            ("WORKOS_COOKIE_DOMAIN", config.cookieDomain ?? "(none)"),
            ("WORKOS_COOKIE_SAMESITE", config.cookieSameSite.rawValue),
            ("WORKOS_API_HOSTNAME", config.apiHostname),
            ("WORKOS_API_HTTPS", String(config.apiHTTPS)),
            ("WORKOS_API_PORT", config.apiPort.map(String.init) ?? (config.apiHTTPS ? "(none: 443, the https default)" : "(none: 80, the http default)")),
            ("WORKOS_REFRESH_BUFFER_SECONDS", config.refreshBufferSeconds.map(String.init) ?? "(authkit default: 30 or 60)"),
            ("AUTHKIT_CLOCK_LEEWAY_SECONDS", String(config.clockLeewaySeconds)),
            ("AUTHKIT_HTTP_CONNECT_TIMEOUT_MS", String(config.httpConnectTimeoutMillis)),
            ("AUTHKIT_HTTP_TIMEOUT_MS", String(config.httpTotalTimeoutMillis)),
            ("AUTHKIT_HTTP_RETRIES", String(config.httpRetries)),
            ("AUTHKIT_BASE_URL", config.baseURL ?? "(origin of the redirect URI)"),
            ("AUTHKIT_ENDPOINT_PREFIX", config.endpointPrefix),
            ("WORKOS_UNAUTHENTICATED_PATHS", list(config.unauthenticatedPaths)),
            ("WORKOS_SIGN_UP_PATHS", list(config.signUpPaths)),
            ("AUTHKIT_PASS_ACCESS_TOKEN", String(config.passAccessToken)),
            ("AUTHKIT_SESSION_CACHE_SIZE", String(config.sessionCacheSize)),
            ("AUTHKIT_API_KEY_CACHE_SECONDS", String(config.apiKeyCache.positiveMillis / 1000)),
            ("AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS", String(config.apiKeyCache.negativeMillis / 1000)),
            ("AUTHKIT_API_KEY_CACHE_SIZE", String(config.apiKeyCache.capacity)),
            ("AUTHKIT_ALLOWED_RETURN_HOSTS", list(config.allowedReturnHosts.exact.sorted() + config.allowedReturnHosts.suffixes)),
            // Derived: the origin and <origin>/user_management/<client id> (AcceptedIssuers).
            ("WORKOS_ISSUER", config.issuers?.joined(separator: ",") ?? "(derived from the API host)"),
            (Site.allowlistVariable, list(config.allowedRedirectURIs.patterns.map { $0.description })),
            ("WORKOS_EAGER_AUTH", String(config.eagerAuth)),
            ("AUTHKIT_ON_SUCCESS_URL", config.onSuccessURL ?? "(none)"),
            ("AUTHKIT_ON_SUCCESS_SECRET", config.onSuccessSecret.map { "(\($0.count) characters)" } ?? "(none)"),
            ("AUTHKIT_ON_SUCCESS_REQUIRED", String(config.onSuccessRequired)),
            ("AUTHKIT_ON_REFRESH_SUCCESS_URL", config.onRefreshSuccessURL ?? "(none)"),
            ("AUTHKIT_ON_REFRESH_ERROR_URL", config.onRefreshErrorURL ?? "(none)"),
            ("AUTHKIT_ON_REFRESH_SECRET", config.onRefreshSecret.map { "(\($0.count) characters)" } ?? "(none)"),
            ("AUTHKIT_ERROR_PAGE", config.errorPagePath ?? "(built-in)"),
            ("AUTHKIT_CACHE_DIR", config.cacheDirectory ?? "(none)"),
            ("AUTHKIT_REDIS_URL", config.redisURL.map(maskRedisURL) ?? "(none)"),
            ("AUTHKIT_LOG_FORMAT", config.logFormat.rawValue),
            ("WORKOS_DEBUG", String(config.debug)),
            ("AUTHKIT_METRICS", config.metricsAccess.rawValue),
            ("AUTHKIT_ASSERTION_ALG", config.assertionAlgorithm?.rawValue ?? "off"),
            ("AUTHKIT_ASSERTION_TTL_SECONDS", String(config.assertionLifetimeSeconds)),
            ("AUTHKIT_ASSERTION_KEY_FILE", config.assertionKeyFile ?? "(none)"),
            ("AUTHKIT_ASSERTION_KEY_DIR", config.assertionKeyDirectory ?? (config.cacheDirectory.map { "(AUTHKIT_CACHE_DIR: \($0))" } ?? "(none)")),
            ("AUTHKIT_ASSERTION_ROTATE_DAYS", String(config.assertionRotateDays)),
        ]
    }

    /// A directory setting, which must be absolute (a relative one would depend on where the
    /// server started the process).
    private static func absolutePath(_ variable: String, _ text: String?, example: String) throws(ConfigError) -> String? {
        guard let text else { return nil }
        guard text.utf8.first == UInt8(ascii: "/") else {
            throw ConfigError(variable: variable, problem: "must be an absolute path", fix: "set it to a directory such as \(example)")
        }
        return text
    }

    /// A comma-separated list for ``describe(_:)``, `(none)` when empty.
    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "(none)" : items.joined(separator: ",")
    }

    /// `sk_test_…(40 chars)`: the key's kind (the public `sk_test_`/`sk_live_` prefix), its
    /// length, never its secret part. Other keys show at most 3 characters, and only when long.
    public static func maskKey(_ key: String) -> String {
        let visible: String
        if key.hasBytePrefix("sk_test_") {
            visible = "sk_test_"
        } else if key.hasBytePrefix("sk_live_") {
            visible = "sk_live_"
        } else {
            visible = key.count >= 24 ? String(key.prefix(3)) : ""
        }
        return "\(visible)…(\(key.count) chars)"
    }

    /// `redis://:…@host:port/db`: the password never shown.
    static func maskRedisURL(_ url: String) -> String {
        guard let at = url.utf8.lastIndex(of: UInt8(ascii: "@")) else { return url }
        return "redis://…@" + url[url.utf8.index(after: at)...]
    }

    private static func checkPassword(_ password: String, variable: String, entry: Int? = nil) throws(ConfigError) {
        // Counted in UTF-16 code units, as JavaScript's `.length` that iron checks.
        let length = password.utf16.count
        guard length >= Iron.minimumPasswordLength else {
            let which = entry.map { " (entry \($0))" } ?? ""
            throw ConfigError(variable: variable, problem: "is too short\(which) (\(length) characters; at least 32 are required)",
                              fix: "set it to a random string, e.g. the output of `openssl rand -base64 24`")
        }
    }

    private static func patterns(_ variable: String, _ text: String?) throws(ConfigError) -> [String] {
        let globs = (text ?? "").splitOnByte(UInt8(ascii: ",")).map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        for glob in globs {
            do {
                _ = try PathPattern(glob)
            } catch {
                throw ConfigError(variable: variable, problem: "has a pattern authkit cannot use (\(glob): \(error.reason))",
                                  fix: "use path-to-regexp 6 patterns such as /public/:path* or /api/(.*)")
            }
        }
        return globs
    }

    /// An absolute `http:` or `https:` URL with a host (and, if given, a numeric port 1–65535).
    /// Read on the bytes (``EndpointSettings/origin(of:)`` is); whitespace is refused by scalar.
    static func isAbsoluteHTTPURL(_ text: String) -> Bool {
        guard let origin = EndpointSettings.origin(of: text), !text.unicodeScalars.contains(where: \.properties.isWhitespace) else { return false }
        var authority = origin.utf8[...]
        if origin.hasBytePrefix("http://") {
            authority = authority.dropFirst("http://".utf8.count)
        } else if origin.hasBytePrefix("https://") {
            authority = authority.dropFirst("https://".utf8.count)
        } else {
            return false
        }
        let hostAndPort = authority.lastIndex(of: UInt8(ascii: "@")).map { authority[authority.index(after: $0)...] } ?? authority
        let host: Substring.UTF8View
        let port: Substring.UTF8View?
        if hostAndPort.first == UInt8(ascii: "[") {
            guard let close = hostAndPort.firstIndex(of: UInt8(ascii: "]")) else { return false }
            host = hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close]
            let rest = hostAndPort[hostAndPort.index(after: close)...]
            guard rest.isEmpty || rest.first == UInt8(ascii: ":") else { return false }
            port = rest.isEmpty ? nil : rest.dropFirst()
        } else if let colon = hostAndPort.lastIndex(of: UInt8(ascii: ":")) {
            host = hostAndPort[..<colon]
            port = hostAndPort[hostAndPort.index(after: colon)...]
        } else {
            host = hostAndPort
            port = nil
        }
        guard !host.isEmpty else { return false }
        if let port {
            guard port.count <= 5, port.allSatisfy(ASCIIBytes.isDigit), let number = Int(Substring(port)), (1...65535).contains(number) else { return false }
        }
        return true
    }

    private static func isCookieNameByte(_ byte: UInt8) -> Bool {
        // RFC 6265 token: visible ASCII except separators.
        guard byte > 0x20, byte < 0x7F else { return false }
        return !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
    }
}
