/// A syntax error in an env file: the line it is on and what is wrong.
///
/// Never carries a value, nor the text of the line: values are secrets.
public struct DotEnvError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based; for a quoted value, the line its opening quote is on.
    public let line: Int
    public let problem: String

    public init(line: Int, problem: String) {
        self.line = line
        self.problem = problem
    }

    /// `line 3: unterminated " quote`.
    public var description: String { "line \(line): \(problem)" }
}

/// Reads env files the way the `dotenv` package reads a Next.js app's `.env.local`, so both read
/// the same values from the same file (the cookie password must be identical on both sides):
///
/// - `KEY=value`, with an optional `export ` prefix; spaces around `=` are allowed, and so is
///   dotenv's `KEY: value` form. Names are ASCII letters, digits, `_`, `.` and `-`.
/// - Blank lines and lines starting with `#` are skipped.
/// - Unquoted values end at the line's end or at the first `#` (as in dotenv, even without a
///   space before it: quote a value that contains `#`), and are trimmed.
/// - `'single'` values are literal; `"double"` values turn `\n` into a newline and `\r` into a
///   carriage return; `` `backtick` `` values are literal. Quoted values may span lines; `\"`
///   inside a double-quoted value does not end it (the backslash is kept, as in dotenv). After the
///   closing quote only spaces and a `#` comment may follow on the line; otherwise the whole
///   line is taken unquoted, exactly as dotenv does.
/// - CRLF and CR line endings read as LF; a leading byte-order mark is ignored.
/// - A later assignment of the same name wins when the pairs are put into a dictionary.
///
/// Stricter than dotenv in two ways, because both are almost always mistakes that would
/// otherwise be silent: a line that is not blank, a comment or an assignment is an error, and so
/// is a quote that is never closed (dotenv would keep the quote character in the value).
///
/// Variables are not expanded (`$OTHER` stays as written); Next.js's `dotenv-expand` would expand
/// them, so avoid unescaped `$` in values the two must share.
public enum DotEnv {
    /// The assignments in file order. Throws the first syntax error.
    public static func parse(_ text: String) throws(DotEnvError) -> [(key: String, value: String)] {
        var parser = DotEnvParser(text)
        return try parser.parse()
    }
}

private struct DotEnvParser {
    private let scalars: [Unicode.Scalar]
    /// The start of the line being read.
    private var position = 0
    /// The 1-based number of the line starting at `position`.
    private var lineNumber = 1

    init(_ text: String) {
        // dotenv: `src.replace(/\r\n?/g, '\n')`.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            scalars.append(scalar)
        }
        self.scalars = scalars
    }

    mutating func parse() throws(DotEnvError) -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        while position < scalars.count {
            if let entry = try parseLine() { result.append(entry) }
        }
        return result
    }

    /// Reads the line at `position` (and, for a quoted value, the lines it spans) and moves
    /// `position` to the next line.
    private mutating func parseLine() throws(DotEnvError) -> (key: String, value: String)? {
        let lineEnd = endOfLine(from: position)
        var index = skipSpaces(from: position, to: lineEnd)
        if index == lineEnd || scalars[index] == "#" {
            advance(past: lineEnd)
            return nil
        }

        // `export KEY=…`, but `export=…` and `export = …` assign a variable named export.
        if matches("export", at: index, before: lineEnd) {
            let afterWord = index + 6
            let afterSpaces = skipSpaces(from: afterWord, to: lineEnd)
            if afterSpaces > afterWord, afterSpaces < lineEnd, Self.isKeyScalar(scalars[afterSpaces]) {
                index = afterSpaces
            }
        }

        let keyStart = index
        while index < lineEnd, Self.isKeyScalar(scalars[index]) { index += 1 }
        let key = String(String.UnicodeScalarView(scalars[keyStart..<index]))
        index = skipSpaces(from: index, to: lineEnd)
        let hasSeparator: Bool
        if index < lineEnd, scalars[index] == "=" {
            hasSeparator = true
        } else if index + 1 < lineEnd, scalars[index] == ":", Self.isSpace(scalars[index + 1]), !key.isEmpty {
            hasSeparator = true  // dotenv's `KEY: value`
        } else {
            hasSeparator = false
        }
        guard !key.isEmpty, hasSeparator else {
            throw DotEnvError(line: lineNumber, problem: syntaxProblem(from: keyStart, to: lineEnd, keyIsEmpty: key.isEmpty))
        }
        let valueStart = index + 1

        let quoteIndex = skipSpaces(from: valueStart, to: lineEnd)
        if quoteIndex < lineEnd, Self.isQuote(scalars[quoteIndex]) {
            if let entry = try quotedValue(key: key, quoteIndex: quoteIndex, lineEnd: lineEnd) { return entry }
        }

        // Unquoted (or a quoted value followed by other text, which dotenv also reads this way):
        // up to the first `#`, trimmed; matching outer quotes removed; `\n` expanded when the
        // value starts with a double quote.
        var end = valueStart
        while end < lineEnd, scalars[end] != "#" { end += 1 }
        var value = Array(scalars[valueStart..<end])
        while let first = value.first, Self.isSpace(first) { value.removeFirst() }
        while let last = value.last, Self.isSpace(last) { value.removeLast() }
        let startsWithDoubleQuote = value.first == "\""
        if value.count >= 2, let first = value.first, Self.isQuote(first), value.last == first {
            value = Array(value.dropFirst().dropLast())
        }
        advance(past: lineEnd)
        return (key, Self.string(value, expandingEscapes: startsWithDoubleQuote))
    }

    /// A value that starts with a quote. dotenv's pattern is `"(?:\\"|[^"])*"` followed by
    /// optional spaces and comment up to the end of a line: the value ends at the first quote not
    /// preceded by a backslash, or, when the rest of that line is not empty or a comment, at an
    /// earlier escaped quote whose line ends there (the regular expression backtracks). Nil when
    /// no quote closes it but the opening line holds a closing quote (read unquoted).
    private mutating func quotedValue(key: String, quoteIndex: Int, lineEnd: Int) throws(DotEnvError) -> (key: String, value: String)? {
        let quote = scalars[quoteIndex]
        var firstUnescaped: Int?
        var escaped: [Int] = []
        var index = quoteIndex + 1
        while index < scalars.count {
            if scalars[index] == quote {
                if scalars[index - 1] == "\\", index - 1 > quoteIndex {
                    escaped.append(index)
                } else {
                    firstUnescaped = index
                    break
                }
            }
            index += 1
        }
        for close in (firstUnescaped.map { [$0] } ?? []) + escaped.reversed() where closesLine(after: close) {
            let value = Array(scalars[(quoteIndex + 1)..<close])
            advance(past: endOfLine(from: close))
            return (key, Self.string(value, expandingEscapes: quote == "\""))
        }
        if let firstUnescaped, firstUnescaped < lineEnd { return nil }
        throw DotEnvError(line: lineNumber, problem: "unterminated \(quote) quote")
    }

    /// Whether only spaces, then optionally a `#` comment, follow `index` on its line.
    private func closesLine(after index: Int) -> Bool {
        let lineEnd = endOfLine(from: index)
        let next = skipSpaces(from: index + 1, to: lineEnd)
        return next == lineEnd || scalars[next] == "#"
    }

    private func syntaxProblem(from start: Int, to lineEnd: Int, keyIsEmpty: Bool) -> String {
        let hasEquals = scalars[start..<lineEnd].contains("=")
        if !hasEquals { return "expected KEY=value (this line has no =)" }
        if keyIsEmpty { return "expected KEY=value (no variable name before =)" }
        return "invalid variable name (use letters, digits, _, . and - only)"
    }

    private func endOfLine(from index: Int) -> Int {
        var end = index
        while end < scalars.count, scalars[end] != "\n" { end += 1 }
        return end
    }

    private func skipSpaces(from index: Int, to end: Int) -> Int {
        var index = index
        while index < end, Self.isSpace(scalars[index]) { index += 1 }
        return index
    }

    private func matches(_ word: String, at index: Int, before end: Int) -> Bool {
        var index = index
        for scalar in word.unicodeScalars {
            guard index < end, scalars[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    /// Moves to the line after the one ending at `lineEnd`, counting the lines passed.
    private mutating func advance(past lineEnd: Int) {
        for index in position..<min(lineEnd + 1, scalars.count) where scalars[index] == "\n" { lineNumber += 1 }
        position = lineEnd + 1
    }

    /// dotenv's `[\w.-]`.
    private static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    private static func isQuote(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\"" || scalar == "'" || scalar == "`"
    }

    /// JavaScript's `\s` other than the line feed (which ends lines here); includes the BOM.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            true
        default:
            false
        }
    }

    /// dotenv's `.replace(/\\n/g, '\n').replace(/\\r/g, '\r')` for double-quoted values.
    private static func string(_ value: [Unicode.Scalar], expandingEscapes: Bool) -> String {
        var out = String.UnicodeScalarView()
        var index = 0
        while index < value.count {
            let scalar = value[index]
            if expandingEscapes, scalar == "\\", index + 1 < value.count, value[index + 1] == "n" || value[index + 1] == "r" {
                out.append(value[index + 1] == "n" ? "\n" : "\r")
                index += 2
            } else {
                out.append(scalar)
                index += 1
            }
        }
        return String(out)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs, cut on the bytes: compared as
    /// Characters, a space with a mark glued onto it (`" \u{301}"`) would not be one.
    func trimmingWhitespace() -> SubSequence {
        var start = utf8.startIndex
        while start < utf8.endIndex, ASCIIBytes.isSpaceOrTab(utf8[start]) { start = utf8.index(after: start) }
        // Forward (a StringProtocol's UTF8View is not bidirectional): the end of the last other byte.
        var end = start, index = start
        while index < utf8.endIndex {
            let next = utf8.index(after: index)
            if !ASCIIBytes.isSpaceOrTab(utf8[index]) { end = next }
            index = next
        }
        return self[start..<end]
    }
}
