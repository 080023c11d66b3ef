import ArgumentParser
import AuthKitCore

/// `authkit-fcgi`: WorkOS AuthKit sessions for nginx `auth_request`, Apache and CGI.
@main
struct AuthKitFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-fcgi",
        abstract: "WorkOS AuthKit sign-in for nginx (auth_request), Apache (FastCGI authorizer) and CGI.",
        discussion: """
            Started by a CGI server (GATEWAY_INTERFACE set) it answers one CGI request, configured by the \
            environment and AUTHKIT_ENV_FILE, and ignores its arguments.

            \(requiredSettings)
            """,
        version: AuthKitVersion.string,
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self)

    /// Chooses the mode before any argument is parsed: as a CGI program (``CGIMode``) the
    /// arguments may be a client's query words, so they are never read; else the command line.
    static func main() {
        if CGIMode.isActive {
            CGIMode.run()
        } else {
            main(nil)
        }
    }
}

/// What `--help` says of the configuration, for the command and `serve`.
let requiredSettings = """
    Required variables (environment, --env-file or AUTHKIT_ENV_FILE): WORKOS_CLIENT_ID, \
    WORKOS_API_KEY, WORKOS_COOKIE_PASSWORD (32 characters or more) and WORKOS_REDIRECT_URI. \
    `authkit-fcgi check-config` checks them; every variable is described in authkit-fcgi(8) \
    (`man authkit-fcgi`).
    """

/// Options every subcommand takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "A dotenv file (e.g. the Next.js app's .env.local); the real environment wins over it.")
    var envFile: String?
}
