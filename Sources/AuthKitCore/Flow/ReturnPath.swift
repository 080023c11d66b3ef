/// Reduces a `return_to` / `returnPathname` to a path and query on our own origin, as
/// authkit's callback does with `new URL(returnPathname, "https://placeholder.com")` (#340,
/// #438): whatever origin the input names is dropped, so the browser never leaves the site.
///
/// Stricter than authkit on purpose: control characters and backslashes are removed before
/// parsing (browsers treat `\` as `/`), and the result always starts with exactly one `/`.
public enum ReturnPath {
    public static func sanitize(_ input: String?, fallback: String = "/") -> String {
        guard let input, !input.isEmpty else { return fallback }
        // Drop everything a header or a browser could reinterpret: C0 controls, DEL, backslash.
        let cleaned = String(String.UnicodeScalarView(input.unicodeScalars.filter {
            $0.value >= 0x20 && $0.value != 0x7F && $0 != "\\"
        }))
        let pathAndQuery = URLPathParser.pathAndQuery(of: cleaned)
        // "//evil.example" would be protocol-relative when used as a Location. The result is
        // ASCII (percent-encoded), compared on its bytes all the same.
        var result = Substring(pathAndQuery)
        while result.utf8.starts(with: "//".utf8) { result = result.dropFirst() }
        guard result.utf8.first == UInt8(ascii: "/") else { return fallback }
        return String(result)
    }
}

extension URLPathParser {
    /// `pathname + search` of `new URL(input, "https://placeholder.com")`, cut on the bytes `#`
    /// and `?` (a mark glued onto either must not hide it).
    static func pathAndQuery(of input: String) -> String {
        let withoutFragment = input.firstUTF8Index(of: UInt8(ascii: "#")).map { input[..<$0] } ?? input[...]
        let query: String
        if let question = withoutFragment.firstUTF8Index(of: UInt8(ascii: "?")) {
            let raw = withoutFragment.utf8[withoutFragment.utf8.index(after: question)...]
            query = raw.isEmpty ? "" : "?" + percentEncodeQuery(raw)
        } else {
            query = ""
        }
        let path = pathAndHash(of: String(withoutFragment))
        return path + query
    }

    /// The special-query percent-encode set: C0, space, `"`, `#`, `<`, `>`, `'`, DEL, non-ASCII
    /// (each byte of a non-ASCII scalar, as WHATWG encodes code points, not Characters).
    private static func percentEncodeQuery(_ text: Substring.UTF8View) -> String {
        percentEncode(text) { $0 > 0x20 && $0 < 0x7F && !"\"#<>'".utf8.contains($0) }
    }
}
