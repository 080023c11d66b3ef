/// Every `X-AuthKit-*` header name authkit-fcgi sets, reads or documents: the one list the
/// servers' snippets strip from client requests (`nginx/authkit-identity-proxy.conf`'s
/// `proxy_set_header` lines, the Apache snippets' `RequestHeader unset` lines; a test holds each
/// snippet to this list and the source tree to it).
///
/// The list is for the snippets. The check itself goes further: it refuses a request carrying
/// any client header whose name, read case-insensitively with `_` and `.` as `-`, starts with
/// `x-authkit-` (``isClientSpoof(headerName:)``), so an upstream never receives one under any
/// spelling a CGI or PHP program would read as the same variable (`X_AuthKit_User_Id` is
/// `HTTP_X_AUTHKIT_USER_ID` too).
public enum AuthKitHeaders {
    /// Identity headers of an allowed check (``Identity/keys``, then the access token and the
    /// signed identity assertion).
    public static var identity: [String] { Identity.headerNames + [Identity.accessTokenHeaderName, AssertionSigner.headerName] }

    /// Headers of the check's answer to the server that are not identity.
    public static let signals = [
        "X-AuthKit-Sign-In", "X-AuthKit-Unavailable", "X-AuthKit-Eager-Auth-Cookie", "X-AuthKit-Bad-Request",
    ]

    /// The sign-in hook's signature (sent to `AUTHKIT_ON_SUCCESS_URL`).
    public static let signature = "X-AuthKit-Signature"

    /// Every name, identity first.
    public static var all: [String] { identity + signals + [signature] }

    /// Whether a request header name (as the client sent it, or as `fromParameter` rebuilt it
    /// from `HTTP_X_AUTHKIT_…`) is one of ours under any case or `-`/`_`/`.` spelling. On bytes.
    public static func isClientSpoof(headerName name: String) -> Bool {
        isClientSpoof(headerNameBytes: name.utf8)
    }

    /// The same, on a name's bytes (a FastCGI parameter name after `HTTP_`).
    public static func isClientSpoof<Bytes: Sequence<UInt8>>(headerNameBytes name: Bytes) -> Bool {
        let prefix: [UInt8] = Array("x-authkit-".utf8)
        var matched = 0
        for byte in name {
            guard matched < prefix.count else { return true }
            let folded: UInt8 = switch byte {
            case UInt8(ascii: "_"), UInt8(ascii: "."): UInt8(ascii: "-")
            case 0x41...0x5A: byte | 0x20
            default: byte
            }
            guard folded == prefix[matched] else { return false }
            matched += 1
        }
        return matched == prefix.count
    }
}
