/// The state authkit-nextjs (v3+) seals into both the `state` parameter and the verifier
/// cookie: `{nonce, codeVerifier, customState?, returnPathname?}`, sealed for 600 s (spec §3.2).
public struct PKCEState: Sendable, Equatable {
    /// Sealed state lives 10 minutes, like authkit's.
    public static let ttlSeconds: Int64 = 600

    public var nonce: String
    public var codeVerifier: String
    public var customState: String?
    public var returnPathname: String?

    public init(nonce: String, codeVerifier: String, customState: String? = nil, returnPathname: String? = nil) {
        self.nonce = nonce
        self.codeVerifier = codeVerifier
        self.customState = customState
        self.returnPathname = returnPathname
    }

    /// Reads an unsealed state; `nil` unless `nonce` and `codeVerifier` are strings and the
    /// optional fields are strings when present (authkit's valibot `StateSchema`).
    public init?(json: JSONValue) {
        guard let nonce = json["nonce"]?.stringValue, let verifier = json["codeVerifier"]?.stringValue else { return nil }
        if let custom = json["customState"], custom.stringValue == nil { return nil }
        if let path = json["returnPathname"], path.stringValue == nil { return nil }
        self.init(nonce: nonce, codeVerifier: verifier,
                  customState: json["customState"]?.stringValue, returnPathname: json["returnPathname"]?.stringValue)
    }

    /// Key order as authkit writes it; absent optionals are left out.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("nonce", .string(nonce)), ("codeVerifier", .string(codeVerifier))]
        if let customState { members.append(("customState", .string(customState))) }
        if let returnPathname { members.append(("returnPathname", .string(returnPathname))) }
        return .object(members)
    }
}

/// The per-flow verifier cookie name: `wos-auth-verifier-<fnv1a32(sealed state), 8 hex>`.
public enum VerifierCookie {
    public static let prefix = "wos-auth-verifier"
    /// authkit clears other verifier cookies when this many are present.
    public static let maximumConcurrentFlows = 5

    public static func name(forSealedState state: String) -> String {
        "\(prefix)-\(FNV1a.hash32Hex(state))"
    }
}

/// FNV-1a, 32 bits, over UTF-8 bytes (sindresorhus/fnv1a as authkit uses it).
public enum FNV1a {
    public static func hash32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    public static func hash32Hex(_ text: String) -> String {
        let hex = String(hash32(text), radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
