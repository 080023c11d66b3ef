/// The interactive sign-in page (`--interactive`): one form per seeded user, with an
/// organization choice for users with several memberships, posting back to
/// `/user_management/authorize/approve` with the original authorization parameters.
struct SignInPage {
    let seed: Seed
    /// The authorization request's query.
    let query: [String: String]

    func render() -> String {
        let signUp = query["screen_hint"] == "sign-up"
        let title = signUp ? "Sign up" : "Sign in"
        let message = (signUp ? "Create an account" : "Choose who to sign in as")
            + ". Every seeded user is listed; no password is needed."
        return HTMLPage.render(title: title, message: message, content: seed.users.map(form).joined(separator: "\n"))
    }

    private func form(for user: Seed.User) -> String {
        let e = HTMLPage.escape
        let requested = query["organization_id"].flatMap { $0.isEmpty ? nil : $0 }
        var memberships = seed.memberships(of: user.id)
        if let requested { memberships = memberships.filter { $0.organizationId == requested } }
        let allowed = requested == nil || !memberships.isEmpty
        let hidden = query.keys.sorted().filter { $0 != "user_id" && $0 != "organization_id" }
            .map { "<input type=\"hidden\" name=\"\(e($0))\" value=\"\(e(query[$0] ?? ""))\">" }.joined()
        let organizations: String
        switch memberships.count {
        case 0: organizations = "<input type=\"hidden\" name=\"organization_id\" value=\"\">"
        case 1: organizations = "<input type=\"hidden\" name=\"organization_id\" value=\"\(e(memberships[0].organizationId))\">"
                + "<small>\(e(organizationName(memberships[0]))) · \(e(memberships[0].roleName))</small>"
        default:
            organizations = "<select name=\"organization_id\" aria-label=\"Organization\">" + memberships.map { membership in
                "<option value=\"\(e(membership.organizationId))\">\(e(organizationName(membership))) · \(e(membership.roleName))</option>"
            }.joined() + "</select>"
        }
        let name = [user.firstName, user.lastName].compactMap { $0 }.joined(separator: " ")
        let hinted = query["login_hint"]?.lowercased() == user.email.lowercased() ? " hinted" : ""
        let impersonated = seed.impersonation(of: user.id).map { "<small>impersonated by \(e($0.impersonatorEmail))</small>" } ?? ""
        return """
            <form method="post" action="/user_management/authorize/approve" class="user\(hinted)">\(hidden)
            <input type="hidden" name="user_id" value="\(e(user.id))">
            <span class="who"><strong>\(e(name.isEmpty ? user.email : name))</strong><small>\(e(user.email))</small>\(impersonated)</span>
            \(organizations)
            <button type="submit"\(allowed ? "" : " disabled title=\"Not a member of the requested organization\"")>Continue as \(e(user.firstName ?? user.email))</button>
            </form>
            """
    }

    private func organizationName(_ membership: Seed.Membership) -> String {
        seed.organization(id: membership.organizationId)?.name ?? membership.organizationId
    }
}
