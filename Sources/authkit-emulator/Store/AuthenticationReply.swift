import Foundation

extension StoreState {
    /// The answer to a successful authenticate call: a fresh single-use refresh token, an
    /// access token signed with the current key, and WorkOS's response shape:
    /// `{user, organization_id, access_token, refresh_token, authentication_method, impersonator?}`.
    mutating func authenticationReply(sessionId: String) -> APIReply {
        guard let session = sessions[sessionId], let user = seed.user(id: session.userId) else {
            return .error(500, code: "server_error", message: "The session's user is not in the seed.")
        }
        let claims = AccessTokenClaims.make(sessionId: sessionId, session: session, seed: seed, settings: settings, now: now)
        guard let accessToken = try? keys.current.sign(claims: claims) else {
            return .error(500, code: "server_error", message: "Could not sign the access token.")
        }
        let refreshToken = Identifiers.secret()
        refreshTokens[refreshToken] = RefreshTokenRecord(sessionId: sessionId)
        var body: [String: JSONValue] = [
            "user": UserJSON.make(user, lastSignInAt: session.authenticatedAt),
            "organization_id": JSONValue(session.organizationId),
            "access_token": .string(accessToken),
            "refresh_token": .string(refreshToken),
            "authentication_method": .string(session.method),
        ]
        if let impersonation = session.impersonation {
            body["impersonator"] = ["email": .string(impersonation.impersonatorEmail), "reason": JSONValue(impersonation.reason)]
        }
        return .ok(.object(body))
    }
}

/// The API's user object, snake_case, absent values as explicit `null`s (the SDK models need
/// every key).
enum UserJSON {
    static let seededAt = "2025-01-01T00:00:00.000Z"

    /// `lastSignInAt` nil (never signed in) is written as `null`, as WorkOS does.
    static func make(_ user: Seed.User, lastSignInAt: Date?) -> JSONValue {
        let name = [user.firstName, user.lastName].compactMap { $0 }.joined(separator: " ")
        return [
            "object": "user",
            "id": .string(user.id),
            "email": .string(user.email),
            "email_verified": .bool(user.emailVerified ?? true),
            "first_name": JSONValue(user.firstName),
            "last_name": JSONValue(user.lastName),
            "name": name.isEmpty ? .null : .string(name),
            "profile_picture_url": JSONValue(user.profilePictureUrl),
            "locale": JSONValue(user.locale),
            "last_sign_in_at": lastSignInAt.map { .string(timestamp($0)) } ?? .null,
            "created_at": .string(seededAt),
            "updated_at": .string(seededAt),
            "external_id": JSONValue(user.externalId),
            "metadata": .object((user.metadata ?? [:]).mapValues(JSONValue.string)),
        ]
    }

    /// `2025-01-01T12:00:00.000Z`
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
