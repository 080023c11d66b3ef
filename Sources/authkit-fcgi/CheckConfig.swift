import ArgumentParser
import AuthKitCore

/// `authkit-fcgi check-config`: the effective settings, secrets masked; exit 0 or 78.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and print the effective settings (secrets masked).")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = ProcessConfig.load(envFile: options.envFile)
        for (name, value) in ConfigLoader.describe(config) { print("\(name)=\(value)") }
    }
}
