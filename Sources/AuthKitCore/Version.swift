public enum AuthKitVersion { public static let string = "0.1.0" }
