print("authkit-fcgi")
