// The size baseline: AuthKitCore linked, no library under comparison.
import AuthKitCore

print(Base64URL.encode(Array(CommandLine.arguments.joined().utf8)).utf8.count)
