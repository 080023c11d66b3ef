/// Tells a browser's page navigation from other requests (XHR, fetch, images, API clients),
/// with mod_auth_openidc's heuristics. Only navigations are redirected to sign in and get
/// login state (verifier cookies); everything else gets a plain 401, so a page full of
/// assets cannot pile up verifier cookies (authkit-nextjs #432).
///
/// Not a navigation when: `X-Requested-With: XMLHttpRequest`; or `Sec-Fetch-Mode` is present
/// and not `navigate`; or `Sec-Fetch-Dest` is present and not `document`/`iframe`; or `Accept`
/// is present and names none of `text/html`, `application/xhtml+xml`, `*/*`.
public enum NavigationClassifier {
    /// - Parameter header: looks up a request header by lower-case name.
    public static func isNavigation(header: (String) -> String?) -> Bool {
        if header("x-requested-with")?.lowercased() == "xmlhttprequest" { return false }
        if let mode = header("sec-fetch-mode"), mode.lowercased() != "navigate" { return false }
        if let destination = header("sec-fetch-dest")?.lowercased(), destination != "document", destination != "iframe" {
            return false
        }
        if let accept = header("accept")?.lowercased(),
           !accept.contains("text/html"), !accept.contains("application/xhtml+xml"), !accept.contains("*/*") {
            return false
        }
        return true
    }
}
