/// Conditions a location puts on a signed-in user (`AUTHKIT_REQUIRE_*`, set per location by
/// nginx `fastcgi_param` or Apache `SetEnv`). A failed requirement answers 403.
public struct Requirements: Sendable, Equatable {
    /// `AUTHKIT_REQUIRE_ORGANIZATION`: the session's organization must be one of these.
    public var organizations: [String] = []
    /// `AUTHKIT_REQUIRE_ROLE`: any of these roles (the `role` claim or one of `roles`).
    public var anyRole: [String] = []
    /// `AUTHKIT_REQUIRE_PERMISSION`: all of these permissions.
    public var allPermissions: [String] = []
    /// `AUTHKIT_REQUIRE_ENTITLEMENT`: all of these entitlements.
    public var allEntitlements: [String] = []
    /// `AUTHKIT_REQUIRE_FEATURE_FLAG`: all of these feature flags.
    public var allFeatureFlags: [String] = []

    public init() {}

    /// Reads the requirement parameters; lists are comma- or space-separated.
    public init(parameter: (String) -> String?) {
        func list(_ name: String) -> [String] {
            (parameter(name) ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        organizations = list("AUTHKIT_REQUIRE_ORGANIZATION")
        anyRole = list("AUTHKIT_REQUIRE_ROLE")
        allPermissions = list("AUTHKIT_REQUIRE_PERMISSION")
        allEntitlements = list("AUTHKIT_REQUIRE_ENTITLEMENT")
        allFeatureFlags = list("AUTHKIT_REQUIRE_FEATURE_FLAG")
    }

    public var isEmpty: Bool {
        organizations.isEmpty && anyRole.isEmpty && allPermissions.isEmpty && allEntitlements.isEmpty && allFeatureFlags.isEmpty
    }

    /// nil when every requirement holds, else a short reason for the log.
    public func failure(for claims: AccessTokenClaims) -> String? {
        if !organizations.isEmpty, !organizations.contains(claims.organizationId ?? "") {
            return "organization \(claims.organizationId ?? "(none)") not allowed"
        }
        if !anyRole.isEmpty {
            let roles = Set(claims.roles + [claims.role].compactMap { $0 })
            if roles.isDisjoint(with: anyRole) { return "none of the roles \(anyRole.joined(separator: ","))" }
        }
        if let missing = allPermissions.first(where: { !claims.permissions.contains($0) }) { return "missing permission \(missing)" }
        if let missing = allEntitlements.first(where: { !claims.entitlements.contains($0) }) { return "missing entitlement \(missing)" }
        if let missing = allFeatureFlags.first(where: { !claims.featureFlags.contains($0) }) { return "missing feature flag \(missing)" }
        return nil
    }
}
