import Foundation

/// The claims of a WorkOS access token for a session:
/// `iss` (`<base URL>/user_management/<client_id>`), `sub`, `sid`, `jti`, `iat`, `exp`,
/// `auth_time`; with an organization `org_id`, `role`, `roles`, `permissions`,
/// `entitlements`, `feature_flags` (all absent without one); `act` when impersonated.
enum AccessTokenClaims {
    static func make(sessionId: String, session: SessionRecord, seed: Seed, settings: EmulatorSettings, now: Date) -> JSONValue {
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims: [String: JSONValue] = [
            "iss": .string("\(settings.baseURL)/user_management/\(settings.clientId)"),
            "sub": .string(session.userId),
            "sid": .string(sessionId),
            "jti": .string(Identifiers.ulid("")),
            "iat": .int(issuedAt),
            "exp": .int(issuedAt + settings.accessTokenTTL),
            "auth_time": .int(Int(session.authenticatedAt.timeIntervalSince1970)),
        ]
        if let organizationId = session.organizationId {
            let membership = seed.membership(user: session.userId, organization: organizationId)
            let organization = seed.organization(id: organizationId)
            claims["org_id"] = .string(organizationId)
            claims["role"] = .string(membership?.roleName ?? "member")
            claims["roles"] = JSONValue(membership?.roleNames ?? ["member"])
            claims["permissions"] = JSONValue(membership?.permissions ?? [])
            claims["entitlements"] = JSONValue(organization?.entitlements ?? [])
            claims["feature_flags"] = JSONValue(organization?.featureFlags ?? [])
        }
        if let impersonation = session.impersonation {
            claims["act"] = ["sub": .string(impersonation.impersonatorEmail)]
        }
        return .object(claims)
    }
}
