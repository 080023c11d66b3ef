import Foundation
import Testing

/// The whole flow in a real browser: Debian's headless Chromium driven by Selenium
/// (`Tests/browser/browser_flow.py`) against real nginx + authkit-fcgi + authkit-emulator in
/// interactive mode, with 45-second access tokens so a refresh happens while the page is open,
/// and with eager auth, so the page's first token arrives in a cookie that authkit.js consumes.
/// Screenshots of every step land in `.build/browser-artifacts/` (not committed).
/// `scripts/test.sh` installs chromium, chromium-driver and Selenium (`.build/browser-venv`).
@Suite(.serialized) struct BrowserFlowTests {
    @Test func signInRefreshSwitchImpersonateSignOut() throws {
        let python = repositoryRoot.appendingPathComponent(".build/browser-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Selenium venv: run scripts/browser-setup.sh (scripts/test.sh does)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "no chromium-driver: run scripts/browser-setup.sh")
        // WORKOS_EAGER_AUTH: the page brings its first token in authkit's 30-second cookie.
        let site = try NginxSite(environment: ["WORKOS_EAGER_AUTH": "true"], emulatorArguments: ["--interactive", "--access-token-ttl", "45"])
        let artifacts = repositoryRoot.appendingPathComponent(".build/browser-artifacts/nginx").path
        try? FileManager.default.removeItem(atPath: artifacts)
        let result = try runCommand(python, [repositoryRoot.appendingPathComponent("Tests/browser/browser_flow.py").path, site.base, artifacts],
                                    environment: ["HOME": NSTemporaryDirectory(), "SE_AVOID_STATS": "true"])
        #expect(result.status == 0 && result.stdout.hasSuffix("ok\n"), "\(result.stdout)\n\(result.stderr.suffix(3000))")
        let counters = try site.emulator.counters()
        #expect((counters["refreshes"] ?? 0) >= 1 && counters["organization_switches"] == 1, "\(counters)")
        let (status, log) = site.stop()
        #expect(status == 0)
        #expect(!log.contains(EmulatorProcess.apiKey))
        let shots = (try? FileManager.default.contentsOfDirectory(atPath: artifacts)) ?? []
        #expect(shots.filter { $0.hasSuffix(".png") && !$0.hasPrefix("FAILED") }.count == 9, "\(shots)")
    }

    /// The same page and flow behind Apache, in each shipped setup (no bearer API and no eager
    /// auth there).
    @Test(arguments: ApacheSite.Setup.allCases)
    func theSameFlowBehindApache(setup: ApacheSite.Setup) throws {
        let python = repositoryRoot.appendingPathComponent(".build/browser-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Selenium venv: run scripts/browser-setup.sh (scripts/test.sh does)")
        let site = try ApacheSite(setup, emulatorArguments: ["--interactive", "--access-token-ttl", "45"])
        let artifacts = repositoryRoot.appendingPathComponent(".build/browser-artifacts/apache-\(setup)").path
        try? FileManager.default.removeItem(atPath: artifacts)
        let result = try runCommand(python, [repositoryRoot.appendingPathComponent("Tests/browser/browser_flow.py").path, site.base, artifacts,
                                             "--without", "api,eager"],
                                    environment: ["HOME": NSTemporaryDirectory(), "SE_AVOID_STATS": "true"])
        #expect(result.status == 0 && result.stdout.hasSuffix("ok\n"), "\(result.stdout)\n\(result.stderr.suffix(3000))\n\(site.errorLog)")
        #expect(try site.emulator.counters()["organization_switches"] == 1)
        _ = site.stop()
    }
}
