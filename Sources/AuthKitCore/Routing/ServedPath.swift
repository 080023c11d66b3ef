/// The path the web server will actually serve for a request, for matching path rules.
///
/// The check sees `REQUEST_URI`, the raw request target, but nginx and Apache choose what to
/// serve from the normalised path: percent-escapes decoded, `.`/`..` segments resolved, repeated
/// slashes merged. Matching `WORKOS_UNAUTHENTICATED_PATHS` against the raw form would let
/// `/public/../admin/` (or `/public/%2e%2e/admin/`) pass as public while the server serves
/// `/admin/`. Rules therefore match this normalised path, re-encoded the way a browser sends
/// it; a path that cannot be normalised (a bad escape, `..` above the root, a NUL) matches no rule.
public enum ServedPath {
    public static func normalize(_ rawPath: String) -> String? {
        guard let decoded = PercentEncoding.decode(rawPath), !decoded.utf8.contains(0), decoded.hasPrefix("/") else { return nil }
        var segments: [Substring] = []
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            switch part {
            case "": if last { segments.append("") }      // keep a trailing slash; merge the others
            case ".": if last { segments.append("") }
            case "..":
                guard !segments.isEmpty else { return nil }
                segments.removeLast()
                if last { segments.append("") }
            default: segments.append(part)
            }
        }
        return "/" + segments.map { PercentEncoding.pathSegment(String($0)) }.joined(separator: "/")
    }
}
