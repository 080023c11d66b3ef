/// Stops sign-in redirect loops: when a browser starts more than `limit` sign-ins within
/// `windowSeconds`, the next one gets an error page instead of another trip to WorkOS.
///
/// The classic loop is a session cookie the browser silently refuses (a `Secure` cookie on
/// http, one over 4 KB, cookies blocked): every sign-in "succeeds", the next page is still
/// signed out, and the browser bounces between the site and WorkOS forever. The count lives in
/// a small cookie of its own — deliberately without `Secure`, so it survives the cases that
/// lose the session cookie — keyed to nothing but the browser that carries it (no fingerprinting).
///
/// The cookie is outside input (anyone can send one, a sibling subdomain can plant one), so it
/// is read on its bytes with bounded digits and no arithmetic on it can overflow: a malformed
/// cookie counts as a fresh start, and a count past the limit stays at `limit + 1`.
public struct SignInLoopGuard: Sendable, Equatable {
    public static let cookieName = "wos-auth-attempts"
    public var limit = 10
    public var windowSeconds: Int64 = 60

    public init() {}

    /// The count after this attempt (1 to `limit + 1`) and the `Set-Cookie` recording it.
    public func record(cookie: String?, nowSeconds: Int64) -> (attempts: Int, setCookie: String) {
        let cap = max(limit, 0)
        let window = max(windowSeconds, 1)
        var count = 0
        var start = nowSeconds
        if let cookie, let previous = Self.parse(cookie) {
            let (elapsed, overflowed) = nowSeconds.subtractingReportingOverflow(previous.started)
            // A start in the future, or one the window has passed, is a fresh start.
            if !overflowed, elapsed >= 0, elapsed < window {
                count = min(previous.count, cap)
                start = previous.started
            }
        }
        let attempts = count == .max ? count : count + 1
        // 0 ≤ now − start < window, so this is 1…window.
        let remaining = window - (nowSeconds - start)
        return (attempts, "\(Self.cookieName)=\(attempts).\(start); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(remaining)")
    }

    public func isLooping(attempts: Int) -> Bool { attempts > limit }

    /// `<count>.<started>`, each 1 to 19 ASCII digits within Int64, split at the first `.` of
    /// the UTF-8 bytes; nil for anything else (a sign, spaces, `١`, a combining mark, overflow).
    static func parse(_ cookie: String) -> (count: Int, started: Int64)? {
        let bytes = cookie.utf8
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
              let count = DecimalText.int64(bytes[..<dot]).flatMap({ Int(exactly: $0) }),
              let started = DecimalText.int64(bytes[bytes.index(after: dot)...]) else { return nil }
        return (count, started)
    }
}
