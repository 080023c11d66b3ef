import Logging

/// A signed-in session, ready to be turned into identity headers.
public struct AuthenticatedSession: Sendable, Equatable {
    public var payload: SessionPayload
    public var claims: AccessTokenClaims
    /// True when this request refreshed the tokens.
    public var refreshed: Bool
}

/// The outcome of reading a request's session cookie.
public enum SessionOutcome: Sendable, Equatable {
    /// Signed in. `setCookie` carries the new session after a refresh or a password rotation
    /// re-seal; it must reach the browser.
    case signedIn(AuthenticatedSession, setCookie: String?)
    /// Not signed in. `setCookie` deletes a cookie that can never work again (unreadable, or a
    /// terminal refresh failure); nil when there was no cookie.
    case signedOut(reason: String, setCookie: String?)
    /// The session may still be good but WorkOS could not refresh it now (transient error):
    /// the cookie is kept and the request should get 503.
    case unavailable(reason: String)
}

/// The outcome of an organization switch (`/auth/refresh` with `organization_id`).
public enum OrganizationSwitchOutcome: Sendable, Equatable {
    /// The session is now in that organization; `setCookie` carries it.
    case switched(AuthenticatedSession, setCookie: String?)
    /// WorkOS refused the switch (not a member, SSO or MFA required, …): the session stays as
    /// it was, cookie untouched, like authkit-nextjs's `switchToOrganization`.
    case refused(WorkOSError)
    /// The session cannot be used any more (`invalid_grant`: token spent, session ended) or
    /// WorkOS could not be reached: as for any refresh.
    case ended(SessionOutcome)
}

/// The whole "cookie in → verified session out" path, following authkit-nextjs's
/// `updateSession` (spec §2.1): unseal, verify the access token, refresh when invalid or about
/// to expire, serve the still-valid token when a proactive refresh fails, delete the cookie
/// only on terminal errors.
///
/// One deviation, with a ``BackgroundRefreshPool`` (`serve`): a token about to expire but still
/// valid is served at once and refreshed on the pool; the old cookie's next request gets the
/// new session (``RefreshCoordinator`` keeps it until the old token expires). authkit-nextjs
/// refreshes it in the request, which here would make every check wait on a slow WorkOS.
public struct SessionAuthenticator: Sendable {
    public let sealer: SessionSealer
    public let verifier: AccessTokenVerifier
    public let workos: WorkOSClient
    public let policy: RefreshPolicy
    /// The session cookie's attributes (a site's, for a request of a site: ``with(cookieOptions:)``).
    public private(set) var cookieOptions: CookieOptions
    public let coordinator: RefreshCoordinator
    /// Verified sessions by cookie, for the check (`AUTHKIT_SESSION_CACHE_SIZE`).
    public let cache: VerifiedSessionCache?
    /// Refreshes by outcome, coalesced refreshes, slimmed and refused cookies.
    public let metrics: AuthKitMetrics
    /// `AUTHKIT_ON_REFRESH_SUCCESS_URL` / `_ERROR_URL`: told of each refresh this process makes.
    public let refreshHook: RefreshHook?
    /// Where refreshes of still-valid tokens run without a request waiting (`serve`); nil (CGI
    /// mode, whose process ends with the request): they run in the request, as authkit-nextjs's.
    public let backgroundRefresh: BackgroundRefreshPool?
    private let clock: any WallClock
    private let logger: Logger

    public init(
        sealer: SessionSealer, verifier: AccessTokenVerifier, workos: WorkOSClient, policy: RefreshPolicy,
        cookieOptions: CookieOptions, clock: any WallClock, logger: Logger, coordinator: RefreshCoordinator? = nil,
        sharedStore: (any SharedRefreshStore)? = nil, admission: (any BlockingAdmission)? = nil,
        cache: VerifiedSessionCache? = nil, metrics: AuthKitMetrics = .disabled, refreshHook: RefreshHook? = nil,
        backgroundRefresh: BackgroundRefreshPool? = nil
    ) {
        self.refreshHook = refreshHook
        self.backgroundRefresh = backgroundRefresh
        self.cache = cache
        self.metrics = metrics
        self.sealer = sealer
        self.verifier = verifier
        self.workos = workos
        self.policy = policy
        self.cookieOptions = cookieOptions
        self.clock = clock
        self.logger = logger
        self.coordinator = coordinator ?? RefreshCoordinator(clock: clock, shared: sharedStore.map {
            Self.sharedRefresh(store: $0, sealer: sealer, cookieOptions: cookieOptions)
        }, admission: admission)
    }

    /// This authenticator setting cookies with other attributes (a site's), sharing everything
    /// else: the cache, the refresh coordinator, the clients.
    public func with(cookieOptions options: CookieOptions) -> SessionAuthenticator {
        var copy = self
        copy.cookieOptions = options
        return copy
    }

    /// Stored sessions are the sealed cookie value: encrypted with the cookie password.
    static func sharedRefresh(store: any SharedRefreshStore, sealer: SessionSealer, cookieOptions: CookieOptions) -> SharedRefresh {
        SharedRefresh(
            store: store,
            encode: { session in
                SetCookie.value(of: session.setCookie, name: cookieOptions.name)
            },
            decode: { sealed in
                guard case .success(let opened) = sealer.openSession(sealed),
                      let claims = AccessTokenVerifier.decodeUnverified(opened.payload.accessToken) else { return nil }
                return RefreshedSession(payload: opened.payload, claims: claims, setCookie: SetCookie.set(sealed, options: cookieOptions))
            })
    }

    /// A whole check answer remembered for this cookie in `context`, while its verified session
    /// is still before its refresh deadline (``VerifiedSessionCache/answer(_:context:nowMillis:)``).
    public func rememberedCheckAnswer(_ key: VerifiedSessionCache.Key, context: [UInt8]) -> [UInt8]? {
        cache?.answer(key, context: context, nowMillis: clock.nowMillis())
    }

    /// Remembers a check answer beside the verified session of this cookie, if one is cached.
    public func rememberCheckAnswer(_ key: VerifiedSessionCache.Key, context: [UInt8], bytes: [UInt8]) {
        cache?.rememberAnswer(key, context: context, bytes: bytes)
    }

    /// Reads the session from the cookie value (nil when the request has no session cookie).
    /// `useCache` (the check): a session verified before for this exact cookie is answered from
    /// ``VerifiedSessionCache`` until its refresh deadline; such an answer carries no refresh token.
    /// `knownKey`: the cache key of `cookieValue`, when the caller hashed it already.
    public func authenticate(cookieValue: String?, useCache: Bool, knownKey: VerifiedSessionCache.Key? = nil) -> SessionOutcome {
        guard useCache, let cache, let cookieValue, !cookieValue.isEmpty else { return authenticate(cookieValue: cookieValue) }
        let now = clock.nowMillis()
        // Hashed once per request: the memo's key when it is this cookie's, else here.
        let key = knownKey ?? VerifiedSessionCache.key(cookieValue: cookieValue)
        if let session = cache.lookup(key, nowMillis: now) { return .signedIn(session, setCookie: nil) }
        let outcome = authenticate(cookieValue: cookieValue)
        if case .signedIn(let session, let setCookie) = outcome {
            // Until the point where the full path would start refreshing.
            // Clamped: `exp` is the token's number; a far-future one must not overflow into a trap.
            let deadline = session.claims.expiresAt.subtractingClamped(policy.buffer(for: session.claims)).multipliedClamped(by: 1000)
            if deadline > now {
                // After a refresh or re-seal the browser comes back with the new cookie: key that.
                let stored = setCookie.map { VerifiedSessionCache.key(cookieValue: SetCookie.value(of: $0, name: cookieOptions.name)) } ?? key
                cache.store(stored, session: session, validUntilMillis: deadline)
            }
        }
        return outcome
    }

    /// Reads the session from the cookie value (nil when the request has no session cookie).
    public func authenticate(cookieValue: String?) -> SessionOutcome {
        guard let cookieValue, !cookieValue.isEmpty else { return .signedOut(reason: "no session cookie", setCookie: nil) }
        let opened: OpenedSession
        switch sealer.openSession(cookieValue) {
        case .success(let value): opened = value
        case .failure(let error):
            logger.info("session cookie unusable, deleting it", metadata: ["reason": "\(error)"])
            return .signedOut(reason: "unreadable session cookie (\(error))", setCookie: SetCookie.delete(options: cookieOptions))
        }
        let payload = opened.payload
        let verification = verifier.verify(payload.accessToken)
        switch policy.state(of: verification, nowSeconds: clock.nowSeconds()) {
        case .valid(let claims):
            guard claims.subject == payload.user.id else { return userMismatch() }
            let setCookie = opened.needsReseal ? sessionSetCookie(payload) : nil
            return .signedIn(AuthenticatedSession(payload: payload, claims: claims, refreshed: false), setCookie: setCookie)
        case .expiringSoon(let claims):
            guard claims.subject == payload.user.id else { return userMismatch() }
            if let backgroundRefresh {
                let setCookie = opened.needsReseal ? sessionSetCookie(payload) : nil
                return refreshInBackground(payload, stillValid: claims, setCookie: setCookie, pool: backgroundRefresh)
            }
            return refresh(payload, organizationId: claims.organizationId, stillValid: claims)
        case .invalid(let error):
            logger.debug("access token not valid, refreshing", metadata: ["reason": "\(error)"])
            // authkit reads org_id with an unverified decode; a token that does not decode is a
            // terminal error there too.
            guard let unverified = AccessTokenVerifier.decodeUnverified(payload.accessToken) else {
                return .signedOut(reason: "access token unreadable", setCookie: SetCookie.delete(options: cookieOptions))
            }
            return refresh(payload, organizationId: unverified.organizationId, stillValid: nil, oldTokenExpiresAt: unverified.expiresAt)
        }
    }

    /// A still-valid token due for a refresh: served now (`setCookie`: a re-seal, or nil); one
    /// refresh of it starts on `pool` unless one is running. A refresh that already ended
    /// answers as in the request: its new session (Set-Cookie), or, failed, the still-valid token.
    private func refreshInBackground(
        _ payload: SessionPayload, stillValid claims: AccessTokenClaims, setCookie: String?, pool: BackgroundRefreshPool
    ) -> SessionOutcome {
        let organizationId = claims.organizationId
        let start = coordinator.refreshInBackground(
            refreshToken: Self.coalescingKey(payload, organizationId: organizationId), oldTokenExpiresAt: claims.expiresAt, pool: pool
        ) { [self] in
            let result = callWorkOS(payload, organizationId: organizationId)
            switch result {
            case .success: metrics.countRefresh(.success)
            case .failure(let error):
                // As a failed proactive refresh in the request: the still-valid token was served.
                metrics.countRefresh(.proactiveFailure)
                logger.info("background refresh failed; the still-valid token is served meanwhile", metadata: [
                    "event": "refresh", "outcome": "proactive_failure", "user": "\(payload.user.id)", "error": "\(error)",
                ])
            }
            return result
        }
        switch start {
        case .answered(let result):
            // Another refresh's result, this request's own only in that it asked for it.
            metrics.coalescedRefreshes.increment()
            return answer(result, payload, stillValid: claims)
        case .started:
            metrics.countBackgroundRefresh(.started)
        case .poolFull:
            metrics.countBackgroundRefresh(.skipped)
        case .running:
            break
        }
        return .signedIn(AuthenticatedSession(payload: payload, claims: claims, refreshed: false), setCookie: setCookie)
    }

    /// The `Set-Cookie` carrying `payload`, slimmed to fit the browser's 4 KB when it must; nil
    /// (and an error logged) when even the slim session does not fit.
    public func sessionSetCookie(_ payload: SessionPayload) -> String? {
        switch SessionCookieLimit.fit(payload, sealer: sealer, options: cookieOptions) {
        case .fits(let setCookie, let slimmed):
            if slimmed {
                metrics.cookiesSlimmed.increment()
                logger.notice("session cookie slimmed to fit 4 KB", metadata: ["user": "\(payload.user.id)"])
            }
            return setCookie
        case .tooLarge(let bytes):
            metrics.cookiesRefused.increment()
            logger.error("session cookie too large for a browser, not set", metadata: [
                "user": "\(payload.user.id)", "bytes": "\(bytes)", "limit": "\(SessionCookieLimit.maxNameAndValueBytes)",
                "fix": "fewer roles/permissions/entitlements/feature flags in the access token, or a shorter WORKOS_COOKIE_NAME",
            ])
            return nil
        }
    }

    /// Refreshes explicitly (`/auth/refresh`); the current token's validity does not matter.
    /// Concurrent refreshes of one token share one call to WorkOS.
    /// - Parameter oldTokenExpiresAt: the current access token's expiry (default: `stillValid`'s):
    ///   the new session answers for the old cookie until then plus the grace window.
    public func refresh(
        _ payload: SessionPayload, organizationId: String?, stillValid: AccessTokenClaims?, oldTokenExpiresAt: Int64? = nil
    ) -> SessionOutcome {
        answer(coalescedRefresh(payload, organizationId: organizationId, oldTokenExpiresAt: oldTokenExpiresAt ?? stillValid?.expiresAt),
               payload, stillValid: stillValid)
    }

    /// A refresh's result as the request's outcome.
    private func answer(_ result: Result<RefreshedSession, WorkOSError>, _ payload: SessionPayload, stillValid: AccessTokenClaims?) -> SessionOutcome {
        switch result {
        case .success(let refreshed):
            metrics.countRefresh(.success)
            let (session, setCookie) = signedIn(refreshed)
            return .signedIn(session, setCookie: setCookie)
        case .failure(let error):
            return failed(error, payload, stillValid: stillValid)
        }
    }

    /// Moves the session into `organizationId` (authkit's `switchToOrganization`). Unlike a
    /// refresh, a refusal keeps the session: a typo in an organization ID must not sign the
    /// user out. Only `invalid_grant` (the session is over anyway) and transient failures are
    /// answered as for a refresh.
    public func switchOrganization(_ payload: SessionPayload, organizationId: String) -> OrganizationSwitchOutcome {
        switch coalescedRefresh(payload, organizationId: organizationId, rememberRefusal: false) {
        case .success(let refreshed):
            metrics.countRefresh(.success)
            let (session, setCookie) = signedIn(refreshed)
            return .switched(session, setCookie: setCookie)
        case .failure(let error) where error.isTransient || error.code == "invalid_grant":
            return .ended(failed(error, payload, stillValid: nil))
        case .failure(let error):
            metrics.countRefresh(.switchRefused)
            logger.info("organization switch refused; keeping the session", metadata: [
                "event": "refresh", "outcome": "switch_refused", "user": "\(payload.user.id)",
                "organization": "\(organizationId)", "error": "\(error)",
            ])
            return .refused(error)
        }
    }

    /// The session a refresh produced and the `Set-Cookie` that carries it (both refresh and
    /// switch answer through here).
    private func signedIn(_ refreshed: RefreshedSession) -> (AuthenticatedSession, setCookie: String?) {
        // With this request's attributes: a coalesced or shared refresh may have been another
        // site's, or written with the process's.
        let setCookie = refreshed.setCookie.isEmpty ? nil
            : SetCookie.set(SetCookie.value(of: refreshed.setCookie, name: cookieOptions.name), options: cookieOptions)
        return (AuthenticatedSession(payload: refreshed.payload, claims: refreshed.claims, refreshed: true), setCookie)
    }

    /// One WorkOS refresh per token (and organization) at a time, shared with concurrent requests.
    /// - Parameter rememberRefusal: false for an organization switch, whose refusal (not a
    ///   member, SSO required) keeps the session and may be gone a moment later.
    private func coalescedRefresh(
        _ payload: SessionPayload, organizationId: String?, rememberRefusal: Bool = true, oldTokenExpiresAt: Int64? = nil
    ) -> Result<RefreshedSession, WorkOSError> {
        var calledWorkOS = false
        let result = coordinator.coalesce(
            refreshToken: Self.coalescingKey(payload, organizationId: organizationId), rememberRefusal: rememberRefusal,
            oldTokenExpiresAt: oldTokenExpiresAt
        ) {
            calledWorkOS = true
            return callWorkOS(payload, organizationId: organizationId)
        }
        // Answered by another request's refresh of the same token: no call of our own. (Each
        // request's refresh counts once in authkit_refreshes_total, coalesced or not.)
        if !calledWorkOS { metrics.coalescedRefreshes.increment() }
        return result
    }

    /// What refreshes of one session share. The organization is part of it: an explicit switch
    /// must not be answered with a concurrent ordinary refresh's result (which keeps the
    /// current organization).
    private static func coalescingKey(_ payload: SessionPayload, organizationId: String?) -> String {
        payload.refreshToken + "\u{0}" + (organizationId ?? "")
    }

    /// The call itself, made only by the request that leads a coalesced refresh: so only the
    /// process (and thread) that actually refreshed tells the refresh hook.
    private func callWorkOS(_ payload: SessionPayload, organizationId: String?) -> Result<RefreshedSession, WorkOSError> {
        let result = refreshAtWorkOS(payload, organizationId: organizationId)
        if let refreshHook {
            switch result {
            case .success(let refreshed):
                refreshHook.enqueue(.refreshed(refreshed.payload, claims: refreshed.claims, time: clock.nowSeconds()))
            case .failure(let error):
                refreshHook.enqueue(.failed(payload, organizationId: organizationId, error: error, time: clock.nowSeconds()))
            }
        }
        return result
    }

    private func refreshAtWorkOS(_ payload: SessionPayload, organizationId: String?) -> Result<RefreshedSession, WorkOSError> {
        do {
            let response = try workos.refresh(refreshToken: payload.refreshToken, organizationId: organizationId)
            let newPayload = response.sessionPayload
            guard let claims = AccessTokenVerifier.decodeUnverified(newPayload.accessToken), claims.subject == newPayload.user.id else {
                return .failure(.invalidResponse("refreshed access token unreadable or for another user"))
            }
            // Straight from WorkOS, so not verified again; but one we would refuse on the next
            // request must not be served now (that would refresh on every request).
            guard verifier.issuers.accepts(claims.issuer) else {
                return .failure(.invalidResponse("refreshed access token's issuer \(claims.issuer.map(LocationSettings.visible) ?? "(none)") is not accepted: set WORKOS_ISSUER"))
            }
            // authkit's onSessionRefreshSuccess.
            logger.info("session refreshed", metadata: [
                "event": "refresh", "outcome": "success", "user": "\(newPayload.user.id)",
                "session": "\(claims.sessionId ?? "-")", "organization": "\(claims.organizationId ?? "-")",
            ])
            // A session too large for a cookie is still served this time; the browser would drop it.
            let cookie = sessionSetCookie(newPayload) ?? ""
            return .success(RefreshedSession(payload: newPayload, claims: claims, setCookie: cookie))
        } catch {
            return .failure(error)
        }
    }

    private func failed(_ error: WorkOSError, _ payload: SessionPayload, stillValid: AccessTokenClaims?) -> SessionOutcome {
        // #453: a proactive refresh that fails serves the token that is still valid. Another
        // request may well have rotated the refresh token already.
        if let stillValid, stillValid.expiresAt > clock.nowSeconds() {
            metrics.countRefresh(.proactiveFailure)
            logger.info("proactive refresh failed; serving the still-valid token", metadata: [
                "event": "refresh", "outcome": "proactive_failure", "user": "\(payload.user.id)", "error": "\(error)",
            ])
            return .signedIn(AuthenticatedSession(payload: payload, claims: stillValid, refreshed: false), setCookie: nil)
        }
        if error.isTransient {
            // authkit's onSessionRefreshError, for a failure that keeps the session.
            metrics.countRefresh(.transientFailure)
            logger.warning("refresh failed (transient), keeping the session cookie", metadata: [
                "event": "refresh", "outcome": "transient_failure", "user": "\(payload.user.id)", "error": "\(error)",
            ])
            return .unavailable(reason: "refresh failed: \(error)")
        }
        metrics.countRefresh(.terminalFailure)
        logger.info("refresh failed (terminal), deleting the session cookie", metadata: [
            "event": "refresh", "outcome": "terminal_failure", "user": "\(payload.user.id)", "error": "\(error)",
        ])
        return .signedOut(reason: "refresh failed: \(error)", setCookie: SetCookie.delete(options: cookieOptions))
    }

    private func userMismatch() -> SessionOutcome {
        logger.warning("session user does not match the access token subject; deleting the cookie")
        return .signedOut(reason: "session user does not match the token subject", setCookie: SetCookie.delete(options: cookieOptions))
    }
}
