import Testing

/// A text test argument shown escaped on one line in the test summary: a raw newline, tab or
/// NUL in it would break the summary into fragments.
struct Escaped: CustomTestStringConvertible, Sendable {
    let text: String
    init(_ text: String) { self.text = text }
    var testDescription: String { String(reflecting: text) }
}
