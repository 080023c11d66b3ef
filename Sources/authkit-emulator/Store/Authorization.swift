/// What `GET /user_management/authorize` decides, before any HTML or HTTP.
enum AuthorizationOutcome: Sendable, Equatable {
    /// A bad `client_id` or an unregistered `redirect_uri`: an error page, never a redirect
    /// (redirecting would make the emulator an open redirector, which WorkOS is not).
    case errorPage(title: String, message: String)
    /// Back to the application: `redirect_uri?code=…&state=…`, or OAuth's `error=…`.
    case redirect(String)
    /// Interactive mode: show the sign-in page.
    case signInPage
}

extension StoreState {
    /// Validates an authorization request like WorkOS and, when it is approved (auto-approve
    /// mode, or the sign-in page posted back), issues a single-use code bound to the PKCE
    /// challenge. The user is `user_id` (from the sign-in page), else `login_hint`, else the
    /// first seeded user; the organization is `organization_id` (membership required), else
    /// the user's first membership.
    mutating func authorize(_ query: [String: String], approved: Bool) -> AuthorizationOutcome {
        guard let clientId = query["client_id"], clientId == settings.clientId else {
            return .errorPage(title: "Invalid client", message: "The client_id is missing or not this environment's client.")
        }
        guard let redirectURI = query["redirect_uri"], settings.redirectURIs.contains(redirectURI) else {
            return .errorPage(title: "Invalid redirect URI",
                              message: "The redirect_uri is not registered for this client. Registered: "
                                  + settings.redirectURIs.joined(separator: ", "))
        }
        let state = query["state"].map { [("state", $0)] } ?? []
        func fail(_ code: String, _ description: String) -> AuthorizationOutcome {
            counters.bump("errors.\(code)")
            return .redirect(FormEncoding.appending([("error", code), ("error_description", description)] + state, to: redirectURI))
        }
        guard query["response_type"] == "code" else { return fail("unsupported_response_type", "response_type must be code.") }
        let hasConnection = query["connection_id"] != nil || query["organization_id"] != nil
        guard query["provider"] == "authkit" || (query["provider"] == nil && hasConnection) else {
            return fail("invalid_request", "provider must be authkit.")
        }
        switch (query["code_challenge"], query["code_challenge_method"]) {
        case (nil, nil), (.some, .some("S256")): break
        case (.some, _): return fail("invalid_request", "code_challenge_method must be S256.")
        case (nil, .some): return fail("invalid_request", "code_challenge_method given without code_challenge.")
        }
        // OIDC's max_age (workos-node's `maxAge`): seconds since the user last signed in. The
        // emulator keeps no browser session, so every approval is a new sign-in (`auth_time` is
        // now) and any valid max_age is met; a malformed one is refused.
        if let maxAge = query["max_age"] {
            guard !maxAge.isEmpty, maxAge.utf8.count <= 10, maxAge.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return fail("invalid_request", "max_age must be a non-negative whole number of seconds.")
            }
            counters.bump("authorize.max_age")
        }
        if settings.interactive && !approved { return .signInPage }

        let user: Seed.User?
        if let id = query["user_id"], !id.isEmpty { user = seed.user(id: id) }
        else if let hint = query["login_hint"], !hint.isEmpty { user = seed.user(email: hint) }
        else { user = seed.users.first }
        guard let user else { return fail("access_denied", "No seeded user matches the login_hint.") }

        let organizationId: String?
        if let requested = query["organization_id"], !requested.isEmpty {
            guard seed.membership(user: user.id, organization: requested) != nil else {
                return fail("access_denied", "The user is not a member of organization \(requested).")
            }
            organizationId = requested
        } else {
            organizationId = seed.memberships(of: user.id).first?.organizationId
        }

        let code = Identifiers.ulid("")
        codes[code] = AuthorizationCode(
            userId: user.id, organizationId: organizationId, challenge: query["code_challenge"],
            redirectURI: redirectURI, expires: now.addingTimeInterval(Double(settings.codeTTL)))
        counters.bump("codes_issued")
        return .redirect(FormEncoding.appending([("code", code)] + state, to: redirectURI))
    }
}
