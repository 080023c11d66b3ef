/// How much of a redirect or cookie request data may fill, so that every answer fits the
/// servers' default buffers: nginx reads a FastCGI answer's headers into `fastcgi_buffer_size`
/// (one 4 KiB page by default) and answers 502 beyond it, mod_authnz_fcgi refuses long
/// headers (AH02506). A `return_to` of kilobytes, a long protected URL, or cookies a sibling
/// subdomain planted must shorten the answer, never break it.
public enum ResponseBudget {
    /// All header lines of one answer (names, values, separators), leaving room in 4 KiB for
    /// the status line and what the server adds.
    public static let headerBytes = 3_584

    /// A `return_to` kept in a state or a redirect: at most this many bytes.
    public static let returnPathBytes = 1_024

    /// Verifier cookies deleted by one answer (each `Set-Cookie` is ~130 bytes); the rest go
    /// in later answers.
    public static let deletionsPerAnswer = 4

    /// The bytes an answer's headers take.
    public static func headerSize(_ response: AuthResponse) -> Int {
        response.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// `path` (path + query, already sanitised), shortened to fit `limit` bytes: the query
    /// dropped first, then `/`.
    public static func returnPath(_ path: String, limit: Int = returnPathBytes) -> String {
        if path.utf8.count <= limit { return path }
        if let question = path.utf8.firstIndex(of: UInt8(ascii: "?")) {
            let bare = String(decoding: path.utf8[..<question], as: UTF8.self)
            if bare.utf8.count <= limit { return bare }
        }
        return "/"
    }

    /// The shorter forms of a return path to try, longest first, without repeats.
    public static func returnPathCandidates(_ path: String) -> [String] {
        var candidates: [String] = []
        for candidate in [returnPath(path), returnPath(path, limit: returnPathBytes / 4), "/"] where !candidates.contains(where: { $0.utf8.elementsEqual(candidate.utf8) }) {
            candidates.append(candidate)
        }
        return candidates
    }
}
