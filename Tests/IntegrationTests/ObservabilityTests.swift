import AuthKitCore
import Foundation
import Testing

/// Metrics at `/auth/metrics` and the event log, through real nginx with the shipped snippets.
@Suite(.serialized) struct ObservabilityTests {
    func body(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func signIn(_ site: NginxSite, _ browser: Browser, as email: String, page: String = "/protected/") throws {
        _ = try browser.navigate(
            "\(site.base)/auth/sign-in?return_to=\(PercentEncoding.uriComponent(page))&login_hint=\(PercentEncoding.uriComponent(email))")
    }

    /// Samples of the Prometheus text: `name{labels}` → value.
    func scrape(_ site: NginxSite) throws -> [String: Double] {
        let response = try Browser().send("GET", "\(site.base)/auth/metrics", headers: [])
        #expect(response.status == 200)
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        var samples: [String: Double] = [:]
        for line in body(response).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func metricsCountChecksRefreshesAndWorkOSCalls() throws {
        let site = try NginxSite()
        let ada = Browser(), grace = Browser()
        try signIn(site, ada, as: "ada@example.com")
        try signIn(site, grace, as: "grace@example.com")
        let before = try scrape(site)

        // 6 allowed (most answered from the cache), 2 forbidden, 3 unauthenticated.
        for _ in 0..<3 {
            #expect(try ada.send("GET", "\(site.base)/protected/").status == 200)
            #expect(try grace.send("GET", "\(site.base)/protected/").status == 200)
        }
        for _ in 0..<2 { #expect(try grace.send("GET", "\(site.base)/admin/").status == 403) }
        for _ in 0..<3 { #expect(try Browser().send("GET", "\(site.base)/api/items", headers: [("Accept", "application/json")]).status == 401) }
        let after = try scrape(site)
        func delta(_ name: String) -> Double { (after[name] ?? 0) - (before[name] ?? 0) }
        #expect(delta(#"authkit_checks_total{outcome="allowed"}"#) == 6)
        #expect(delta(#"authkit_checks_total{outcome="forbidden"}"#) == 2)
        #expect(delta(#"authkit_checks_total{outcome="unauthenticated"}"#) == 3)
        #expect(delta("authkit_session_cache_hits_total") >= 4, "\(after)")

        // The two sign-ins exchanged codes and fetched the JWKS, timed by endpoint and status.
        #expect(after[#"authkit_workos_request_duration_seconds_count{endpoint="/user_management/authenticate",status="200"}"#] == 2)
        #expect((after[#"authkit_workos_request_duration_seconds_count{endpoint="/sso/jwks/{client_id}",status="200"}"#] ?? 0) >= 1)
        #expect((after["authkit_jwks_age_seconds"] ?? -1) >= 0)
        #expect(after.keys.contains { $0.hasPrefix("authkit_workos_request_duration_seconds_bucket{") })

        // A refresh: WorkOS's clock 400 s behind makes the next sign-in's token already expired.
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":-400}"#)
        let late = Browser()
        try signIn(site, late, as: "ada@example.com", page: "/")
        try site.emulator.request("POST", "/_emulate/clock", json: #"{"offset_seconds":0}"#)
        #expect(try late.send("GET", "\(site.base)/protected/").status == 200)
        let refreshed = try scrape(site)
        #expect(refreshed[#"authkit_refreshes_total{outcome="success"}"#] == 1)
        #expect(refreshed[#"authkit_workos_request_duration_seconds_count{endpoint="/user_management/authenticate",status="200"}"#] == 4)
        #expect(refreshed[#"authkit_refreshes_total{outcome="terminal_failure"}"#] == 0)
        _ = site.stop()
    }

    @Test func metricsAreOnlyForLoopbackClientsUnlessConfigured() throws {
        let base = ["WORKOS_CLIENT_ID": "client_x", "WORKOS_API_KEY": "sk_test_x", "WORKOS_COOKIE_PASSWORD": "this-is-a-32-character-password!",
                    "WORKOS_REDIRECT_URI": "http://127.0.0.1:1/auth/callback", "WORKOS_API_HOSTNAME": "127.0.0.1"]
        func metrics(_ access: String?, from address: String) throws -> String {
            var environment = base
            if let access { environment["AUTHKIT_METRICS"] = access }
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let serve = try ServeProcess(environment: environment, directory: directory)
            defer { _ = serve.stop() }
            return try fastCGIRequest(socket: serve.socket, parameters: [
                "REQUEST_METHOD": "GET", "REQUEST_URI": "/auth/metrics", "REMOTE_ADDR": address, "FCGI_ROLE": "RESPONDER",
            ])
        }
        #expect(try metrics(nil, from: "127.0.0.1").hasPrefix("Status: 200"))
        #expect(try metrics(nil, from: "::1").hasPrefix("Status: 200"))
        #expect(try metrics(nil, from: "10.1.2.3").hasPrefix("Status: 404"))
        #expect(try metrics("on", from: "10.1.2.3").hasPrefix("Status: 200"))
        let off = try metrics("off", from: "127.0.0.1")
        #expect(off.hasPrefix("Status: 404") && !off.contains("authkit_checks_total"))
    }

    @Test func jsonLogLinesCarryTheRequestAndNoSecrets() throws {
        let site = try NginxSite(environment: ["AUTHKIT_LOG_FORMAT": "json", "WORKOS_DEBUG": "true"])
        let browser = Browser()
        try signIn(site, browser, as: "ada@example.com")
        let cookie = try #require(browser.cookie("wos-session"))
        for _ in 0..<2 { #expect(try browser.send("GET", "\(site.base)/protected/").status == 200) }
        let (status, log) = site.stop()
        #expect(status == 0)
        let lines = log.split(separator: "\n")
        var events: [[String: String]] = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object != nil, "not a JSON object of strings: \(line)")
            if let object { events.append(object) }
        }
        // Every check is an event at debug (WORKOS_DEBUG): none is answered without a line.
        let checks = events.filter { $0["event"] == "check" && $0["path"] == "/protected/" && $0["outcome"] == "allowed" }
        #expect(checks.count >= 3, "\(events)")
        for check in checks {
            #expect(check["level"] == "debug" && check["msg"] == "check")
            #expect(check["user"] == "user_01EMULATEADMIN0000000000")
            #expect(check["organization"] == "org_01EMULATEACME00000000000")
            #expect(check["session"]?.hasPrefix("session_") == true)
            #expect(check["request_id"]?.count == 32, "nginx's $request_id")
            #expect(check["duration_us"].flatMap(Int.init) != nil)
            #expect(check["time"]?.hasSuffix("Z") == true)
        }
        let signedIn = try #require(events.first { $0["msg"] == "signed in" })
        #expect(signedIn["path"] == "/auth/callback" && signedIn["request_id"]?.count == 32)
        #expect(!log.contains(cookie.prefix(40)) && !log.contains(EmulatorProcess.apiKey))
    }

    @Test func logfmtIsTheDefault() throws {
        let site = try NginxSite()
        let browser = Browser()
        try signIn(site, browser, as: "ada@example.com")
        let (_, log) = site.stop()
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.range(of: #"^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=[a-z]+ msg=("[^"]*"|\S+)( [a-z_]+=("([^"\\]|\\.)*"|\S+))*$"#,
                               options: .regularExpression) != nil, "\(line)")
        }
        #expect(log.contains(#"msg="signed in""#) && log.contains("user=user_01EMULATEADMIN0000000000"))
    }
}
