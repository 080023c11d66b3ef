/// A configuration problem: which variable, what is wrong, how to fix it.
///
/// ``line`` renders it as the one line `authkit-fcgi` prints before exiting with status 78
/// (EX_CONFIG). Never contains a secret's value (a length at most).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable at fault, e.g. `WORKOS_COOKIE_PASSWORD`.
    public let variable: String
    /// What is wrong, phrased to follow the variable's name: `is not set`, `is too short (…)`.
    public let problem: String
    /// How to fix it, phrased to follow `Fix: `.
    public let fix: String

    public init(variable: String, problem: String, fix: String) {
        self.variable = variable
        self.problem = problem
        self.fix = fix
    }

    /// One line, e.g. `WORKOS_COOKIE_PASSWORD is too short (12 characters; at least 32 are
    /// required). Fix: set it to a random string, e.g. the output of `openssl rand -base64 24`.`
    public var line: String {
        let sentence = "\(variable) \(problem). Fix: \(fix)"
        let flat = String(sentence.map { $0.isNewline ? " " : $0 })
        return flat.hasSuffix(".") || flat.hasSuffix("!") || flat.hasSuffix("?") ? flat : flat + "."
    }

    public var description: String { line }
}

/// Every problem one ``ConfigLoader/load(_:)`` found, in the order of the variables: a bad
/// configuration is reported all at once, not one restart per problem.
///
/// `authkit-fcgi` prints ``lines``, one per problem, before exiting with status 78.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, at least one, in the order ``ConfigLoader`` checks the variables.
    public let errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors
    }

    /// ``ConfigError/line`` of each problem.
    public var lines: [String] { errors.map(\.line) }

    public var description: String { lines.joined(separator: "\n") }
}
