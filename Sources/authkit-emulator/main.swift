print("authkit-emulator")
