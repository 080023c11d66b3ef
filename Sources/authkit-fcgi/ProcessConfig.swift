import AuthKitCore
import AuthKitGateway
import FoundationEssentials
import Glibc

/// Loads configuration from the process: the env file (`--env-file`, else `AUTHKIT_ENV_FILE`;
/// read with ``DotEnv``) with the real environment laid over it — the process environment wins,
/// as in Next.js (``ConfigSources`` merges them and tells where each setting came from) —
/// validated by ``ConfigLoader``. On any problem prints one line per problem, all of them,
/// `authkit-fcgi: …`, to stderr and exits with status 78 (EX_CONFIG). Shared by `check-config`,
/// `serve` and CGI mode.
enum ProcessConfig {
    static let exitCode: Int32 = 78

    static func load(envFile option: String?) -> AuthKitConfig {
        loadWithSources(envFile: option).config
    }

    /// The configuration, and where each variable came from (``ConfigSources``, for `check-config`).
    static func loadWithSources(envFile option: String?) -> (config: AuthKitConfig, sources: ConfigSources) {
        switch read(envFile: option) {
        case .success(let loaded): loaded
        case .failure(let problems): fail(problems.lines)
        }
    }

    /// What ``load(envFile:)`` would exit 78 for, one line per problem; empty when the settings load.
    static func problems(envFile option: String?) -> [String] {
        guard case .failure(let problems) = read(envFile: option) else { return [] }
        return problems.lines
    }

    struct Problems: Error {
        let lines: [String]
        init(_ lines: [String]) { self.lines = lines }
    }

    private static func read(envFile option: String?) -> Result<(config: AuthKitConfig, sources: ConfigSources), Problems> {
        let environment = ProcessInfo.processInfo.environment
        var fileVariables: [String: String] = [:]
        // AUTHKIT_ENV_FILE serves where no arguments can be given: a CGI program, or a FastCGI
        // application spawned by mod_fcgid (FcgidInitialEnv / SetEnv).
        let fromEnvironment = environment["AUTHKIT_ENV_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let envFile = option ?? fromEnvironment
        let source = option != nil ? "--env-file" : "AUTHKIT_ENV_FILE"
        if let envFile {
            guard let data = FileManager.default.contents(atPath: envFile) else {
                return .failure(Problems(["\(source) \(envFile) cannot be read. Fix: check the path and that this user may read it"]))
            }
            do {
                for (key, value) in try DotEnv.parse(String(decoding: data, as: UTF8.self)) { fileVariables[key] = value }
            } catch {
                return .failure(Problems(["\(source) \(envFile): \(error). Fix: write KEY=value lines as in a Next.js .env.local, closing every quote"]))
            }
        }
        let sources = ConfigSources(file: fileVariables, filePath: envFile, environment: environment)
        do {
            return .success((try ConfigLoader.load(sources.variables), sources))
        } catch {
            return .failure(Problems(error.lines))
        }
    }

    static func fail(_ line: String) -> Never {
        fail([line])
    }

    /// Each line as `authkit-fcgi: <line>` on stderr, then exit 78.
    static func fail(_ lines: [String]) -> Never {
        StandardStreams.write(Array(lines.map { "authkit-fcgi: \($0)\n" }.joined().utf8), to: STDERR_FILENO)
        exit(exitCode)
    }
}
