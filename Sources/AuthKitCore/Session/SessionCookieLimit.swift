import Synchronization

/// Browsers keep a cookie only when its name and value together fit in 4,096 bytes; a larger
/// one is dropped without a word, and the user is mysteriously signed out (or loops). Before
/// setting the session cookie we check: too large → the user's optional profile fields are
/// dropped (``SessionUser/slimmed()``); still too large → no cookie, an error in the log and
/// a count in ``SessionCookieLimit/refused``. One cookie, never chunked.
public enum SessionCookieLimit {
    public static let maxNameAndValueBytes = 4096

    /// Sessions slimmed to fit, since start.
    public static let slimmed = Atomic<Int>(0)
    /// Sessions that did not fit even slimmed, since start.
    public static let refused = Atomic<Int>(0)

    /// The outcome of fitting a session into one cookie.
    public enum Fit: Sendable, Equatable {
        /// `Set-Cookie` value; `slimmed` when profile fields were dropped to fit.
        case fits(setCookie: String, slimmed: Bool)
        case tooLarge(bytes: Int)
    }

    public static func fit(_ payload: SessionPayload, sealer: SessionSealer, options: CookieOptions) -> Fit {
        let sealed = sealer.sealSession(payload)
        if options.name.utf8.count + 1 + sealed.utf8.count <= maxNameAndValueBytes {
            return .fits(setCookie: SetCookie.set(sealed, options: options), slimmed: false)
        }
        var slim = payload
        slim.user = payload.user.slimmed()
        let slimSealed = sealer.sealSession(slim)
        let bytes = options.name.utf8.count + 1 + slimSealed.utf8.count
        if bytes <= maxNameAndValueBytes {
            slimmed.add(1, ordering: .relaxed)
            return .fits(setCookie: SetCookie.set(slimSealed, options: options), slimmed: true)
        }
        refused.add(1, ordering: .relaxed)
        return .tooLarge(bytes: bytes)
    }
}
