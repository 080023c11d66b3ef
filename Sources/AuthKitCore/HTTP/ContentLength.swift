/// `CONTENT_LENGTH` as a CGI or FastCGI server passes it, read as RFC 9110's `1*DIGIT` on the
/// bytes: no sign, no spaces, no exponent, no Unicode digits.
public enum ContentLength {
    /// The declared body length. A value past Int64.max (20 nines, 400 digits) saturates: it
    /// only ever means "more than will be read". Nil when absent or not digits (`-1`, `+5`,
    /// ` 5`, `1e3`, `١`): callers read that as no body, as for a missing CONTENT_LENGTH.
    public static func parse(_ text: String?) -> Int? {
        guard let text, let value = DecimalText.saturating(text.utf8, ceiling: Int64(Int.max)) else { return nil }
        return Int(exactly: value)
    }
}
