/// authkit-nextjs's `checkRecentAuth({maxAge})` (spec §6) as a per-location rule
/// (`AUTHKIT_MAX_AUTH_AGE`): a session whose sign-in (`auth_time`, which WorkOS keeps across
/// refreshes) is older than the maximum age must sign in again.
public enum RecentAuthentication {
    /// `AUTHKIT_MAX_AUTH_AGE`'s bounds in seconds: below a minute a user could hardly finish
    /// signing in before having to again; above ten years is a typo.
    public static let allowedMaxAge: ClosedRange<Int64> = 60...315_360_000

    /// The bounds of a `max_age` the sign-in endpoint passes on to WorkOS (OIDC allows 0:
    /// "always sign in again"). Nine digits at most.
    public static let allowedRequestMaxAge: ClosedRange<Int64> = 0...315_360_000

    /// `now - auth_time > maxAge` (authkit's `isStale`), with the clock leeway added to the
    /// maximum age as it is to `exp`. Fails closed: no `auth_time` is stale. Clamped, so no
    /// claim value can overflow.
    public static func isStale(authTime: Int64?, maxAge: Int64, nowSeconds: Int64, leewaySeconds: Int64 = 0) -> Bool {
        guard let authTime else { return true }
        return nowSeconds.subtractingClamped(authTime) > maxAge.addingClamped(max(0, leewaySeconds))
    }

    /// A `max_age` read from text on the bytes: 1 to 9 ASCII digits within `range`; nil for
    /// anything else (a sign, spaces, `١`, an exponent, too many digits).
    public static func maxAge(_ text: String, range: ClosedRange<Int64>) -> Int64? {
        guard let value = DecimalText.int64(text.utf8, maxDigits: 9), range.contains(value) else { return nil }
        return value
    }

    /// The `WWW-Authenticate` challenge of a 401 for a sign-in too old for the location (RFC
    /// 9470 §3): a script or API client learns it must send the user through sign-in again,
    /// not merely that nobody is signed in.
    public static func challenge(maxAge: Int64) -> String {
        #"Bearer error="insufficient_user_authentication", error_description="A more recent sign-in is required", max_age=\#(maxAge)"#
    }
}
