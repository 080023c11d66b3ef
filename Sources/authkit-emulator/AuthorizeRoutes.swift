import Foundation
import Hummingbird

/// `GET /user_management/authorize` and the interactive page's approval.
struct AuthorizeRoutes {
    let state: EmulatorState

    func register(_ router: Router<EmulatorContext>) {
        router.get("/user_management/authorize") { request, _ in authorize(request.query) }
        router.post("/user_management/authorize/approve") { request, context in
            var request = request
            return authorize(try await request.fields(context: context).fields, approved: true)
        }
    }

    /// Validates like WorkOS: a bad client or an unregistered redirect URI gets an error page
    /// (never a redirect); other problems go back to the redirect URI as OAuth errors.
    func authorize(_ query: [String: String], approved: Bool = false) -> Response {
        let settings = state.settings
        state.with { $0.count("authorize") }
        guard query["client_id"] == settings.clientId else {
            return Reply.html(.badRequest, page("Invalid client", "The client_id is missing or unknown."))
        }
        guard let redirectURI = query["redirect_uri"], settings.redirectURIs.contains(redirectURI) else {
            return Reply.html(.badRequest, page("Invalid redirect URI", "The redirect_uri is not registered for this client."))
        }
        var back: [(String, String)] = []
        if let stateParameter = query["state"] { back.append(("state", stateParameter)) }
        func fail(_ code: String, _ description: String) -> Response {
            Reply.redirect(appendingQuery(redirectURI, [("error", code), ("error_description", description)] + back))
        }
        guard query["response_type"] == "code" else { return fail("unsupported_response_type", "response_type must be code") }
        guard query["provider"] == "authkit" else { return fail("invalid_request", "provider must be authkit") }
        if query["code_challenge"] != nil, query["code_challenge_method"] != "S256" {
            return fail("invalid_request", "code_challenge_method must be S256")
        }

        if settings.interactive && !approved { return Reply.html(.ok, signInPage(query)) }

        return state.with { data -> Response in
            let seed = data.seed
            let user: Seed.User?
            if let id = query["user_id"] { user = seed.user(id: id) }
            else if let hint = query["login_hint"] { user = seed.user(email: hint) }
            else { user = seed.users.first }
            guard let user else { return fail("access_denied", "No such user") }
            var organizationId = query["organization_id"].flatMap { $0.isEmpty ? nil : $0 }
            if let requested = organizationId {
                guard seed.membership(user.id, requested) != nil else { return fail("access_denied", "The user is not a member of the organization") }
            } else {
                organizationId = seed.memberships(of: user.id).first?.organization_id
            }
            let code = EmulatorState.Data.ulidLike("01")
            data.codes[code] = EmulatorState.Code(
                userId: user.id, organizationId: organizationId, challenge: query["code_challenge"],
                redirectURI: redirectURI, expires: data.now.addingTimeInterval(600), used: false)
            data.count("codes_issued")
            return Reply.redirect(appendingQuery(redirectURI, [("code", code)] + back))
        }
    }

    private func signInPage(_ query: [String: String]) -> String {
        let (seed, hint) = state.with { ($0.seed, query["screen_hint"] == "sign-up" ? "Sign up" : "Sign in") }
        let hidden = query.filter { $0.key != "user_id" && $0.key != "organization_id" }
            .map { "<input type=\"hidden\" name=\"\(Reply.escape($0.key))\" value=\"\(Reply.escape($0.value))\">" }.joined()
        let rows = seed.users.map { user -> String in
            let name = [user.first_name, user.last_name].compactMap { $0 }.joined(separator: " ")
            let memberships = seed.memberships(of: user.id)
            let organizations = memberships.isEmpty
                ? "<input type=\"hidden\" name=\"organization_id\" value=\"\">"
                : "<select name=\"organization_id\">" + memberships.map { m in
                    let orgName = seed.organization(id: m.organization_id)?.name ?? m.organization_id
                    let selected = m.organization_id == query["organization_id"] ? " selected" : ""
                    return "<option value=\"\(Reply.escape(m.organization_id))\"\(selected)>\(Reply.escape(orgName)) (\(Reply.escape(m.role ?? "member")))</option>"
                }.joined() + "</select>"
            return """
                <form method="post" action="/user_management/authorize/approve" class="user">\(hidden)
                <input type="hidden" name="user_id" value="\(Reply.escape(user.id))">
                <strong>\(Reply.escape(name.isEmpty ? user.email : name))</strong> <span>\(Reply.escape(user.email))</span>
                \(organizations) <button type="submit">Continue as \(Reply.escape(user.first_name ?? user.email))</button></form>
                """
        }.joined(separator: "\n")
        return page("\(hint) — WorkOS emulator", "Choose a user. This is the local authkit-emulator, not WorkOS.", extra: rows)
    }

    private func page(_ title: String, _ message: String, extra: String = "") -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(Reply.escape(title))</title>
        <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
        form.user{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}button{margin-left:.5rem}</style></head>
        <body><h1>\(Reply.escape(title))</h1><p>\(Reply.escape(message))</p>\(extra)</body></html>
        """
    }
}
