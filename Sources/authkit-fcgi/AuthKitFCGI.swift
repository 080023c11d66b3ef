import ArgumentParser
import AuthKitCore

/// `authkit-fcgi`: WorkOS AuthKit sessions for nginx `auth_request`, Apache and CGI.
@main
struct AuthKitFCGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit-fcgi",
        abstract: "WorkOS AuthKit sign-in for nginx (auth_request), Apache (FastCGI authorizer) and CGI.",
        version: AuthKitVersion.string,
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self)
}

/// Options every subcommand takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "A dotenv file (e.g. the Next.js app's .env.local); the real environment wins over it.")
    var envFile: String?
}
