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

    /// The parameters, one per list.
    public static let parameterNames: Set<String> = [
        "AUTHKIT_REQUIRE_ORGANIZATION", "AUTHKIT_REQUIRE_ROLE", "AUTHKIT_REQUIRE_PERMISSION",
        "AUTHKIT_REQUIRE_ENTITLEMENT", "AUTHKIT_REQUIRE_FEATURE_FLAG",
    ]

    /// Reads the requirement parameters (``LocationSettings/parse(_:)`` does it with all the
    /// checks; this is for tests and callers that validated already). A bad value is kept as
    /// a requirement nothing satisfies, never dropped.
    public init(parameter: (String) -> String?) {
        for name in Self.parameterNames {
            guard let value = parameter(name) else { continue }
            let list = Self.list(value)
            set(name, list.problem == nil ? list.items : ["\u{0}invalid"])
        }
    }

    /// A list value split at commas and spaces, on its bytes (a combining mark after `,` must
    /// not hide the separator). Empty, or holding a control character: refused, so that a
    /// requirement is never read as absent.
    public static func list(_ value: String) -> (items: [String], problem: String?) {
        var items: [String] = []
        var current: [UInt8] = []
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x7F { return ([], "holds a control character") }
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") {
                if !current.isEmpty { items.append(String(decoding: current, as: UTF8.self)) }
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { items.append(String(decoding: current, as: UTF8.self)) }
        return items.isEmpty ? ([], "is empty (an empty requirement would allow everyone)") : (items, nil)
    }

    /// Sets the list of one parameter of ``parameterNames``.
    mutating func set(_ name: String, _ items: [String]) {
        switch name {
        case "AUTHKIT_REQUIRE_ORGANIZATION": organizations = items
        case "AUTHKIT_REQUIRE_ROLE": anyRole = items
        case "AUTHKIT_REQUIRE_PERMISSION": allPermissions = items
        case "AUTHKIT_REQUIRE_ENTITLEMENT": allEntitlements = items
        case "AUTHKIT_REQUIRE_FEATURE_FLAG": allFeatureFlags = items
        default: break
        }
    }

    public var isEmpty: Bool {
        organizations.isEmpty && anyRole.isEmpty && allPermissions.isEmpty && allEntitlements.isEmpty && allFeatureFlags.isEmpty
    }

    /// nil when every requirement holds, else the first that failed.
    public func failure(for claims: AccessTokenClaims) -> RequirementFailure? {
        failure(organization: claims.organizationId, roles: claims.roles + [claims.role].compactMap { $0 }, permissions: claims.permissions,
                entitlements: claims.entitlements, featureFlags: claims.featureFlags)
    }

    /// The same for an API key: its organization and permissions. A key has no role,
    /// entitlement or feature flag, so a location requiring one refuses every key.
    public func failure(for key: ApiKey) -> RequirementFailure? {
        failure(organization: key.ownerId, roles: [], permissions: key.permissions, entitlements: [], featureFlags: [])
    }

    /// Values compare as bytes: `String ==` is canonical equivalence (U+212A KELVIN SIGN equals "K").
    private func failure(organization: String?, roles: [String], permissions: [String], entitlements: [String], featureFlags: [String]) -> RequirementFailure? {
        func has(_ values: [String], _ wanted: String) -> Bool { values.contains { $0.utf8.elementsEqual(wanted.utf8) } }
        if !organizations.isEmpty, !organizations.contains(where: { has([organization ?? "\u{0}"], $0) }) {
            return .organization(current: organization, allowed: organizations)
        }
        if !anyRole.isEmpty, !anyRole.contains(where: { has(roles, $0) }) { return .role(anyOf: anyRole) }
        if let missing = allPermissions.first(where: { !has(permissions, $0) }) { return .permission(missing) }
        if let missing = allEntitlements.first(where: { !has(entitlements, $0) }) { return .entitlement(missing) }
        if let missing = allFeatureFlags.first(where: { !has(featureFlags, $0) }) { return .featureFlag(missing) }
        return nil
    }
}

/// The requirement a signed-in user or an API key did not meet: what the 403 names.
public enum RequirementFailure: Sendable, Equatable, CustomStringConvertible {
    /// `AUTHKIT_REQUIRE_ORGANIZATION`: the session's organization (nil: none) is not one allowed.
    case organization(current: String?, allowed: [String])
    /// `AUTHKIT_REQUIRE_ROLE`: none of these roles.
    case role(anyOf: [String])
    /// `AUTHKIT_REQUIRE_PERMISSION`: this one is missing.
    case permission(String)
    /// `AUTHKIT_REQUIRE_ENTITLEMENT`: this one is missing.
    case entitlement(String)
    /// `AUTHKIT_REQUIRE_FEATURE_FLAG`: this one is missing.
    case featureFlag(String)
    /// An API key owned by a user or anything but an organization (``ApiKey/isOrganizationKey``).
    case notAnOrganizationKey

    /// The short reason the log line gives.
    public var description: String {
        switch self {
        case .organization(let current, _): "organization \(current ?? "(none)") not allowed"
        case .role(let roles): "none of the roles \(roles.joined(separator: ","))"
        case .permission(let name): "missing permission \(name)"
        case .entitlement(let name): "missing entitlement \(name)"
        case .featureFlag(let name): "missing feature flag \(name)"
        case .notAnOrganizationKey: "not an organization API key"
        }
    }
}
