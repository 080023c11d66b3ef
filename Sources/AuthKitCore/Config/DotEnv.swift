/// A syntax error in an env file. Never carries a value: values are secrets.
public struct DotEnvError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let problem: String
    public var description: String { "line \(line): \(problem)" }
}

/// Parses env files the way the `dotenv` package (Next.js's `.env.local`) reads them:
/// `KEY=value`, an optional `export ` prefix, `#` comments, blank lines, single-quoted values
/// taken literally, double-quoted values with `\n` expanded, backtick-quoted values,
/// quoted values spanning lines, unquoted values trimmed and cut at ` #`.
public enum DotEnv {
    public static func parse(_ text: String) throws(DotEnvError) -> [(key: String, value: String)] {
        let lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [(key: String, value: String)] = []
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            var line = Substring(lines[index])
            index += 1
            line = line.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).trimmingWhitespace() }
            guard let equals = line.firstIndex(of: "=") else {
                throw DotEnvError(line: lineNumber, problem: "expected KEY=value")
            }
            let key = String(line[..<equals].trimmingWhitespace())
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
                throw DotEnvError(line: lineNumber, problem: "invalid variable name")
            }
            var rest = line[line.index(after: equals)...].trimmingWhitespace()
            if let quote = rest.first, quote == "\"" || quote == "'" || quote == "`" {
                // The value runs to the matching quote, possibly over several lines.
                rest = rest.dropFirst()
                var collected = ""
                var remainder = rest
                while true {
                    if let close = remainder.firstIndex(of: quote) {
                        collected += remainder[..<close]
                        break
                    }
                    collected += remainder
                    guard index < lines.count else {
                        throw DotEnvError(line: lineNumber, problem: "unterminated \(quote) quote")
                    }
                    collected += "\n"
                    remainder = Substring(lines[index])
                    index += 1
                }
                if quote == "\"" {
                    collected = collected.replacingEscapedNewlines()
                }
                result.append((key, collected))
            } else {
                // Unquoted: an inline comment starts at " #".
                if let hash = rest.firstIndex(of: "#"), hash > rest.startIndex,
                   rest[rest.index(before: hash)] == " " || rest[rest.index(before: hash)] == "\t" {
                    rest = rest[..<hash]
                }
                result.append((key, String(rest.trimmingWhitespace())))
            }
        }
        return result
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

extension String {
    fileprivate func replacingCRLF() -> String {
        String(String.UnicodeScalarView(unicodeScalars.filter { $0 != "\r" }))
    }

    fileprivate func replacingEscapedNewlines() -> String {
        var out = ""
        var iterator = makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                guard let next = iterator.next() else { out.append(c); break }
                switch next {
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: out.append(c); out.append(next)
                }
            } else {
                out.append(c)
            }
        }
        return out
    }
}
