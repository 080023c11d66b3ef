import Testing
@testable import AuthKitCore

/// The `~<version>` suffix of an iron-session seal is read with JavaScript's `parseInt(text, 10)`.
@Suite struct IronSessionVersionTests {
    @Test(arguments: [
        ("2", 2), ("0", 0), ("9", 9), ("12", 12), (" 2", 2), ("\t2", 2), ("+2", 2), ("-1", -1), ("2abc", 2), ("2.5", 2),
    ])
    func readsLeadingDigits(_ text: String, _ expected: Int) {
        #expect(IronSession.parseIntLikeJavaScript(text[...]) == expected)
    }

    /// Only ASCII digits count, as in JavaScript: `parseInt("٢", 10)` is NaN.
    @Test(arguments: ["", "x", "-", "+", " ", "٢", "²", "abc2"])
    func refusesWhatJavaScriptReadsAsNaN(_ text: String) {
        #expect(IronSession.parseIntLikeJavaScript(text[...]) == nil)
    }
}
