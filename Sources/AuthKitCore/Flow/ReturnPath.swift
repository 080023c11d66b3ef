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
        // "//evil.example" would be protocol-relative when used as a Location.
        var result = pathAndQuery
        while result.hasPrefix("//") { result.removeFirst() }
        guard result.hasPrefix("/") else { return fallback }
        return result
    }
}

extension URLPathParser {
    /// `pathname + search` of `new URL(input, "https://placeholder.com")`.
    static func pathAndQuery(of input: String) -> String {
        let withoutFragment = input.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let query: String
        if let question = withoutFragment.firstIndex(of: "?") {
            let raw = withoutFragment[withoutFragment.index(after: question)...]
            query = raw.isEmpty ? "" : "?" + percentEncodeQuery(raw)
        } else {
            query = ""
        }
        let path = pathAndHash(of: withoutFragment)
        return path + query
    }

    /// The special-query percent-encode set: C0, space, `"`, `#`, `<`, `>`, `'`, DEL, non-ASCII.
    private static func percentEncodeQuery(_ text: Substring) -> String {
        var out = ""
        for character in text {
            if let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F, !"\"#<>'".contains(character) {
                out.append(character)
            } else {
                for byte in String(character).utf8 {
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (hex.count == 1 ? "0" + hex : hex)
                }
            }
        }
        return out
    }
}
