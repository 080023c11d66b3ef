/// Where each setting comes from: the process environment, the env file, or neither (the
/// default). Pure: the caller reads the file and the environment and hands both in.
///
/// The rules are ``ConfigLoader``'s and Next.js's: the environment wins over the file (even an
/// empty environment variable hides the file's value, as dotenv never overrides a variable that
/// exists), and an empty value counts as unset. `WORKOS_REDIRECT_URI` may be read from
/// `NEXT_PUBLIC_WORKOS_REDIRECT_URI`.
///
/// ```swift
/// let sources = ConfigSources(file: ["WORKOS_COOKIE_NAME": "a"], filePath: "/etc/authkit.env",
///                             environment: ["WORKOS_COOKIE_NAME": "b"])
/// sources.variables["WORKOS_COOKIE_NAME"]                  // "b"
/// sources.origin(of: "WORKOS_COOKIE_NAME").description     // "env (overrides the file)"
/// sources.origin(of: "WORKOS_COOKIE_SAMESITE").description // "default"
/// ```
public struct ConfigSources: Sendable {
    /// The env file's assignments (the last one of a name wins).
    public let file: [String: String]
    /// The env file's path as given, or nil when none was read.
    public let filePath: String?
    /// The process environment.
    public let environment: [String: String]

    /// Other names a setting is read from when its own is unset, in order of preference.
    public static let aliases: [String: [String]] = [
        "WORKOS_REDIRECT_URI": ["NEXT_PUBLIC_WORKOS_REDIRECT_URI"],
    ]

    public init(file: [String: String], filePath: String?, environment: [String: String]) {
        self.file = file
        self.filePath = filePath
        self.environment = environment
    }

    /// The variables ``ConfigLoader/load(_:)`` reads: the environment laid over the file.
    public var variables: [String: String] {
        file.merging(environment) { _, fromEnvironment in fromEnvironment }
    }

    /// Where the value of `setting` comes from.
    public func origin(of setting: String) -> ConfigOrigin {
        let names = [setting] + (Self.aliases[setting] ?? [])
        let isSet = { (name: String) in !(self.lookup(name)?.value.isEmpty ?? true) }
        guard let used = names.first(where: isSet), let found = lookup(used) else {
            return ConfigOrigin(place: .default, note: emptyNote(names))
        }
        var notes: [String] = []
        if used != setting {
            notes.append("as \(used)")
        } else if let ignored = names.dropFirst().first(where: isSet) {
            notes.append("\(ignored) is set too and ignored")
        }
        if found.place == .environment, let hidden = file[used], !hidden.isEmpty, hidden != found.value {
            notes.append("overrides the file")
        }
        return ConfigOrigin(place: found.place, variable: used == setting ? nil : used,
                            note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// The variable's value and where it was found (the environment first), if it exists at all.
    private func lookup(_ name: String) -> (value: String, place: ConfigOrigin.Place)? {
        if let value = environment[name] { return (value, .environment) }
        if let value = file[name] { return (value, .file(filePath ?? "")) }
        return nil
    }

    /// Why an unset setting is unset though a variable of its name exists: it is empty.
    private func emptyNote(_ names: [String]) -> String? {
        for name in names {
            guard let found = lookup(name) else { continue }
            let label = name == names[0] ? "" : "\(name) "
            if found.place == .environment {
                if let hidden = file[name], !hidden.isEmpty { return "\(label)empty in env, which hides the file's value" }
                return "\(label)empty in env"
            }
            return "\(label)empty in the file"
        }
        return nil
    }
}

/// Where one setting's value comes from, as `check-config` shows it.
public struct ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    public enum Place: Sendable, Equatable {
        /// The process environment.
        case environment
        /// The env file at this path.
        case file(String)
        /// Neither: the built-in default (or, for an optional setting, none).
        case `default`
    }

    public var place: Place
    /// The variable actually read, when it is not the setting's own name
    /// (`NEXT_PUBLIC_WORKOS_REDIRECT_URI` for `WORKOS_REDIRECT_URI`).
    public var variable: String?
    /// What else a reader should know: `as NEXT_PUBLIC_WORKOS_REDIRECT_URI`,
    /// `empty in env, which hides the file's value`, `overrides the file`.
    public var note: String?

    public init(place: Place, variable: String? = nil, note: String? = nil) {
        self.place = place
        self.variable = variable
        self.note = note
    }

    /// `env`, `file /etc/authkit-fcgi/authkit.env`, `default`, with any note in parentheses:
    /// `file /srv/app/.env.local (as NEXT_PUBLIC_WORKOS_REDIRECT_URI)`.
    public var description: String {
        let base: String
        switch place {
        case .environment: base = "env"
        case .file(let path): base = path.isEmpty ? "file" : "file \(path)"
        case .default: base = "default"
        }
        return note.map { "\(base) (\($0))" } ?? base
    }
}
