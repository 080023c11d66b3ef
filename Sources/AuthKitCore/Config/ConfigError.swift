/// A configuration problem: which variable, what is wrong, how to fix it. Rendered as the one
/// line `authkit-fcgi` prints before exiting with status 78. Never contains a secret's value.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String
    public let fix: String

    public init(variable: String, problem: String, fix: String) {
        self.variable = variable
        self.problem = problem
        self.fix = fix
    }

    /// `WORKOS_COOKIE_PASSWORD is too short (12 characters; at least 32 are required). Fix: …`
    public var line: String { "\(variable) \(problem). Fix: \(fix)" }
    public var description: String { line }
}
