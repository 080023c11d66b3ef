/// The `iss` values an access token may carry (jose's `issuer` option, exact string match).
///
/// WorkOS mints more than one shape: `https://api.workos.com` (older environments) and
/// `https://api.workos.com/user_management/<client_id>` (environments created since mid-2025,
/// and the emulator's), or a custom authentication domain's origin in their place. By default
/// both shapes of the configured API origin (`WORKOS_API_HTTPS`, `WORKOS_API_HOSTNAME`,
/// `WORKOS_API_PORT`) are accepted; `WORKOS_ISSUER` — authkit-nextjs's variable, a
/// comma-separated list — replaces them, as it does there.
public struct AcceptedIssuers: Sendable, Equatable {
    /// Exact values, compared byte for byte: no trailing slash, case or port folding.
    public let values: [String]

    public init(_ values: [String]) { self.values = values }

    /// The two shapes WorkOS uses for this API origin and client. A port is written only when
    /// it is not the scheme's default (WorkOS never puts `:443` in `iss`); the host is folded
    /// to lower case, as a URL's host is.
    public static func derived(https: Bool, hostname: String, port: Int?, clientId: String) -> AcceptedIssuers {
        let scheme = https ? "https" : "http"
        let defaultPort = https ? 443 : 80
        let origin = "\(scheme)://\(hostname.lowercasedASCII())" + (port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")
        return AcceptedIssuers([origin, "\(origin)/user_management/\(clientId)"])
    }

    /// Whether `issuer` is one of the values.
    public func accepts(_ issuer: String?) -> Bool {
        guard let issuer else { return false }
        return values.contains { $0.bytesEqual(issuer) }
    }

    /// Most values `WORKOS_ISSUER` may list, and the longest one.
    static let maximumCount = 16
    static let maximumLength = 512

    /// Reads `WORKOS_ISSUER`: http(s) URLs separated by commas, spaces around them ignored,
    /// empty entries dropped (authkit-nextjs's `getExpectedIssuer`). Nil when an entry is not an
    /// absolute http(s) URL with a host, carries a space or control byte, or the list is empty
    /// or too long.
    public static func parse(list: String) -> AcceptedIssuers? {
        let entries = list.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .map { String(String(decoding: $0, as: UTF8.self).trimmingWhitespace()) }
            .filter { !$0.isEmpty }
        guard !entries.isEmpty, entries.count <= maximumCount else { return nil }
        for entry in entries {
            guard entry.utf8.count <= maximumLength, entry.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            let afterScheme: Int
            if entry.hasBytePrefix("https://") { afterScheme = 8 } else if entry.hasBytePrefix("http://") { afterScheme = 7 } else { return nil }
            guard let hostByte = entry.utf8.dropFirst(afterScheme).first, hostByte != UInt8(ascii: "/") else { return nil }
        }
        return AcceptedIssuers(entries)
    }
}
