#if canImport(Glibc)
import Glibc
#endif

/// libfcgi's `FCGI_WEB_SERVER_ADDRS`: when set, TCP connections are served only from these
/// IPv4 addresses (comma-separated). libfcgi checks it inside its own accept; the server now
/// accepts itself (``ConnectionAcceptor``), so it applies the same rule, the same way
/// (`inet_addr` of each entry against the peer's address).
struct WebServerAddresses: Sendable {
    /// nil: no list, every peer is accepted (libfcgi's behaviour when the variable is unset or empty).
    private let allowed: [in_addr_t]?

    init(environment value: String? = getenv("FCGI_WEB_SERVER_ADDRS").map { String(cString: $0) }) {
        guard let value, !value.isEmpty else {
            allowed = nil
            return
        }
        allowed = value.split(separator: ",", omittingEmptySubsequences: false).map { inet_addr(String($0)) }
    }

    /// Whether a connection from this peer (an accepted socket's address) may be served. Only
    /// IPv4 peers are checked, as libfcgi does; unix-socket peers always pass.
    func permits(_ address: sockaddr_storage) -> Bool {
        guard let allowed, address.ss_family == sa_family_t(AF_INET) else { return true }
        let peer = withUnsafeBytes(of: address) { $0.load(as: sockaddr_in.self).sin_addr.s_addr }
        return allowed.contains(peer)
    }
}
