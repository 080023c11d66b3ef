/// A port of path-to-regexp 6.3.0's `parse` + `tokensToRegexp` with default options
/// (`strict: false, start: true, end: true, delimiter: "/#?", prefixes: "./"`), the version
/// authkit-nextjs pins. It produces the same regular-expression source text, which the tests
/// compare against the real library's output (`path-glob-vectors.json`).
enum PathToRegexp {
    struct ParseError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private enum LexKind: Equatable { case open, close, pattern, name, char, escapedChar, modifier, end }
    private struct Lexeme { let kind: LexKind; let index: Int; let value: String }

    enum Token: Equatable {
        case text(String)
        case key(name: String, prefix: String, suffix: String, pattern: String, modifier: String)
    }

    private static func lexer(_ input: [Character]) throws(ParseError) -> [Lexeme] {
        var tokens: [Lexeme] = []
        var i = 0
        while i < input.count {
            let char = input[i]
            if char == "*" || char == "+" || char == "?" {
                tokens.append(Lexeme(kind: .modifier, index: i, value: String(char))); i += 1; continue
            }
            if char == "\\" {
                // JS reads str[i+1], which is undefined past the end.
                let next = i + 1 < input.count ? String(input[i + 1]) : ""
                tokens.append(Lexeme(kind: .escapedChar, index: i, value: next)); i += 2; continue
            }
            if char == "{" { tokens.append(Lexeme(kind: .open, index: i, value: "{")); i += 1; continue }
            if char == "}" { tokens.append(Lexeme(kind: .close, index: i, value: "}")); i += 1; continue }
            if char == ":" {
                var name = ""
                var j = i + 1
                while j < input.count, isNameCharacter(input[j]) { name.append(input[j]); j += 1 }
                if name.isEmpty { throw ParseError(message: "Missing parameter name at \(i)") }
                tokens.append(Lexeme(kind: .name, index: i, value: name)); i = j; continue
            }
            if char == "(" {
                var count = 1
                var pattern = ""
                var j = i + 1
                if j < input.count, input[j] == "?" { throw ParseError(message: "Pattern cannot start with \"?\" at \(j)") }
                while j < input.count {
                    if input[j] == "\\" {
                        pattern.append(input[j])
                        if j + 1 < input.count { pattern.append(input[j + 1]) }
                        j += 2
                        continue
                    }
                    if input[j] == ")" {
                        count -= 1
                        if count == 0 { j += 1; break }
                    } else if input[j] == "(" {
                        count += 1
                        if j + 1 >= input.count || input[j + 1] != "?" {
                            throw ParseError(message: "Capturing groups are not allowed at \(j)")
                        }
                    }
                    pattern.append(input[j])
                    j += 1
                }
                if count != 0 { throw ParseError(message: "Unbalanced pattern at \(i)") }
                if pattern.isEmpty { throw ParseError(message: "Missing pattern at \(i)") }
                tokens.append(Lexeme(kind: .pattern, index: i, value: pattern)); i = j; continue
            }
            tokens.append(Lexeme(kind: .char, index: i, value: String(char))); i += 1
        }
        tokens.append(Lexeme(kind: .end, index: i, value: ""))
        return tokens
    }

    private static func isNameCharacter(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return (a >= 48 && a <= 57) || (a >= 65 && a <= 90) || (a >= 97 && a <= 122) || a == 95
    }

    static let delimiter = "/#?"
    static let defaultPattern = "[^\(escapeString(delimiter))]+?"

    static func parse(_ text: String) throws(ParseError) -> [Token] {
        let lexemes = try lexer(Array(text))
        let prefixes = "./"
        var result: [Token] = []
        var key = 0
        var i = 0
        var path = ""

        func tryConsume(_ kind: LexKind) -> String? {
            if i < lexemes.count, lexemes[i].kind == kind { i += 1; return lexemes[i - 1].value }
            return nil
        }
        func mustConsume(_ kind: LexKind) throws(ParseError) -> String {
            if let value = tryConsume(kind) { return value }
            let lexeme = lexemes[i]
            throw ParseError(message: "Unexpected \(name(lexeme.kind)) at \(lexeme.index), expected \(name(kind))")
        }
        func consumeText() -> String {
            var out = ""
            while let value = tryConsume(.char) ?? tryConsume(.escapedChar), !value.isEmpty { out += value }
            return out
        }
        func safePattern(_ prefix: String) throws(ParseError) -> String {
            let previous = result.last
            var previousText = prefix
            if previousText.isEmpty, case .text(let text)? = previous { previousText = text }
            if let previous, previousText.isEmpty, case .key(let name, _, _, _, _) = previous {
                throw ParseError(message: "Must have text between two parameters, missing text after \"\(name)\"")
            }
            let isSafe = delimiter.contains { previousText.contains($0) }
            if previousText.isEmpty || isSafe { return "[^\(escapeString(delimiter))]+?" }
            return "(?:(?!\(escapeString(previousText)))[^\(escapeString(delimiter))])+?"
        }

        while i < lexemes.count {
            let char = tryConsume(.char)
            let name = tryConsume(.name)
            let pattern = tryConsume(.pattern)
            if name != nil || pattern != nil {
                var prefix = char ?? ""
                if !prefixes.contains(prefix) || prefix.isEmpty {
                    path += prefix
                    prefix = ""
                }
                if !path.isEmpty {
                    result.append(.text(path))
                    path = ""
                }
                let keyName: String
                if let name { keyName = name } else { keyName = String(key); key += 1 }
                let keyPattern: String
                if let pattern { keyPattern = pattern } else { keyPattern = try safePattern(prefix) }
                result.append(.key(
                    name: keyName, prefix: prefix, suffix: "", pattern: keyPattern, modifier: tryConsume(.modifier) ?? ""))
                continue
            }
            // An escaped character at the very end has no value (undefined in JS) and is dropped.
            if let value = char ?? tryConsume(.escapedChar), !value.isEmpty {
                path += value
                continue
            }
            if !path.isEmpty {
                result.append(.text(path))
                path = ""
            }
            if tryConsume(.open) != nil {
                let prefix = consumeText()
                let name = tryConsume(.name) ?? ""
                let pattern = tryConsume(.pattern) ?? ""
                let suffix = consumeText()
                _ = try mustConsume(.close)
                let keyName: String
                if !name.isEmpty { keyName = name } else if !pattern.isEmpty { keyName = String(key); key += 1 } else { keyName = "" }
                var finalPattern = pattern
                if !name.isEmpty && pattern.isEmpty { finalPattern = try safePattern(prefix) }
                result.append(.key(name: keyName, prefix: prefix, suffix: suffix, pattern: finalPattern, modifier: tryConsume(.modifier) ?? ""))
                continue
            }
            _ = try mustConsume(.end)
        }
        return result
    }

    private static func name(_ kind: LexKind) -> String {
        switch kind {
        case .open: "OPEN"
        case .close: "CLOSE"
        case .pattern: "PATTERN"
        case .name: "NAME"
        case .char: "CHAR"
        case .escapedChar: "ESCAPED_CHAR"
        case .modifier: "MODIFIER"
        case .end: "END"
        }
    }

    /// `escapeString`: backslash before `. + * ? = ^ ! : $ { } ( ) [ ] | / \`.
    static func escapeString(_ text: String) -> String {
        var out = ""
        for c in text {
            if ".+*?=^!:${}()[]|/\\".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// `tokensToRegexp(tokens)` with the default options; returns the regex source.
    static func regexSource(_ tokens: [Token]) throws(ParseError) -> String {
        let delimiterRe = "[\(escapeString(delimiter))]"
        var route = "^"
        for token in tokens {
            switch token {
            case .text(let text):
                route += escapeString(text)
            case let .key(name, rawPrefix, rawSuffix, pattern, modifier):
                let prefix = escapeString(rawPrefix)
                let suffix = escapeString(rawSuffix)
                if !pattern.isEmpty {
                    if !prefix.isEmpty || !suffix.isEmpty {
                        if modifier == "+" || modifier == "*" {
                            let mod = modifier == "*" ? "?" : ""
                            route += "(?:\(prefix)((?:\(pattern))(?:\(suffix)\(prefix)(?:\(pattern)))*)\(suffix))\(mod)"
                        } else {
                            route += "(?:\(prefix)(\(pattern))\(suffix))\(modifier)"
                        }
                    } else if modifier == "+" || modifier == "*" {
                        throw ParseError(message: "Can not repeat \"\(name)\" without a prefix and suffix")
                    } else {
                        route += "(\(pattern))\(modifier)"
                    }
                } else {
                    route += "(?:\(prefix)\(suffix))\(modifier)"
                }
            }
        }
        route += "\(delimiterRe)?$"
        return route
    }
}
