/// The attributes of a cookie we set, decided once from configuration.
public struct CookieOptions: Sendable, Equatable {
    public var name: String
    public var domain: String?
    public var sameSite: CookieSameSite
    public var secure: Bool
    /// `Max-Age` in seconds.
    public var maxAge: Int

    public init(name: String, domain: String?, sameSite: CookieSameSite, secure: Bool, maxAge: Int) {
        self.name = name
        self.domain = domain
        self.sameSite = sameSite
        self.secure = secure
        self.maxAge = maxAge
    }

    /// The session cookie's options, as authkit-nextjs's `getCookieOptions`: `Secure` when
    /// SameSite is None, when the redirect URI is https, or when the URI does not parse.
    public static func session(config: AuthKitConfig) -> CookieOptions {
        CookieOptions(
            name: config.cookieName, domain: config.cookieDomain, sameSite: config.cookieSameSite,
            secure: secureFlag(sameSite: config.cookieSameSite, url: config.redirectURI),
            maxAge: config.cookieMaxAge)
    }

    /// These options for a site a location named (``Site``): `Secure` by authkit's rule for the
    /// site's redirect URI, and `Domain` only when the site's host is that domain or below it —
    /// a browser drops a cookie whose Domain does not cover the host that sets it, so another
    /// site's cookie is host-only.
    public func forSite(_ site: Site) -> CookieOptions {
        var options = self
        options.secure = Self.secureFlag(sameSite: sameSite, url: site.redirectURI)
        if let domain {
            let bare = domain.utf8.first == UInt8(ascii: ".") ? String(Substring(domain.utf8.dropFirst())) : domain
            let host = site.host
            let covered = !bare.isEmpty && (host.bytesEqual(bare.lowercasedASCII()) || host.hasByteSuffix("." + bare.lowercasedASCII()))
            options.domain = covered ? domain : nil
        }
        return options
    }

    /// authkit's Secure rule for a given URL.
    public static func secureFlag(sameSite: CookieSameSite, url: String?) -> Bool {
        if sameSite == .none { return true }
        guard let url, let colon = url.firstUTF8Index(of: UInt8(ascii: ":")) else { return true }
        let scheme = url[..<colon].lowercasedASCII()
        guard scheme == "http" || scheme == "https", url.utf8[colon...].starts(with: "://".utf8) else { return true }
        return scheme == "https"
    }
}

/// `Set-Cookie` header values in authkit-nextjs's middleware serialisation (spec §1.1).
public enum SetCookie {
    /// `name=value; Path=/; HttpOnly; SameSite=Lax; Max-Age=N[; Domain=d][; Secure]`
    public static func set(_ value: String, options: CookieOptions) -> String {
        var header = "\(options.name)=\(value); Path=/; HttpOnly; SameSite=\(options.sameSite.attributeValue); Max-Age=\(options.maxAge)"
        appendTail(&header, options)
        return header
    }

    /// `name=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax; Max-Age=0[; Domain=d][; Secure]`
    public static func delete(options: CookieOptions) -> String {
        var header = "\(options.name)=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=\(options.sameSite.attributeValue); Max-Age=0"
        appendTail(&header, options)
        return header
    }

    /// The value a `Set-Cookie` line of ours (`name=value; …`) sets.
    public static func value(of setCookie: String, name: String) -> String {
        // To the first `;` byte (a mark glued onto `;` must not hide it).
        String(decoding: setCookie.utf8.dropFirst(name.utf8.count + 1).prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
    }

    private static func appendTail(_ header: inout String, _ options: CookieOptions) {
        if let domain = options.domain { header += "; Domain=\(domain)" }
        if options.secure { header += "; Secure" }
    }
}
