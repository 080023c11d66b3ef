/// Stops sign-in redirect loops: when a browser starts more than `limit` sign-ins within
/// `windowSeconds`, the next one gets an error page instead of another trip to WorkOS.
///
/// The classic loop is a session cookie the browser silently refuses (a `Secure` cookie on
/// http, one over 4 KB, cookies blocked): every sign-in "succeeds", the next page is still
/// signed out, and the browser bounces between the site and WorkOS forever. The count lives in
/// a small cookie of its own — deliberately without `Secure`, so it survives the cases that
/// lose the session cookie — keyed to nothing but the browser that carries it (no fingerprinting).
public struct SignInLoopGuard: Sendable, Equatable {
    public static let cookieName = "wos-auth-attempts"
    public var limit = 10
    public var windowSeconds: Int64 = 60

    public init() {}

    /// The count after this attempt and the `Set-Cookie` recording it.
    public func record(cookie: String?, nowSeconds: Int64) -> (attempts: Int, setCookie: String) {
        var count = 0
        var start = nowSeconds
        if let cookie, let dot = cookie.firstIndex(of: "."),
           let previous = Int(cookie[..<dot]), let started = Int64(cookie[cookie.index(after: dot)...]),
           previous >= 0, started <= nowSeconds, nowSeconds - started < windowSeconds {
            count = previous
            start = started
        }
        count += 1
        let remaining = max(1, windowSeconds - (nowSeconds - start))
        return (count, "\(Self.cookieName)=\(count).\(start); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(remaining)")
    }

    public func isLooping(attempts: Int) -> Bool { attempts > limit }
}
