import Foundation
import Testing

/// The differential harness (issue 20 item 3), the arbiter for every routing or path change:
/// thousands of hostile request targets, sent raw to real nginx and Apache running the shipped
/// snippets, by nobody and by a signed-in member without the admin role. It passes only when no
/// protected byte reaches anyone not allowed to read it, whatever the status codes.
///
/// `AUTHKIT_DIFFERENTIAL_TARGETS` (default 10,000) sets the target count per server,
/// `AUTHKIT_DIFFERENTIAL_SEED` the seed, `AUTHKIT_DIFFERENTIAL_FCGID_TARGETS` (default 1,000) and
/// `AUTHKIT_DIFFERENTIAL_CGI_TARGETS` (default 200) the smaller mod_fcgid and plain CGI runs. `bench/differential.sh` runs 200,000. Under `CI=true` a missing nginx
/// or Apache fails instead of skipping. `AUTHKIT_DIFFERENTIAL_DUMP=/tmp/d` writes every exchange
/// to `/tmp/d.<server>.tsv`; `AUTHKIT_DIFFERENTIAL_KEEP=1` keeps the servers' directories (logs).
@Suite(.serialized) struct DifferentialTests {
    static let environment = ProcessInfo.processInfo.environment
    static let inCI = environment["CI"] == "true"
    static let targets = environment["AUTHKIT_DIFFERENTIAL_TARGETS"].flatMap(Int.init) ?? 10_000
    static let fcgidTargets = environment["AUTHKIT_DIFFERENTIAL_FCGID_TARGETS"].flatMap(Int.init) ?? 1_000
    static let cgiTargets = environment["AUTHKIT_DIFFERENTIAL_CGI_TARGETS"].flatMap(Int.init) ?? 200
    static let seed = environment["AUTHKIT_DIFFERENTIAL_SEED"].flatMap(UInt64.init) ?? 20
    static let concurrency = environment["AUTHKIT_DIFFERENTIAL_CONCURRENCY"].flatMap(Int.init) ?? 8

    @Test(.enabled(if: DifferentialNginxSite.available || inCI, "needs nginx (/usr/sbin/nginx)"))
    func nginx() throws {
        try Self.requireBinary("/usr/sbin/nginx")
        let site = try DifferentialNginxSite()
        defer { site.stop() }
        try Self.judge(site, count: Self.targets)
    }

    @Test(.enabled(if: DifferentialApacheSite.available || inCI, "needs Apache (/usr/sbin/apache2)"))
    func apacheAuthorizer() throws {
        try Self.requireBinary("/usr/sbin/apache2")
        let site = try DifferentialApacheSite(.authorizer)
        defer { site.stop() }
        try Self.judge(site, count: Self.targets)
    }

    @Test(.enabled(if: (DifferentialApacheSite.available && DifferentialApacheSite.fcgidAvailable) || inCI, "needs Apache and mod_fcgid"))
    func apacheFcgid() throws {
        try Self.requireBinary("/usr/lib/apache2/modules/mod_fcgid.so")
        let site = try DifferentialApacheSite(.fcgid)
        defer { site.stop() }
        try Self.judge(site, count: Self.fcgidTargets)
    }

    /// Plain CGI starts authkit-fcgi for every request (tens of ms): a couple of hundred targets.
    @Test(.enabled(if: DifferentialApacheSite.available || inCI, "needs Apache (/usr/sbin/apache2)"))
    func apacheCGI() throws {
        try Self.requireBinary("/usr/sbin/apache2")
        let site = try DifferentialApacheSite(.cgi)
        defer { site.stop() }
        try Self.judge(site, count: Self.cgiTargets)
    }

    static func requireBinary(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DifferentialSiteFailed(description: "\(path) is missing (CI=true: the differential harness must run)")
        }
    }

    /// Sign in the member, check that the site protects what it should in plain cases (a broken
    /// site would otherwise pass by refusing everything), then the generated targets.
    static func judge(_ site: some DifferentialSite, count: Int) throws {
        let browser = Browser()
        _ = try browser.navigate("\(site.base)/auth/sign-in?return_to=%2F&login_hint=grace%40example.com")
        let member = try #require(browser.cookie("wos-session"), "the member could not sign in on \(site.name)")

        func get(_ target: String, _ cookie: String?) -> RawHTTPClient.Answer {
            var headers = [("Accept", "*/*")]
            if let cookie { headers.append(("Cookie", "wos-session=\(cookie)")) }
            return RawHTTPClient.exchange(port: site.port, request: RawHTTPClient.request(target: Array(target.utf8), http10: false, host: site.authority, headers: headers))
        }
        func holds(_ answer: RawHTTPClient.Answer, _ marker: String) -> Bool { answer.body.firstRange(of: Array(marker.utf8)) != nil }
        var publicRefused: [String] = []
        for file in DifferentialTree.files {
            let target = DifferentialTargets.percentEncoded(file.path)
            let anonymous = get(target, nil), signedIn = get(target, member)
            switch file.access {
            case .publicFile:
                // Not the harness's verdict (refusing is never a leak), but worth a line.
                if anonymous.status != 200 || !holds(anonymous, file.marker) { publicRefused.append("\(target) \(anonymous.status)") }
            case .signedIn:
                #expect([401, 302].contains(anonymous.status) && !holds(anonymous, file.marker), "\(site.name): anonymous \(target) answered \(anonymous.status)")
                #expect(signedIn.status == 200 && holds(signedIn, file.marker), "\(site.name): member \(target) answered \(signedIn.status)")
            case .admin:
                #expect([401, 302].contains(anonymous.status) && !holds(anonymous, file.marker), "\(site.name): anonymous \(target) answered \(anonymous.status)")
                #expect(signedIn.status == 403 && !holds(signedIn, file.marker), "\(site.name): member \(target) answered \(signedIn.status)")
            }
        }

        if !publicRefused.isEmpty {
            print("differential \(site.name): note: public files refused to anonymous: \(publicRefused.joined(separator: ", "))")
        }

        let probes = DifferentialTargets.generate(count: count, seed: seed, authority: site.authority,
                                                  extra: DifferentialTree.argumentTargets(root: site.root))
        let identities = [
            DifferentialRun.Identity(name: "anonymous", cookie: nil, forbidden: "SECRET-"),
            DifferentialRun.Identity(name: "member", cookie: member, forbidden: "SECRET-ADMIN-"),
        ]
        let result = DifferentialRun.run(probes, port: site.port, authority: site.authority, identities: identities, concurrency: concurrency,
                                        dump: environment["AUTHKIT_DIFFERENTIAL_DUMP"].map { "\($0).\(site.name).tsv" })
        let report = DifferentialRun.report(result, site: site.name, targets: probes.count, identities: identities.count)
        print(report)
        #expect(probes.count == count, "the generator made only \(probes.count) distinct targets")
        #expect(result.leakCount == 0, "\(report)")
        // The member must still be signed in at the end (else the member run tested nobody).
        let after = get("/site/secret.txt", member)
        #expect(after.status == 200, "\(site.name): the member's session stopped working during the run (\(after.status))")
    }
}
